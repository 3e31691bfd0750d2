"""Catalogue of the legacy fixture apps and helpers to copy and load them.

Usable without pytest (see ``conftest.py`` for the fixtures and the full API overview)::

    with JwksServer() as server:
        providers = make_providers(server)
        fx = FIXTURES["flask_auth0_hs256"]
        p = providers[fx.provider]
        with fx.load(p) as app:
            assert app.get(fx.me_path, token=p.id_token()).json()["email"] == p.email
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .apploader import AppSpec, LoadedApp, Response, load_app
from .tokens import PROVIDER_NAMES, JwksServer, Provider, SigningKey, make_providers, mint

__all__ = [
    "FIXTURES",
    "FIXTURES_DIR",
    "PROVIDER_NAMES",
    "AppSpec",
    "FixtureApp",
    "JwksServer",
    "LoadedApp",
    "Provider",
    "Response",
    "SigningKey",
    "copy_app",
    "write_migration_config",
    "load_app",
    "make_providers",
    "mint",
]

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"


def _auth0_env(p: Provider) -> dict[str, str]:
    assert p.client_secret is not None
    return {
        "AUTH0_DOMAIN": p.extra_env["AUTH0_DOMAIN"],
        "AUTH0_CLIENT_ID": p.client_id,
        "AUTH0_CLIENT_SECRET": p.client_secret,
    }


def _cognito_env(p: Provider) -> dict[str, str]:
    return {"COGNITO_ISSUER": p.issuer, "COGNITO_APP_CLIENT_ID": p.client_id}


def _keycloak_env(p: Provider) -> dict[str, str]:
    server_url, _, realm = p.issuer.rpartition("/realms/")
    return {
        "KEYCLOAK_SERVER_URL": server_url,
        "KEYCLOAK_REALM": realm,
        "KEYCLOAK_CLIENT_ID": p.client_id,
    }


def _okta_env(p: Provider) -> dict[str, str]:
    return {"OKTA_ISSUER": p.issuer, "OKTA_CLIENT_ID": p.client_id}


def _generic_env(p: Provider) -> dict[str, str]:
    # No OIDC_JWKS_URI: the app goes through discovery, like in production.
    return {"OIDC_ISSUER": p.issuer, "OIDC_CLIENT_ID": p.client_id}


@dataclass(frozen=True)
class FixtureApp:
    """One legacy app under ``tests/fixtures/<name>``."""

    name: str
    provider: str  # key into make_providers()
    spec: AppSpec
    me_path: str  # returns {"email": ...} for an authenticated user
    private_path: str  # another protected route
    public_path: str  # no token needed
    env_builder: Any  # Provider -> dict of environment variables

    @property
    def folder(self) -> Path:
        return FIXTURES_DIR / self.name

    def env(self, provider: Provider) -> dict[str, str]:
        """Environment that points the app at ``provider`` (issuer, JWKS on 127.0.0.1, client
        id, secret)."""
        return dict(self.env_builder(provider))

    def load(
        self,
        provider: Provider,
        folder: str | Path | None = None,
        env: dict[str, str] | None = None,
        isolation: str | None = None,
    ) -> LoadedApp:
        """Load this app from ``folder`` (default: the pristine fixture; pass a patched copy),
        with ``self.env(provider)`` plus ``env`` overrides."""
        return load_app(
            folder or self.folder,
            self.spec,
            {**self.env(provider), **(env or {})},
            isolation,
        )


FIXTURES: dict[str, FixtureApp] = {
    f.name: f
    for f in (
        FixtureApp(
            "flask_auth0_hs256",
            "auth0",
            AppSpec("flask", "app:app"),
            me_path="/api/me",
            private_path="/api/private",
            public_path="/api/public",
            env_builder=_auth0_env,
        ),
        FixtureApp(
            "fastapi_cognito_jose",
            "cognito",
            AppSpec("fastapi", "main:app"),
            me_path="/me",
            private_path="/items",
            public_path="/health",
            env_builder=_cognito_env,
        ),
        FixtureApp(
            "django_keycloak_pyjwk",
            "keycloak",
            AppSpec("django", "keycloak_project.settings"),
            me_path="/api/profile",
            private_path="/api/profile",
            public_path="/api/health",
            env_builder=_keycloak_env,
        ),
        FixtureApp(
            "drf_okta",
            "okta",
            AppSpec("django", "okta_api.settings"),
            me_path="/api/me/",
            private_path="/api/me/",
            public_path="/api/health/",
            env_builder=_okta_env,
        ),
        FixtureApp(
            "flask_cognito_own_jwks",
            "cognito",
            AppSpec("flask", "app:app"),
            me_path="/me",
            private_path="/notes",
            public_path="/health",
            env_builder=_cognito_env,
        ),
        FixtureApp(
            "flask_authlib_oidc",
            "generic",
            AppSpec("flask", "app:app"),
            me_path="/api/me",
            private_path="/api/notes",
            public_path="/healthz",
            env_builder=_generic_env,
        ),
    )
}


def write_migration_config(folder: str | Path, provider: Provider, **kwargs: Any) -> Path:
    """Write ``folder/idtoken-migrate.yaml`` from ``provider.migration_config(**kwargs)``
    (e.g. ``sunset="2020-01-01"`` for an ID token past its sunset) and return its path."""
    import yaml

    path = Path(folder) / "idtoken-migrate.yaml"
    path.write_text(yaml.safe_dump(provider.migration_config(**kwargs), sort_keys=False))
    return path


def copy_app(name: str, dest_parent: str | Path) -> Path:
    """Copy ``tests/fixtures/<name>`` to ``dest_parent/<name>`` (without caches) and return the
    new folder, ready to be migrated in place and loaded with ``FIXTURES[name].load(p, folder)``."""
    src = FIXTURES_DIR / name
    dest = Path(dest_parent) / name
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest
