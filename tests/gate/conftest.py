"""Shared pieces for the gate tests: a realistic legacy app and a CLI runner."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from idtoken_migrate.cli import app

REPO = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = REPO / "tests" / "schemas" / "sarif-schema-2.1.0.json"

# The classic legacy pattern: an HS256 ID token signed with the client secret, audience = client id,
# read from the Authorization header in a Flask decorator.
AUTH_PY = textwrap.dedent(
    """\
    from functools import wraps

    import jwt
    from flask import g, jsonify, request

    from app import settings


    def requires_auth(f):
        @wraps(f)
        def decorated(*args, **kwargs):
            auth = request.headers["Authorization"]
            token = auth.split(" ", 1)[1]
            try:
                payload = jwt.decode(
                    token,
                    settings.AUTH0_CLIENT_SECRET,
                    algorithms=["HS256"],
                    audience=settings.AUTH0_CLIENT_ID,
                )
            except jwt.InvalidTokenError:
                return jsonify({"error": "invalid token"}), 401
            g.user_email = payload["email"]
            return f(*args, **kwargs)

        return decorated
    """
)

# A second site elsewhere: an admin API that decodes the bearer token without verifying it.
ADMIN_PY = textwrap.dedent(
    """\
    import jwt
    from flask import request


    def current_admin():
        token = request.headers["Authorization"].removeprefix("Bearer ")
        claims = jwt.decode(token, options={"verify_signature": False})
        return claims["sub"]
    """
)

SETTINGS_PY = textwrap.dedent(
    """\
    import os

    AUTH0_CLIENT_ID = os.environ["AUTH0_CLIENT_ID"]
    AUTH0_CLIENT_SECRET = os.environ["AUTH0_CLIENT_SECRET"]
    """
)

VALID_CONFIG = textwrap.dedent(
    """\
    version: 1
    provider: auth0
    issuer: https://example.eu.auth0.com/
    access_token:
      audience: https://api.example.com
      algorithms: [RS256]
    legacy_id_token:
      client_ids: [AbCdEf123]
      algorithms: [HS256]
      secret_env: AUTH0_CLIENT_SECRET
    window:
      sunset: 2027-03-01
    claims:
      email: https://example.com/email
    """
)


def write_legacy_app(root: Path, *, admin: bool = True) -> Path:
    (root / "app").mkdir(parents=True, exist_ok=True)
    (root / "app" / "__init__.py").write_text("", encoding="utf-8")
    (root / "app" / "settings.py").write_text(SETTINGS_PY, encoding="utf-8")
    (root / "app" / "auth.py").write_text(AUTH_PY, encoding="utf-8")
    if admin:
        (root / "app" / "admin.py").write_text(ADMIN_PY, encoding="utf-8")
    return root


@pytest.fixture
def legacy_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A legacy Flask project in the working directory (no config file, no cache)."""
    monkeypatch.chdir(tmp_path)
    return write_legacy_app(tmp_path)


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli() -> Callable[..., Run]:
    runner = CliRunner()

    def invoke(*args: str) -> Run:
        result = runner.invoke(app, list(args), catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return invoke
