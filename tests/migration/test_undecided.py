"""Nothing dropped silently: the plan lists every `ambiguous` site with what would decide it and
the config key that answers it, and `check` fails on an undecided one (gate.ambiguous: fail,
the default) or warns (gate.ambiguous: warn)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli
from idtoken_migrate.migration.plan import plan_project

# A Lambda authorizer in the shape of cognitojwt users: no app client id, so no audience check.
AUTHORIZER = """\
import os

import cognitojwt

POOL = os.environ["USER_POOL"]


def authorize(event, context):
    bearer = event["authorizationToken"]
    claims = cognitojwt.decode(bearer, "eu-west-1", POOL)
    return {"principalId": claims["sub"]}
"""
CONFIG = """\
version: 1
provider: cognito
issuer: https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1
access_token: {audience: [app-client-1]}
legacy_id_token: {client_ids: [app-client-1]}
window: {sunset: 2099-01-01}
"""


def _project(tmp_path: Path, gate: str = "") -> Path:
    (tmp_path / "authorizer.py").write_text(AUTHORIZER)
    (tmp_path / "idtoken-migrate.yaml").write_text(CONFIG + gate)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_plan_lists_the_undecided_site(tmp_path: Path) -> None:
    _config, plan = plan_project(_project(tmp_path))
    (site,) = plan.undecided
    assert site.location == "authorizer.py:10"
    assert site.decides == "no audience is checked"
    assert "legacy_id_token.client_ids" in site.answer
    assert any("1 ambiguous site undecided (authorizer.py:10)" in r for r in plan.risks)
    code, out, _err = run("plan", str(tmp_path))
    assert code == 0
    assert "No ID-token verification sites found" not in out
    assert "Undecided (ambiguous) sites" in out and "authorizer.py:10" in out
    code, out, _err = run("plan", str(tmp_path), "--format", "json")
    assert '"undecided": [' in out and '"decides": "no audience is checked"' in out


@pytest.mark.parametrize(("gate", "exit_code"), [("", 1), ("gate: {ambiguous: warn}\n", 0)])
def test_check_fails_on_an_undecided_site_unless_told_to_warn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gate: str, exit_code: int
) -> None:
    monkeypatch.chdir(_project(tmp_path, gate))
    code, out, err = run("check", "--no-cache", ".")
    assert code == exit_code, out + err
    assert "1 ambiguous site undecided (authorizer.py:10)" in out + err


def test_a_wrong_gate_value_names_the_key(tmp_path: Path) -> None:
    _project(tmp_path, "gate: {ambiguous: maybe}\n")
    code, _out, err = run("plan", str(tmp_path))
    assert code == 2
    assert "idtoken-migrate.yaml:7: gate.ambiguous: 'maybe' is not one of fail, warn" in err
