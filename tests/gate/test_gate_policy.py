"""The gate's policy: baseline, ratchet, strict phase and sunset, generated modules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from idtoken_migrate.config import Config, WindowConfig
from idtoken_migrate.gate.baseline import Baseline, diff_baseline
from idtoken_migrate.gate.verdict import (
    GeneratedModule,
    Policy,
    evaluate,
    policy_from_config,
    read_generated_header,
)
from idtoken_migrate.model import Finding, ScanResult
from idtoken_migrate.scan.engine import ScanOptions, scan_paths

from .conftest import DUAL_HEADER, finding

SUNSET = dt.date(2027, 3, 1)


def result(*findings: Finding) -> ScanResult:
    return ScanResult(root=".", findings=findings)


def test_findings_to_migrate_fail_without_baseline() -> None:
    verdict = evaluate(result(finding("a")), Policy(today=SUNSET))
    assert not verdict.passed and verdict.exit_code == 1
    assert verdict.reasons == ("1 finding (1 id-token-bearer) to migrate",)


def test_inventory_kinds_do_not_fail() -> None:
    access = Finding(**{**finding("x").__dict__, "kind": "access-token"})
    assert evaluate(result(access), Policy()).passed


def test_baseline_holds_findings() -> None:
    findings = (finding("a"), finding("b"))
    diff = diff_baseline(Baseline.from_findings(findings), findings)
    assert evaluate(result(*findings), Policy(), baseline_diff=diff).passed
    diff = diff_baseline(Baseline.from_findings(findings[:1]), findings)
    verdict = evaluate(result(*findings), Policy(), baseline_diff=diff)
    assert [f.fingerprint for f in verdict.gated] == ["b"]
    assert "not in the baseline" in verdict.reasons[0]


def test_max_findings_ratchet() -> None:
    findings = (finding("a"), finding("b"))
    diff = diff_baseline(Baseline.from_findings(findings), findings)
    assert evaluate(result(*findings), Policy(max_findings=2), baseline_diff=diff).passed
    verdict = evaluate(result(*findings), Policy(max_findings=1), baseline_diff=diff)
    assert verdict.reasons == ("2 to migrate, more than --max-findings 1",)
    roomy = evaluate(result(*findings), Policy(max_findings=5), baseline_diff=diff)
    assert "--max-findings can come down to 2" in roomy.notes[-1]


def test_dual_code_allowed_until_the_sunset_then_fails() -> None:
    dual = (GeneratedModule("app/verifier.py", 2, "dual"),)
    day_before = Policy(sunset=SUNSET, today=SUNSET - dt.timedelta(days=1))
    assert evaluate(result(), day_before, generated=dual).passed
    # The verifier rejects ID tokens from the sunset day on: the gate agrees.
    on_the_day = Policy(sunset=SUNSET, today=SUNSET)
    verdict = evaluate(result(), on_the_day, generated=dual)
    assert not verdict.passed
    assert "sunset date 2027-03-01 has been reached" in verdict.reasons[0]
    assert "app/verifier.py:2" in verdict.reasons[0]


def test_strict_phase_fails_on_dual_code_but_not_on_strict_code() -> None:
    strict = Policy(phase="strict")
    assert not evaluate(result(), strict, generated=(GeneratedModule("v.py", 2, "dual"),)).passed
    assert evaluate(result(), strict, generated=(GeneratedModule("v.py", 2, "strict"),)).passed


def test_findings_inside_generated_modules_are_not_gated() -> None:
    generated = (GeneratedModule("app/auth.py", 2, "dual"),)
    assert evaluate(result(finding("a")), Policy(), generated=generated).passed


def test_policy_from_config() -> None:
    config = Config(phase="strict", window=WindowConfig(sunset=SUNSET))
    policy = policy_from_config(config, today=SUNSET, max_findings=3)
    assert (policy.phase, policy.sunset, policy.today, policy.max_findings) == (
        "strict",
        SUNSET,
        SUNSET,
        3,
    )
    assert policy.strict


def test_generated_header() -> None:
    assert read_generated_header(DUAL_HEADER + "import jwt\n") == ("dual", 2)
    assert read_generated_header("# idtoken-migrate: phase=dual\n") is None  # not generated


def test_the_scan_records_generated_modules_and_does_not_analyse_them(tmp_path: Path) -> None:
    legacy = (
        "import jwt\n\n\ndef verify(token):\n"
        "    return jwt.decode(token, CLIENT_SECRET, algorithms=['HS256'], audience=CLIENT_ID)\n"
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "verifier.py").write_text(DUAL_HEADER + legacy, encoding="utf-8")
    strict = DUAL_HEADER.replace("phase=dual", "phase=strict")
    (tmp_path / "app" / "strict.py").write_text(strict + "x = 1\n", encoding="utf-8")
    (tmp_path / "app" / "other.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "v.py").write_text(DUAL_HEADER, encoding="utf-8")
    cache = tmp_path / "cache"
    # Without the cache, writing it, reading it, and with every file parsed.
    results = [
        scan_paths([tmp_path], options)
        for options in (
            ScanOptions(excludes=("vendor/",)),
            ScanOptions(excludes=("vendor/",), cache_dir=cache),
            ScanOptions(excludes=("vendor/",), cache_dir=cache),
            ScanOptions(excludes=("vendor/",), prefilter=False),
        )
    ]
    assert results[2].stats.cached == 3
    for result in results:
        assert result.generated == (
            GeneratedModule("app/strict.py", 2, "strict"),
            GeneratedModule("app/verifier.py", 2, "dual"),
        )
        assert result.findings == ()  # the legacy call inside the verifier is not a site


def test_worker_processes_record_generated_modules_too(tmp_path: Path) -> None:
    strict = DUAL_HEADER.replace("phase=dual", "phase=strict")
    for i in range(40):  # enough files for the scan to start workers
        header = DUAL_HEADER if i % 2 else strict
        (tmp_path / f"v{i:02}.py").write_text(header + "import jwt\nx = jwt\n", encoding="utf-8")
    result = scan_paths([tmp_path], ScanOptions(jobs=2))
    assert result.stats.files == 40
    assert [(m.path, m.phase) for m in result.generated] == [
        (f"v{i:02}.py", "dual" if i % 2 else "strict") for i in range(40)
    ]
