"""drf-jwt settings in the shape of Auth0's early Django guides (tests/corpus/SOURCES.md): the
framework's JSONWebTokenAuthentication authenticates every view, and `JWT_AUTH` (audience = the
SPA's client id, HS256 with the client secret) makes it accept the Auth0 ID token. Migrated dual
-> kill switch -> sunset -> strict and driven through Django's test client: `JWT_AUTH` hands the
token to the generated verifier, the username handler still gets `sub` and `email`."""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml

from .apploader import AppSpec, LoadedApp
from .harness import FIXTURES_DIR, Provider
from .phases import django_app, ruff_clean, run, walk

NAME = "drf_jwt_auth0"
SPEC = AppSpec("django", "shop_api.settings")
ME = "/api/me/"


def opener(p: Provider, databases: Path):
    env = {
        "AUTH0_DOMAIN": p.extra_env["AUTH0_DOMAIN"],
        "AUTH0_CLIENT_ID": p.client_id,
        "AUTH0_CLIENT_SECRET": p.client_secret or "",
    }
    count = itertools.count()

    @contextlib.contextmanager
    def opened(folder: Path, extra: dict[str, str]) -> Iterator[LoadedApp]:
        # each run its own database, set up as the README says (`manage.py migrate`)
        database = {"SQLITE_PATH": str(databases / f"db-{next(count)}.sqlite3")}
        environ = {**os.environ, **env, **database, "PYTHONDONTWRITEBYTECODE": "1"}
        done = subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"],
            cwd=folder,
            env=environ,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        with django_app(folder, SPEC, {**env, **database, **extra}, "/api/health/") as app:
            yield app

    return opened


def test_jwt_auth_settings_migrate_through_every_phase(
    tmp_path: Path, providers: dict[str, Provider]
) -> None:
    p = providers["auth0"]
    src = FIXTURES_DIR / NAME
    (tmp_path / "db").mkdir()
    seen = []
    for phase, folder in walk(
        src, tmp_path, p, ME, opener(p, tmp_path / "db"), claims=p.claims_map
    ):
        seen.append(phase)
        ruff_clean(src, folder)
        settings = (folder / "shop_api/settings.py").read_text()
        assert '"JWT_DECODE_HANDLER": "shop_api.token_verifier.verify_token"' in settings
        assert "JWT_AUDIENCE" not in settings and "JWT_SECRET_KEY" not in settings
        assert "rest_framework_jwt.authentication.JSONWebTokenAuthentication" in settings
    assert seen == ["dual", "sunset", "strict"]


API_IDENTIFIER_SETTINGS = """\
import os

API_IDENTIFIER = os.environ.get("API_IDENTIFIER", "https://api.shop.example")
AUTH0_DOMAIN = os.environ.get("AUTH0_DOMAIN", "shop.eu.auth0.com")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": (
        "rest_framework_jwt.authentication.JSONWebTokenAuthentication",
    ),
}
JWT_AUTH = {
    "JWT_PAYLOAD_GET_USERNAME_HANDLER": "shop_api.jwt_users.username_from_payload",
    "JWT_DECODE_HANDLER": "shop_api.jwt_users.decode_with_jwks",
    "JWT_ALGORITHM": "RS256",
    "JWT_AUDIENCE": API_IDENTIFIER,
    "JWT_ISSUER": f"https://{AUTH0_DOMAIN}/",
    "JWT_AUTH_HEADER_PREFIX": "Bearer",
}
"""


def test_jwt_auth_for_the_api_identifier_is_left_alone(
    tmp_path: Path, providers: dict[str, Provider]
) -> None:
    """auth0-samples' correct pattern: JWT_AUDIENCE is the API identifier, so drf-jwt already
    takes access tokens; nothing to migrate, nothing written."""
    folder = tmp_path / "api_identifier"
    (folder / "shop_api").mkdir(parents=True)
    (folder / "shop_api/__init__.py").write_text("")
    (folder / "shop_api/settings.py").write_text(API_IDENTIFIER_SETTINGS)
    cfg = providers["auth0"].migration_config()
    (folder / "idtoken-migrate.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    code, out = run("plan", str(folder))
    assert code == 0 and "No ID-token verification sites found" in out, out
    code, out = run("apply", str(folder), "--phase", "dual", "--write")
    assert code == 0 and "0 site(s) migrated" in out, out
    assert (folder / "shop_api/settings.py").read_text() == API_IDENTIFIER_SETTINGS
    assert not (folder / "shop_api/token_verifier.py").exists()
