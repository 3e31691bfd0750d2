"""`apply --write` refuses while a claim the code reads as `x["claim"]` on a request path has no
source in the access token (an access token without it would be a 500 there), naming the claim
and the line that reads it, unless `--accept-risk unmapped-claims`."""

from __future__ import annotations

import shutil
from pathlib import Path

from samples import AUTH0_HS256_FLOW_CONFIG
from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli
from idtoken_migrate.migration.plan import plan_project

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "flask_auth0_pyjwt1_b64"
CONFIG = AUTH0_HS256_FLOW_CONFIG


def _copy(tmp_path: Path, claims: str = "") -> Path:
    folder = tmp_path / "app"
    shutil.copytree(FIXTURE, folder)
    (folder / "idtoken-migrate.yaml").write_text(CONFIG + claims)
    return folder


def _line_of(folder: Path, text: str) -> int:
    lines = (folder / "app.py").read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stderr


def test_write_refuses_naming_the_claim_and_its_line(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    before = (folder / "app.py").read_bytes()
    line = _line_of(folder, 'g.current_user["email"]')
    code, err = run("apply", str(folder), "--phase", "dual", "--write")
    assert code == 2
    assert f"unmapped claim `email` (read at app.py:{line})" in err
    assert "--accept-risk unmapped-claims" in err
    assert (folder / "app.py").read_bytes() == before and not (
        folder / "token_verifier.py"
    ).exists()
    _config, plan = plan_project(folder)  # the plan points at the read, not at the decode
    assert any(
        f"unmapped claim `email` (read at app.py:{line}; verified at app.py:" in r
        for r in plan.risks
    )
    code, _err = run("apply", str(folder), "--phase", "dual")  # the diff alone is not refused
    assert code == 0


def test_accepting_the_risk_or_mapping_the_claim_writes(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    code, err = run(
        "apply", str(folder), "--phase", "dual", "--write", "--accept-risk", "unmapped-claims"
    )
    assert code == 0, err
    mapped = _copy(tmp_path / "mapped", "claims: {email: https://example.com/email}\n")
    code, err = run("apply", str(mapped), "--phase", "dual", "--write")
    assert code == 0, err


def test_an_unknown_risk_is_a_usage_error(tmp_path: Path) -> None:
    code, err = run("apply", str(_copy(tmp_path)), "--write", "--accept-risk", "everything")
    assert code == 2 and "--accept-risk: unknown risk 'everything'" in err
