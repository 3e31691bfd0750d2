"""Object verifiers and dependencies (issue 15 points 3 and 4) migrated end to end: an
auth0-python `TokenVerifier` Flask app, an async FastAPI app on okta-jwt-verifier's
`IDTokenVerifier` and a FastAPI app whose routes depend on fastapi-cloudauth's
`CognitoCurrentUser`, through dual, dual after the sunset and strict, with real tokens signed by
real keys, the JWKS on 127.0.0.1 and the attack tokens of the verifier tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli
from idtoken_migrate.migration.plan import MIGRATE, plan_project

from .harness import AppSpec, FixtureApp, LoadedApp, Provider, copy_app, write_migration_config
from .test_migrate_apps import KILL_SWITCH, python_sources

AUTH0 = FixtureApp(
    "flask_auth0_token_verifier",
    "auth0",
    AppSpec("flask", "app:app"),
    me_path="/api/me",
    private_path="/api/notes",
    public_path="/api/health",
    env_builder=lambda p: {
        "AUTH0_DOMAIN": p.extra_env["AUTH0_DOMAIN"],
        "AUTH0_CLIENT_ID": p.client_id,
        "AUTH0_CLIENT_SECRET": p.client_secret,
    },
)
OKTA = FixtureApp(
    "fastapi_okta_async",
    "okta",
    AppSpec("fastapi", "main:app"),
    me_path="/me",
    private_path="/stock",
    public_path="/healthz",
    env_builder=lambda p: {"OKTA_ISSUER": p.issuer, "OKTA_CLIENT_ID": p.client_id},
)
COGNITO = FixtureApp(
    "fastapi_cloudauth_cognito",
    "cognito",
    AppSpec("fastapi", "main:app"),
    me_path="/me",
    private_path="/bookings",
    public_path="/health",
    env_builder=lambda p: {"COGNITO_APP_CLIENT_ID": p.client_id},
)
APPS = {fx.name: fx for fx in (AUTH0, OKTA, COGNITO)}
# What the migration takes out of each app's code.
GONE = {
    AUTH0.name: ("TokenVerifier(", "SignatureVerifier"),
    OKTA.name: ("IDTokenVerifier(",),
    COGNITO.name: ("CognitoCurrentUser(", "import CognitoCurrentUser"),
}
ATTACKS = ("expired", "forged", "wrong_audience", "wrong_issuer", "alg_none", "hs256_public_key")


def _apply(folder: Path, phase: str) -> str:
    args = ["apply", str(folder), "--phase", phase, "--write"]
    result = CliRunner().invoke(cli, args + (["--force"] if phase == "strict" else []))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.stderr
    return result.stderr


@pytest.fixture
def opened() -> Iterator[list[LoadedApp]]:
    apps: list[LoadedApp] = []
    yield apps
    for app in apps:
        app.close()


def _migrated(
    fx: FixtureApp, p: Provider, tmp_path: Path, opened: list[LoadedApp], **config: str
) -> tuple[Path, LoadedApp]:
    folder = copy_app(fx.name, tmp_path)
    write_migration_config(folder, p, **config)
    assert "1 site(s) migrated" in _apply(folder, "dual")
    app = fx.load(p, folder=folder)
    opened.append(app)
    return folder, app


def test_legacy_token_verifier_app_accepts_its_id_tokens(providers, opened) -> None:
    """The baseline: the unmigrated auth0-python app answers an ID token, 401s the rest."""
    p = providers["auth0"]
    app = AUTH0.load(p)
    opened.append(app)
    assert app.get(AUTH0.me_path, token=p.id_token()).json()["email"] == p.email
    assert app.get(AUTH0.me_path, token=p.access_token()).status == 401
    for kind in ATTACKS:
        assert app.get(AUTH0.me_path, token=p.bad_id_tokens()[kind]).status == 401, kind


@pytest.mark.parametrize("name", sorted(APPS))
def test_plan_migrates_the_object_verifier(name: str, providers, tmp_path: Path) -> None:
    fx = APPS[name]
    folder = copy_app(name, tmp_path)
    write_migration_config(folder, providers[fx.provider])
    _config, plan = plan_project(folder)
    assert [s.action for s in plan.sites] == [MIGRATE], plan.sites
    assert not any("by hand" in step for step in plan.manual_steps), plan.manual_steps


@pytest.mark.parametrize("name", sorted(APPS))
def test_dual_accepts_both_kinds_and_rejects_attacks(
    name: str, providers, tmp_path: Path, opened
) -> None:
    fx = APPS[name]
    p = providers[fx.provider]
    folder, app = _migrated(fx, p, tmp_path, opened)
    sources = python_sources(folder)
    for gone in GONE[name]:
        assert gone not in sources
    assert app.get(fx.public_path).status == 200
    legacy = app.get(fx.me_path, token=p.id_token())
    assert legacy.status == 200, legacy.text
    assert legacy.json()["email"] == p.email
    access = app.get(fx.me_path, token=p.access_token())
    assert access.status == 200, access.text
    assert access.json()["email"] == p.email
    # CognitoClaims.username is `cognito:username`: the claim map gives it the access token's
    assert access.json().get("username", p.username) == p.username
    assert app.get(fx.private_path, token=p.access_token()).status == 200
    bad = {**p.bad_id_tokens(), **{f"access-{k}": v for k, v in p.bad_access_tokens().items()}}
    for kind, token in bad.items():
        response = app.get(fx.me_path, token=token)
        assert response.status == 401, f"{kind}: {response.status} {response.text}"
    assert app.get(fx.me_path).status == 401
    assert app.get(fx.me_path, token=p.id_token(), env={KILL_SWITCH: "1"}).status == 401
    assert app.get(fx.me_path, token=p.access_token(), env={KILL_SWITCH: "1"}).status == 200


@pytest.mark.parametrize("name", sorted(APPS))
def test_dual_after_the_sunset_refuses_id_tokens(
    name: str, providers, tmp_path: Path, opened
) -> None:
    fx = APPS[name]
    p = providers[fx.provider]
    _folder, app = _migrated(fx, p, tmp_path, opened, sunset="2020-01-01")
    assert app.get(fx.me_path, token=p.id_token()).status == 401
    assert app.get(fx.me_path, token=p.access_token()).status == 200


@pytest.mark.parametrize("name", sorted(APPS))
def test_strict_accepts_access_tokens_only(name: str, providers, tmp_path: Path, opened) -> None:
    fx = APPS[name]
    p = providers[fx.provider]
    folder = copy_app(name, tmp_path)
    write_migration_config(folder, p)
    _apply(folder, "dual")
    _apply(folder, "strict")
    app = fx.load(p, folder=folder)
    opened.append(app)
    assert app.get(fx.me_path, token=p.id_token()).status == 401
    access = app.get(fx.me_path, token=p.access_token())
    assert access.status == 200, access.text
    assert access.json()["email"] == p.email
    for kind, token in p.bad_access_tokens().items():
        assert app.get(fx.me_path, token=token).status == 401, kind
    sources = python_sources(folder)
    assert "LEGACY_CLIENT_IDS" not in sources
    if p.client_secret is not None:  # the secret fed only the removed signature verifier
        assert "AUTH0_CLIENT_SECRET" not in sources
