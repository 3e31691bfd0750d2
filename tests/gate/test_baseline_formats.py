"""A baselined project is green in every format; only new findings fail, and the summary says
what to do next with commands that work."""

from __future__ import annotations

import json
import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from idtoken_migrate.cli import main

NEW_SITE = """

def other_admin(request):
    return jwt.decode(request.headers["Authorization"], options={"verify_signature": False})
"""


@pytest.fixture
def baselined(legacy_app: Path, cli) -> Path:
    assert cli("check", "--baseline", "b.json", "--update-baseline").exit_code == 0
    return legacy_app


def add_new_site(root: Path) -> None:
    with (root / "app" / "admin.py").open("a", encoding="utf-8") as handle:
        handle.write(NEW_SITE)


def failures_in(fmt: str, out: str) -> int:
    """How many findings the report presents as failures or errors."""
    if fmt == "junit":
        return int(ET.fromstring(out).get("failures"))
    if fmt == "github":
        return sum(line.startswith("::error ") for line in out.splitlines())
    if fmt == "sarif":
        return sum(r["level"] == "error" for r in json.loads(out)["runs"][0]["results"])
    if fmt == "text":
        return sum(": [new] " in line for line in out.splitlines())
    assert fmt == "markdown"
    return 0 if "**No new findings.**" in out else int(out.split("**")[1].split()[0])


FORMATS = ["text", "github", "junit", "sarif", "markdown"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_baselined_project_is_green_in_every_format(baselined: Path, cli, fmt: str) -> None:
    run = cli("check", "--baseline", "b.json", "--format", fmt)
    assert run.exit_code == 0, run.stdout + run.stderr
    assert failures_in(fmt, run.stdout) == 0
    if fmt == "github":  # still visible, as warnings on the lines
        assert run.stdout.count("::warning ") == 2
        assert "(in the baseline)" in run.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_only_the_new_finding_fails(baselined: Path, cli, fmt: str) -> None:
    add_new_site(baselined)
    run = cli("check", "--baseline", "b.json", "-f", fmt)
    assert run.exit_code == 1
    assert failures_in(fmt, run.stdout) == 1
    if fmt == "sarif":
        results = json.loads(run.stdout)["runs"][0]["results"]
        states = sorted((r["baselineState"], r["level"]) for r in results)
        assert states == [("new", "error"), ("unchanged", "warning"), ("unchanged", "warning")]


def test_text_marks_the_new_finding_and_says_what_to_do(baselined: Path, cli) -> None:
    add_new_site(baselined)
    run = cli("check", "app", "--baseline", "b.json", "--exclude", "tests/*")
    lines = run.stdout.splitlines()
    [new] = [line for line in lines if "[new]" in line]
    assert new.startswith("app/admin.py:12:")
    assert "next: migrate, accept or suppress each new finding:" in lines
    steps = {line.split(":")[0].strip(): line.split(":", 1)[1].strip() for line in lines[-4:]}
    assert steps["see what changes"] == "idtoken-migrate plan app"
    assert steps["migrate"] == "idtoken-migrate apply app --phase dual --write"
    accept = steps["accept into the baseline"]
    assert accept == (
        "idtoken-migrate check app --exclude 'tests/*' --baseline b.json --update-baseline"
    )
    assert steps["suppress one site"].startswith(
        "# idtoken-migrate: ignore[IDT101] at the end of app/admin.py:12"
    )
    # The accept command is exact: run as given, the gate passes afterwards.
    assert cli(*shlex.split(accept)[1:]).exit_code == 0
    assert cli("check", "app", "--baseline", "b.json").exit_code == 0


def test_without_a_baseline_the_accept_step_names_the_default_file(legacy_app: Path, cli) -> None:
    run = cli("check")
    assert "next: migrate, accept or suppress each finding to migrate:" in run.stdout
    assert (
        "idtoken-migrate check --baseline idtoken-migrate-baseline.json --update-baseline"
        in run.stdout
    )


def test_no_next_steps_when_the_gate_passes(baselined: Path, cli) -> None:
    assert "next:" not in cli("check", "--baseline", "b.json").stdout


def test_markdown_next_steps_are_code(baselined: Path, cli) -> None:
    add_new_site(baselined)
    out = cli("check", "--baseline", "b.json", "--format", "markdown").stdout
    assert "**1 new finding to migrate**" in out
    assert "- migrate: ` idtoken-migrate apply . --phase dual --write `" in out


def test_fast_path_prints_the_same_next_steps(
    baselined: Path, cli, capfd: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_new_site(baselined)
    typer_out = cli("check", "--baseline", "b.json").stdout
    monkeypatch.setattr("sys.argv", ["idtoken-migrate", "check", "--baseline", "b.json"])
    monkeypatch.setattr("os._exit", lambda code: (_ for _ in ()).throw(SystemExit(code)))
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 1
    assert capfd.readouterr().out.splitlines()[-6:] == typer_out.splitlines()[-6:]


def test_a_baseline_written_by_0_1_0_still_matches(legacy_app: Path, cli) -> None:
    """SARIF rule ids became one per kind (IDT101/id-token-bearer); baselines match by the
    fingerprint, which keeps the rule id alone, so a baseline written before still holds."""
    old = Path(__file__).parent / "data" / "baseline-0.1.0.json"
    (legacy_app / "b.json").write_text(old.read_text(encoding="utf-8"), encoding="utf-8")
    run = cli("check", "--baseline", "b.json")
    assert run.exit_code == 0, run.stdout
    assert "Baseline: 0 new, 0 fixed, 2 unchanged." in run.stdout
    results = json.loads(cli("check", "--baseline", "b.json", "-f", "sarif").stdout)["runs"][0][
        "results"
    ]
    assert sorted(r["ruleId"] for r in results) == [
        "IDT101/id-token-bearer",
        "IDT101/unverified-decode",
    ]
    assert {r["baselineState"] for r in results} == {"unchanged"}
