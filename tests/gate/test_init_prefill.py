"""`init` prefills what the scan knows, even when values live in another module."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from idtoken_migrate.cli import app

AUTH = """\
import jwt
from flask import request

import settings


def current_user():
    token = request.headers["Authorization"].split()[1]
    return jwt.decode(
        token,
        settings.AUTH0_CLIENT_SECRET,
        algorithms=settings.ALGORITHMS,
        audience=settings.AUTH0_CLIENT_ID,
    )
"""


def test_client_secret_key_prefills_hs256_and_the_secret_variable(tmp_path: Path) -> None:
    (tmp_path / "auth.py").write_text(AUTH)
    (tmp_path / "settings.py").write_text('ALGORITHMS = ["HS256"]\n')
    result = CliRunner().invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((tmp_path / "idtoken-migrate.yaml").read_text())
    assert config["provider"] == "auth0"
    assert config["legacy_id_token"]["algorithms"] == ["HS256"]
    assert config["legacy_id_token"]["secret_env"] == "AUTH0_CLIENT_SECRET"


def test_literal_algorithms_behind_a_constant_are_used(tmp_path: Path) -> None:
    (tmp_path / "auth.py").write_text(
        AUTH.replace("import settings\n", 'ALGS = ["RS256"]\n')
        .replace("settings.AUTH0_CLIENT_SECRET", "public_key")
        .replace("settings.ALGORITHMS", "ALGS")
    )
    result = CliRunner().invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((tmp_path / "idtoken-migrate.yaml").read_text())
    assert config["legacy_id_token"]["algorithms"] == ["RS256"]
    assert config["legacy_id_token"]["secret_env"] is None


def test_secret_variable_is_certain_only_when_read_from_the_environment(tmp_path: Path) -> None:
    (tmp_path / "auth.py").write_text(AUTH)
    (tmp_path / "settings.py").write_text('ALGORITHMS = ["HS256"]\n')
    CliRunner().invoke(app, ["init", str(tmp_path)])
    text = (tmp_path / "idtoken-migrate.yaml").read_text()
    assert "secret_env: AUTH0_CLIENT_SECRET  # TODO" in text  # a settings name: a guess

    env_read = AUTH.replace(
        "settings.AUTH0_CLIENT_SECRET", 'os.environ["SPA_CLIENT_SECRET"]'
    ).replace("import jwt\n", "import os\n\nimport jwt\n")
    (tmp_path / "auth.py").write_text(env_read)
    CliRunner().invoke(app, ["init", str(tmp_path), "--force"])
    text = (tmp_path / "idtoken-migrate.yaml").read_text()
    assert "secret_env: SPA_CLIENT_SECRET\n" in text
