"""The plan lists the app's own hand-outs of the ID token as required steps with the change, and
as a risk; `--format json` has them under `handouts` (issue 13 point 6)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli
from idtoken_migrate.migration.plan import plan_project

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "fastapi_cognito_cookie"


def initialised(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    shutil.copytree(FIXTURE, root)
    result = CliRunner().invoke(cli, ["init", str(root)])
    assert result.exit_code == 0, result.output
    return root


def test_the_login_callback_is_a_required_step(tmp_path: Path) -> None:
    root = initialised(tmp_path)
    for phase in ("dual", "strict"):
        _, plan = plan_project(root, phase=phase)
        [handout] = plan.handouts
        assert (handout.path, handout.symbol, handout.sink, handout.name) == (
            "main.py",
            "login_callback",
            "cookie",
            "id_token",
        )
        assert handout.access == 'tokens["access_token"]'
        step = plan.manual_steps[0]
        assert step.startswith("required: main.py:")
        assert (
            "in login_callback: hands out the provider's ID token as the cookie `id_token`" in step
        )
        assert 'Hand out the access token instead: `tokens["access_token"]`' in step
        assert any("hands out the ID token itself (main.py:" in r for r in plan.risks)


def test_json_and_markdown(tmp_path: Path) -> None:
    root = initialised(tmp_path)
    result = CliRunner().invoke(cli, ["plan", str(root), "--format", "json"])
    data = json.loads(result.stdout)
    [handout] = data["handouts"]
    assert handout["sink"] == "cookie" and handout["access_token"] == 'tokens["access_token"]'
    assert handout["change"] in data["manual_steps"][0]
    markdown = CliRunner().invoke(cli, ["plan", str(root), "--format", "markdown"]).stdout
    assert "- [ ] required: main.py:" in markdown


def test_no_hand_out_is_reported_without_an_id_token_bearer_site(tmp_path: Path) -> None:
    root = initialised(tmp_path)
    (root / "auth.py").write_text("def current_user(request):\n    return None\n")
    _, plan = plan_project(root)
    assert plan.handouts == ()
