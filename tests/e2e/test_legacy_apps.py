"""Legacy behaviour of every fixture app, through the framework's real test client.

This is the baseline the migration must preserve: a valid legacy ID token is accepted and the
user's email is returned; everything else is a 401, never a 500.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .harness import FIXTURES, PROVIDER_NAMES, LoadedApp, Provider
from .tokens import TEST_EMAIL

APP_NAMES = sorted(FIXTURES)
BAD_TOKEN_NAMES = [
    "expired",
    "forged",
    "wrong_audience",
    "wrong_issuer",
    "alg_none",
    "hs256_public_key",
    "truncated_signature",
    "not_a_jwt",
]


@pytest.fixture(scope="module")
def loaded(providers: dict[str, Provider]) -> Iterator[dict[str, LoadedApp]]:
    """Each app loaded once for the module (Django ones in their own worker process)."""
    cache: dict[str, LoadedApp] = {}

    class Lazy(dict):
        def __missing__(self, name: str) -> LoadedApp:
            fx = FIXTURES[name]
            app = cache[name] = fx.load(providers[fx.provider])
            self[name] = app
            return app

    yield Lazy()
    for app in cache.values():
        app.close()


def test_every_provider_has_an_app() -> None:
    assert {fx.provider for fx in FIXTURES.values()} == set(PROVIDER_NAMES)
    for fx in FIXTURES.values():
        assert (fx.folder / "requirements.txt").is_file()
        assert (fx.folder / "README.md").is_file()


@pytest.mark.parametrize("name", APP_NAMES)
def test_public_route_needs_no_token(name: str, loaded: dict[str, LoadedApp]) -> None:
    r = loaded[name].get(FIXTURES[name].public_path)
    assert r.status == 200, r


@pytest.mark.parametrize("name", APP_NAMES)
def test_valid_id_token_returns_email(
    name: str, loaded: dict[str, LoadedApp], providers: dict[str, Provider]
) -> None:
    fx = FIXTURES[name]
    p = providers[fx.provider]
    token = p.id_token()
    r = loaded[name].get(fx.me_path, token=token)
    assert r.status == 200, r
    assert r.json()["email"] == TEST_EMAIL
    r = loaded[name].get(fx.private_path, token=token)
    assert r.status == 200, r


def test_cognito_me_returns_username(
    loaded: dict[str, LoadedApp], providers: dict[str, Provider]
) -> None:
    p = providers["cognito"]
    r = loaded["fastapi_cognito_jose"].get("/me", token=p.id_token())
    assert r.json() == {
        "email": p.email,
        "username": p.username,
        "sub": "6f9c1a2e-8a55-4d7b-9f11-0e5c1f2a3b4c",
    }


@pytest.mark.parametrize("name", APP_NAMES)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "Bearer"}, {"Authorization": "Basic YTpi"}],
    ids=["missing", "empty", "no-token", "basic"],
)
def test_missing_or_malformed_header_is_401(
    name: str, headers: dict[str, str], loaded: dict[str, LoadedApp]
) -> None:
    r = loaded[name].get(FIXTURES[name].me_path, headers=headers)
    assert r.status == 401, r


@pytest.mark.parametrize("name", APP_NAMES)
@pytest.mark.parametrize("bad", BAD_TOKEN_NAMES)
def test_bad_id_token_is_401(
    name: str, bad: str, loaded: dict[str, LoadedApp], providers: dict[str, Provider]
) -> None:
    fx = FIXTURES[name]
    token = providers[fx.provider].bad_id_tokens()[bad]
    r = loaded[name].get(fx.me_path, token=token)
    assert r.status == 401, r


@pytest.mark.parametrize("name", APP_NAMES)
def test_access_token_is_rejected_before_migration(
    name: str, loaded: dict[str, LoadedApp], providers: dict[str, Provider]
) -> None:
    """Why the migration exists: the legacy verifiers only take the ID token."""
    fx = FIXTURES[name]
    r = loaded[name].get(fx.me_path, token=providers[fx.provider].access_token())
    assert r.status == 401, r
