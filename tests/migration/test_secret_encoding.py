"""secret_encoding traced from the key expression: init fills it, the config checks it, the plan
warns when the code decodes the secret otherwise than the config says."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli
from idtoken_migrate.config.file import ConfigError, load_config
from idtoken_migrate.migration.plan import plan_project
from idtoken_migrate.scan.keytrace import secret_encoding

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "flask_auth0_pyjwt1_b64"


@pytest.mark.parametrize(
    ("expression", "encoding"),
    [
        ('base64.b64decode(client_secret.replace("_", "/").replace("-", "+"))', "base64url"),
        ('b64decode(secret.replace(b"-", b"+").replace(b"_", b"/"))', "base64url"),
        ('base64.urlsafe_b64decode(os.environ["AUTH0_CLIENT_SECRET"])', "base64url"),
        ('base64.b64decode(secret, altchars=b"-_")', "base64url"),
        ("base64.b64decode(settings.SECRET)", "base64"),
        ('base64.b64decode(secret.replace("_", "/"))', "base64"),  # half a swap: not base64url
        ('os.environ["SECRET"].encode("utf-8")', "raw"),
        ('bytes(secret, "utf-8")', "raw"),
        ("settings.CLIENT_SECRET", None),  # bound elsewhere: not known from here
        ("prepare_secret(secret)", None),
        ("not python (", None),
    ],
)
def test_trace(expression: str, encoding: str | None) -> None:
    assert secret_encoding(expression) == encoding


def _config(tmp_path: Path, encoding: str) -> Path:
    path = tmp_path / "idtoken-migrate.yaml"
    path.write_text(
        "version: 1\nprovider: auth0\nissuer: https://t.eu.auth0.com/\n"
        "access_token: {audience: https://api.example, algorithms: [RS256]}\n"
        "legacy_id_token:\n  client_ids: [spa-client]\n  algorithms: [HS256]\n"
        f"  secret_env: AUTH0_CLIENT_SECRET\n  secret_encoding: {encoding}\n"
        "window: {sunset: 2099-01-01}\n"
    )
    return path


def test_config_key(tmp_path: Path) -> None:
    path = _config(tmp_path, "base64url")
    assert load_config(path, tmp_path).legacy_id_token.secret_encoding == "base64url"
    path = _config(tmp_path, "hex")
    with pytest.raises(ConfigError) as error:
        load_config(path, tmp_path)
    assert str(error.value).endswith(
        "idtoken-migrate.yaml:9: legacy_id_token.secret_encoding: 'hex' is not one of raw, "
        "base64, base64url"
    )


def test_init_fills_it_from_the_code(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    shutil.copytree(FIXTURE, folder)
    result = CliRunner().invoke(cli, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    config = (folder / "idtoken-migrate.yaml").read_text()
    assert "  secret_encoding: base64url  # traced from the key expression\n" in config


def test_plan_warns_when_the_config_disagrees_with_the_code(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    shutil.copytree(FIXTURE, folder)
    _config(folder, "raw")
    _config_, plan = plan_project(folder)
    warning = [r for r in plan.risks if "secret_encoding is raw" in r]
    assert warning and "app.py:33: the code decodes the client secret as base64url" in warning[0]
    _config(folder, "base64url")
    _config_, plan = plan_project(folder)
    assert not [r for r in plan.risks if "secret_encoding" in r]
