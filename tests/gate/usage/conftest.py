"""Logs written by a real rendered dual verifier, for the `usage` tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# the verifier's test kit (keys, JWKS server, rendering) lives with the verifier tests
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "verifier"))

from verifier_kit import SUB_HASH_KEY, SUB_HASH_KEY_ENV, JwksServer, Keys, Route, make_keys  # noqa: E402

from .verifier_logs import DualApp  # noqa: E402


@pytest.fixture(scope="session")
def keys() -> Keys:
    return make_keys()


@pytest.fixture(scope="session")
def jwks_url(keys: Keys) -> Iterator[str]:
    server = JwksServer()
    yield server.add_route(Route(jwks={"keys": [keys.rsa.jwk]}), "usage")
    server.close()


@pytest.fixture(scope="session")
def dual_app(jwks_url: str, keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> DualApp:
    """An Auth0 API in the dual phase with two legacy clients (web and mobile)."""
    return DualApp(jwks_url, keys, tmp_path_factory.mktemp("usage-verifier"))


@pytest.fixture(scope="session", autouse=True)
def sub_hash_key() -> Iterator[None]:
    """One key for every verifier process, as a deployment sets it: distinct users stay distinct
    (set before any module-scoped log is written)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SUB_HASH_KEY_ENV, SUB_HASH_KEY)
        yield
