"""Generated-verifier fixtures: real keys, a JWKS server on 127.0.0.1, rendered modules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from verifier_kit import (
    HS_SECRET,
    HS_SECRET_ENV,
    KILL_SWITCH_ENV,
    SCENARIOS,
    SUB_HASH_KEY,
    SUB_HASH_KEY_ENV,
    JwksServer,
    Keys,
    Route,
    make_keys,
    render_and_load,
)


@pytest.fixture(scope="session")
def keys() -> Keys:
    return make_keys()


@pytest.fixture(scope="session")
def jwks_server() -> Iterator[JwksServer]:
    server = JwksServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def module_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("generated")


@pytest.fixture(scope="session")
def provider_routes(jwks_server: JwksServer, keys: Keys) -> dict[str, str]:
    """One JWKS URL per provider, serving the RSA and EC signing keys."""
    jwks = {"keys": [keys.rsa.jwk, keys.ec.jwk]}
    return {name: jwks_server.add_route(Route(jwks=jwks), name) for name in SCENARIOS}


@pytest.fixture(scope="session")
def verifier(provider_routes: dict[str, str], module_dir: Path) -> Callable[[str, str], ModuleType]:
    """verifier(provider, variant) -> the rendered module, shared by the read-only tests."""
    cache: dict[tuple[str, str], ModuleType] = {}

    def get(provider: str, variant: str) -> ModuleType:
        if (provider, variant) not in cache:
            phase, _, legacy_alg = variant.partition("-")
            config = SCENARIOS[provider].config(
                jwks_uri=provider_routes[provider], legacy_alg=legacy_alg or "RS256"
            )
            cache[provider, variant] = render_and_load(config, phase, module_dir)
        return cache[provider, variant]

    return get


@pytest.fixture(autouse=True)
def legacy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client secret and the sub-hash key are set and the kill switch is not, unless a test
    says otherwise."""
    monkeypatch.setenv(HS_SECRET_ENV, HS_SECRET)
    monkeypatch.setenv(SUB_HASH_KEY_ENV, SUB_HASH_KEY)
    monkeypatch.delenv(KILL_SWITCH_ENV, raising=False)
