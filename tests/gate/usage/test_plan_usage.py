"""`plan --phase strict --usage LOG`: the readiness summary heads the strict plan."""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import idtoken_migrate
from idtoken_migrate.cli.typer_app import app

from .verifier_logs import MOBILE, WEB, DualApp, at

DEMO = Path(idtoken_migrate.__file__).parent / "demo_app"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "api"
    shutil.copytree(DEMO, folder)
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def api_log(dual_app: DualApp, tmp_path: Path) -> Path:
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    formatter.converter = time.gmtime
    log = tmp_path / "api.log"
    dual_app.write_log(
        log,
        [
            (at("2026-05-01T08:00:00+00:00"), "other", "boot"),
            (at("2026-05-02T09:00:00+00:00"), WEB, "auth0|1"),
            (at("2026-05-20T09:00:00+00:00"), MOBILE, "auth0|2"),
            (at("2026-05-30T18:00:00+00:00"), "access", ""),
        ],
        formatter,
    )
    return log


def plan(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["plan", ".", "--phase", "strict", *args])
    return result.exit_code, result.stdout, result.stderr


def test_text_plan_starts_with_readiness(project: Path, api_log: Path) -> None:
    code, out, err = plan("--usage", str(api_log))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(
        "Readiness (the dual verifier's logs, UTC): 2026-05-01 08:00:00Z .. 2026-05-30 18:00:00Z"
    )
    assert lines[1].startswith(
        "  Not ready for strict: 1 client still sent ID tokens in the 14 days"
    )
    assert lines[2].startswith(f"    {MOBILE}: last seen 2026-05-20 09:00:00Z")
    assert out.index(WEB) < out.index("Plan: phase strict")  # the table, then the plan
    code, ready, _err = plan("--usage", str(api_log), "--ready-after", "7")
    assert "  Ready for strict: no legacy ID token accepted in the 7 days" in ready


def test_markdown_and_json_plans_carry_the_summary(project: Path, api_log: Path) -> None:
    code, markdown, _err = plan("--usage", str(api_log), "--format", "markdown")
    assert code == 0
    assert markdown.startswith("## Migrate ID-token bearer auth to access tokens (strict phase)\n")
    assert markdown.index("### Readiness") < markdown.index("### Risks")
    assert f"| {MOBILE} | 1 | 1 |" in markdown
    code, out, _err = plan("--usage", str(api_log), "--format", "json")
    data = json.loads(out)
    assert data["usage"]["version"] == 1 and data["usage"]["records"] == 2
    assert data["usage"]["readiness"]["ready"] is False
    assert data["usage"]["readiness"]["still_sending"][0]["client_id"] == MOBILE
    assert "sites" in data  # the plan itself is unchanged


def test_plan_without_usage_is_unchanged(project: Path) -> None:
    code, out, _err = plan()
    assert code == 0 and out.startswith("Plan: phase strict")


def test_missing_usage_log_is_exit_2(project: Path) -> None:
    code, _out, err = plan("--usage", "missing.log")
    assert code == 2 and "missing.log: no such file" in err
