"""`check`: exit codes 0/1/2, baseline round trip, ratchet, strict and sunset policy, formats."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from idtoken_migrate.scan.engine import ScanOptions

from .conftest import DUAL_HEADER, SARIF_SCHEMA, VALID_CONFIG


def test_findings_fail_the_gate(legacy_app: Path, cli) -> None:
    run = cli("check")
    assert run.exit_code == 1
    assert (
        "check failed: 2 findings (1 id-token-bearer, 1 unverified-decode) to migrate" in run.stdout
    )


def test_clean_project_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text("print('hello')\n", encoding="utf-8")
    run = cli("check", ".")
    assert run.exit_code == 0, run.stdout + run.stderr
    assert "check passed" in run.stdout


def test_update_baseline_writes_then_passes(legacy_app: Path, cli) -> None:
    run = cli("check", "--baseline", "baseline.json", "--update-baseline")
    assert run.exit_code == 0
    assert "wrote baseline.json (2 entries)" in run.stderr
    entries = json.loads((legacy_app / "baseline.json").read_text())["entries"]
    assert {e["path"] for e in entries} == {"app/auth.py", "app/admin.py"}
    run = cli("check", "--baseline", "baseline.json")
    assert run.exit_code == 0
    assert "Baseline: 0 new, 0 fixed, 2 unchanged." in run.stdout


def test_new_finding_outside_baseline_fails(legacy_app: Path, cli) -> None:
    admin = (legacy_app / "app" / "admin.py").read_text()
    (legacy_app / "app" / "admin.py").unlink()
    assert cli("check", "--baseline", "b.json", "--update-baseline").exit_code == 0
    (legacy_app / "app" / "admin.py").write_text(admin)
    run = cli("check", "--baseline", "b.json")
    assert run.exit_code == 1
    assert "1 finding (1 unverified-decode) not in the baseline" in run.stdout


def test_fixed_finding_is_reported(legacy_app: Path, cli) -> None:
    assert cli("check", "--baseline", "b.json", "--update-baseline").exit_code == 0
    (legacy_app / "app" / "admin.py").write_text("def current_admin():\n    return None\n")
    run = cli("check", "--baseline", "b.json", "--format", "json")
    assert run.exit_code == 0
    assert "1 baseline entry fixed" in run.stderr
    assert json.loads(run.stdout)["version"] == 1  # stdout stays the json contract


def test_max_findings_ratchet(legacy_app: Path, cli) -> None:
    cli("check", "--baseline", "b.json", "--update-baseline")
    assert cli("check", "--baseline", "b.json", "--max-findings", "2").exit_code == 0
    run = cli("check", "--baseline", "b.json", "--max-findings", "1")
    assert run.exit_code == 1
    assert "2 to migrate, more than --max-findings 1" in run.stdout


def _with_dual_module(root: Path, config: str) -> None:
    (root / "app" / "auth.py").unlink()
    (root / "app" / "admin.py").unlink()
    (root / "app" / "idtoken_verifier.py").write_text(DUAL_HEADER + "import jwt\n")
    (root / "idtoken-migrate.yaml").write_text(config)


def test_dual_code_passes_before_the_sunset_and_fails_after(legacy_app: Path, cli) -> None:
    _with_dual_module(legacy_app, VALID_CONFIG)
    assert cli("check", "--today", "2027-02-28").exit_code == 0
    run = cli("check", "--today", "2027-03-01")
    assert run.exit_code == 1
    assert "the sunset date 2027-03-01 has been reached" in run.stdout
    assert "app/idtoken_verifier.py:2" in run.stdout


def test_strict_phase_fails_on_dual_code(legacy_app: Path, cli) -> None:
    _with_dual_module(
        legacy_app, VALID_CONFIG.replace("version: 1\n", "version: 1\nphase: strict\n")
    )
    run = cli("check", "--today", "2026-01-01")
    assert run.exit_code == 1
    assert "the phase is strict" in run.stdout


def test_sarif_validates_against_the_schema(legacy_app: Path, cli) -> None:
    cli("check", "--baseline", "b.json", "--update-baseline")
    (legacy_app / "app" / "admin.py").unlink()
    run = cli("check", "--baseline", "b.json", "--format", "sarif", "--output", "out/results.sarif")
    assert run.exit_code == 0
    sarif = json.loads((legacy_app / "out" / "results.sarif").read_text())
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(sarif, schema)
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"
    ].endswith("auth.py")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit", "markdown"])
def test_every_format_keeps_the_exit_code(legacy_app: Path, cli, fmt: str) -> None:
    run = cli("check", "--format", fmt)
    assert run.exit_code == 1
    if fmt == "markdown":
        assert "**Gate: ❌ failed**" in run.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "missing"], "missing: no such file or directory"),
        (["check", "--config", "nope.yaml"], "nope.yaml: config file not found"),
        (["check", "--baseline", "none.json"], "none.json: baseline not found"),
        (["check", "--today", "2027-02-30"], "--today: '2027-02-30' is not a date"),
        (["check", "--format", "xml"], "unknown format 'xml'"),
        (["check", "--update-baseline"], "--update-baseline needs --baseline FILE"),
    ],
)
def test_usage_errors_exit_2_with_one_line(legacy_app: Path, cli, args, message) -> None:
    run = cli(*args)
    assert run.exit_code == 2
    assert run.stderr.count("\n") == 1
    assert message in run.stderr


def test_config_typo_exits_2_naming_line_and_key(legacy_app: Path, cli) -> None:
    (legacy_app / "idtoken-migrate.yaml").write_text(
        VALID_CONFIG.replace("  audience:", "  audiense:")
    )
    run = cli("check")
    assert run.exit_code == 2
    assert run.stderr == (
        "idtoken-migrate: error: idtoken-migrate.yaml:5: access_token.audiense: "
        "unknown key (did you mean 'audience'?)\n"
    )


def test_exclude_option_and_config_excludes(legacy_app: Path, cli) -> None:
    assert cli("check", "--exclude", "app/").exit_code == 0
    (legacy_app / "idtoken-migrate.yaml").write_text("version: 1\nscan:\n  exclude: [app/]\n")
    assert cli("check").exit_code == 0


needs_scan_root = pytest.mark.skipif(
    "root" not in {f.name for f in dataclasses.fields(ScanOptions)},
    reason="needs ScanOptions.root: finding paths (and fingerprints) relative to the project root",
)


@needs_scan_root
def test_checking_some_files_keeps_the_rest_of_the_baseline(legacy_app: Path, cli) -> None:
    # What pre-commit does: check only the changed files against the project's baseline.
    cli("check", "--baseline", "b.json", "--update-baseline")
    run = cli("check", "--baseline", "b.json", "app/auth.py")
    assert run.exit_code == 0, run.stdout + run.stderr
    assert "Baseline: 0 new, 0 fixed, 1 unchanged." in run.stdout
    cli("check", "--baseline", "b.json", "--update-baseline", "app/auth.py")
    assert len(json.loads((legacy_app / "b.json").read_text())["entries"]) == 2
