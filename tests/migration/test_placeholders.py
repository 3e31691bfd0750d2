"""A first run fails safe: plan, apply and check refuse a config that still holds a placeholder
`init` wrote (exit 2, `file:line: key: still the placeholder ...`), and init fills what the code
shows: the variable the secret is read from, the issuer behind an f-string, a client id that is
an environment default."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stderr


def _initialised(tmp_path: Path, name: str) -> tuple[Path, dict]:
    folder = tmp_path / name
    shutil.copytree(FIXTURES / name, folder)
    code, err = run("init", str(folder))
    assert code == 0, err
    return folder, yaml.safe_load((folder / "idtoken-migrate.yaml").read_text())


def test_init_fills_what_the_code_shows(tmp_path: Path) -> None:
    _folder, config = _initialised(tmp_path, "flask_auth0_hs256")
    # settings.py: ISSUER = f"https://{AUTH0_DOMAIN}/", AUTH0_DOMAIN = os.environ.get(.., "acme-..")
    assert config["issuer"] == "https://acme-prod.eu.auth0.com/"
    assert config["legacy_id_token"]["client_ids"] == ["aK3sOqh7Rz8XbLm2Vt9YcW1eFgHiJkLn"]
    assert config["legacy_id_token"]["secret_env"] == "AUTH0_CLIENT_SECRET"
    _folder, config = _initialised(tmp_path, "flask_auth0_pyjwt1_b64")
    # app.py: client_secret = os.environ["AUTH0_CLIENT_SECRET"], used inside b64decode(...)
    assert config["legacy_id_token"]["secret_env"] == "AUTH0_CLIENT_SECRET"


@pytest.mark.parametrize(
    "command", [("plan",), ("apply", "--phase", "dual"), ("apply", "--phase", "dual", "--write")]
)
def test_plan_apply_and_check_refuse_placeholders(tmp_path: Path, command: tuple[str, ...]) -> None:
    folder, _config = _initialised(tmp_path, "flask_auth0_hs256")
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    code, err = run(*command, str(folder))
    assert code == 2
    config_file = folder / "idtoken-migrate.yaml"
    line = next(
        n
        for n, text in enumerate(config_file.read_text().splitlines(), 1)
        if "YOUR_API_AUDIENCE" in text
    )
    assert err.strip() == (
        f"idtoken-migrate: error: {config_file}:{line}: access_token.audience: still the "
        "placeholder 'YOUR_API_AUDIENCE' that `idtoken-migrate init` wrote; set the real value"
    )
    assert {
        p: p.read_bytes() for p in folder.rglob("*") if p.is_file()
    } == before  # nothing written
    code, err = run("check", str(folder))
    assert code == 2 and "still the placeholder 'YOUR_API_AUDIENCE'" in err


def test_a_filled_config_passes(tmp_path: Path) -> None:
    folder, _config = _initialised(tmp_path, "flask_auth0_hs256")
    path = folder / "idtoken-migrate.yaml"
    path.write_text(path.read_text().replace("YOUR_API_AUDIENCE", "https://api.acme.example"))
    code, err = run("plan", str(folder))
    assert code == 0, err
