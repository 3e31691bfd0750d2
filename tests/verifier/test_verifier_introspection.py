"""Opaque access tokens by introspection (RFC 7662; issue 15, point 2).

A local introspection endpoint on 127.0.0.1 answers as Keycloak and Okta do (client_secret_basic,
form-encoded POST, a JSON answer); the tests make it answer valid, inactive, for another API,
expired, not at all, slowly, with broken JSON, with a huge body, with a redirect, and flood it
with distinct tokens. Every failure must be a rejection (TokenRejected, a 401), never an accept.
"""

from __future__ import annotations

import base64
import dataclasses
import tracemalloc
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from introspection_server import IntrospectionServer
from verifier_kit import (
    NOW,
    SCENARIOS,
    JwksServer,
    Keys,
    Route,
    closed_port_url,
    fast_tuning,
    reject_reason,
    render_and_load,
    sign,
)

from idtoken_migrate.config import AccessTokenConfig
from idtoken_migrate.verifier.render import RenderError, render_verifier

KEYCLOAK = SCENARIOS["keycloak"]
CLIENT_ID_ENV = "TEST_INTROSPECTION_CLIENT_ID"
SECRET_ENV = "TEST_INTROSPECTION_SECRET"
API_CLIENT, API_SECRET = "orders-api", "s3cret:with/odd chars"


@pytest.fixture
def endpoint() -> Iterator[IntrospectionServer]:
    server = IntrospectionServer()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def client_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CLIENT_ID_ENV, API_CLIENT)
    monkeypatch.setenv(SECRET_ENV, API_SECRET)


def introspection_config(url: str, jwks_uri: str, **access: Any) -> Any:
    base = KEYCLOAK.config(jwks_uri=jwks_uri)
    settings: dict[str, Any] = {
        "audience": (KEYCLOAK.api,),
        "required_scopes": ("read",),
        "validation": "introspection",
        "introspection_endpoint": url,
        "introspection_client_id_env": CLIENT_ID_ENV,
        "introspection_client_secret_env": SECRET_ENV,
        "introspection_cache_seconds": 300,
        **access,
    }
    return dataclasses.replace(base, access_token=AccessTokenConfig(**settings))


Load = Callable[..., ModuleType]


@pytest.fixture
def load(
    endpoint: IntrospectionServer, jwks_server: JwksServer, keys: Keys, module_dir: Path
) -> Load:
    jwks = jwks_server.add_route(Route(jwks={"keys": [keys.rsa.jwk]}), "keycloak-introspect")

    def make(phase: str = "strict", url: str | None = None, **tuning: Any) -> ModuleType:
        config = introspection_config(url or endpoint.url, jwks)
        return render_and_load(config, phase, module_dir, tuning=fast_tuning(**tuning))

    return make


def active(**changes: Any) -> dict[str, Any]:
    """Keycloak's answer for an active access token of the API."""
    answer = {
        "active": True,
        "token_type": "Bearer",
        "typ": "Bearer",
        "iss": KEYCLOAK.issuer,
        "aud": ["orders-api", "account"],
        "azp": "web-frontend",
        "client_id": "web-frontend",
        "sub": "f3b9c2d4-1111-4000-8000-000000000002",
        "scope": "openid email read",
        "https://example.com/email": "ada@example.com",
        "iat": int(NOW) - 60,
        "exp": int(NOW) + 600,
    }
    answer.update(changes)
    return {k: v for k, v in answer.items() if v is not None}


def test_an_active_token_is_accepted_and_its_answer_cached(
    load: Load, endpoint: IntrospectionServer
) -> None:
    verifier = load()
    endpoint.answers["opaque-1"] = active()
    verified = verifier.verify("opaque-1", now=NOW)
    assert verified.kind == "access_token" and verified.claims["email"] == "ada@example.com"
    call = endpoint.calls[0]
    assert call["form"] == {"token": ["opaque-1"], "token_type_hint": ["access_token"]}
    user, _, password = base64.b64decode(call["authorization"].split()[1]).decode().partition(":")
    assert urllib.parse.unquote(user) == API_CLIENT
    assert urllib.parse.unquote(password) == API_SECRET  # client_secret_basic, form-encoded
    for _ in range(3):
        assert verifier.verify_token("opaque-1", now=NOW + 10)["sub"] == active()["sub"]
    assert len(endpoint.calls) == 1  # cached: one call for four verifications
    assert "opaque-1" not in repr(verifier._INTROSPECTION._cache)  # keyed by the token's hash


def test_the_cache_never_outlives_exp_or_the_configured_maximum(
    load: Load, endpoint: IntrospectionServer
) -> None:
    verifier = load()
    endpoint.answers["short"] = active(exp=int(NOW) + 30)
    endpoint.answers["long"] = active(exp=int(NOW) + 86400)
    verifier.verify("short", now=NOW)
    verifier.verify("long", now=NOW)
    endpoint.answers["short"] = endpoint.answers["long"] = {"active": False}  # revoked since
    assert reject_reason(verifier, "short", now=NOW + 31) == "inactive_token"  # exp passed
    assert verifier.verify("long", now=NOW + 299).kind == "access_token"
    assert reject_reason(verifier, "long", now=NOW + 301) == "inactive_token"  # cache max 300s
    assert len(endpoint.calls) == 4


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"active": False}, "inactive_token"),
        (active(active="true"), "inactive_token"),  # a string is not the boolean true
        (active(active=None), "inactive_token"),
        (active(aud="billing-api", client_id="billing-web", azp="billing-web"), "wrong_audience"),
        (active(aud=None), "missing_claim"),
        (active(exp=int(NOW) - 120), "expired"),
        (active(exp=None), "missing_claim"),
        (active(exp="tomorrow"), "invalid_claim"),
        (active(nbf=int(NOW) + 3600), "not_yet_valid"),
        (active(iss="https://sso.example.com/realms/other"), "wrong_issuer"),
        (active(token_type="refresh_token"), "wrong_type"),
        (active(typ="ID", token_type=None), "wrong_type"),  # Keycloak describes an ID token
        (active(typ="Refresh"), "wrong_type"),
        (active(nonce="n-1", typ=None, token_type=None), "wrong_type"),
        (active(scope="openid email"), "insufficient_scope"),
    ],
)
def test_answers_that_are_not_an_active_access_token_for_this_api(
    load: Load, endpoint: IntrospectionServer, answer: dict[str, Any], reason: str
) -> None:
    verifier = load()
    endpoint.answers["t"] = answer
    assert reject_reason(verifier, "t") == reason


@pytest.mark.parametrize("mode", ["status500", "malformed", "huge", "redirect", "array"])
def test_a_broken_endpoint_is_a_rejection(
    load: Load, endpoint: IntrospectionServer, mode: str
) -> None:
    verifier = load()
    endpoint.answers["t"] = active()
    endpoint.mode = mode
    assert reject_reason(verifier, "t") == "introspection_unavailable"
    assert len(endpoint.calls) == 1  # the redirect is not followed


def test_an_outage_and_a_slow_endpoint_are_rejections(
    load: Load, endpoint: IntrospectionServer
) -> None:
    down = load(url=closed_port_url())
    assert reject_reason(down, "t") == "introspection_unavailable"
    slow = load(http_timeout_seconds=0.3)
    endpoint.answers["t"] = active()
    endpoint.mode, endpoint.delay = "slow", 1.5
    assert reject_reason(slow, "t") == "introspection_unavailable"


def test_missing_client_credentials_are_a_rejection(
    load: Load, endpoint: IntrospectionServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    verifier = load()
    endpoint.answers["t"] = active()
    monkeypatch.delenv(SECRET_ENV)
    assert reject_reason(verifier, "t") == "introspection_unavailable"
    assert endpoint.calls == []  # never called without credentials


def test_a_flood_of_distinct_tokens_costs_bounded_calls_and_memory(
    load: Load, endpoint: IntrospectionServer
) -> None:
    verifier = load(introspection_calls_per_second=5.0, introspection_cache_size=50)
    for index in range(300):
        endpoint.answers[f"flood-{index}"] = active(sub=f"user-{index}")
    tracemalloc.start()
    accepted = rejected = 0
    for index in range(300):
        try:
            verifier.verify(f"flood-{index}", now=NOW)
            accepted += 1
        except verifier.TokenRejected as error:
            assert error.reason == "introspection_unavailable"
            rejected += 1
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(endpoint.calls) == verifier._INTROSPECTION.calls == accepted
    assert accepted <= 5 + 5 * 30  # the burst, then the rate (a generous bound on elapsed time)
    assert rejected > 0 and len(verifier._INTROSPECTION._cache) <= 50
    assert peak < 5_000_000


def test_dual_sends_legacy_id_tokens_to_the_legacy_rule_and_the_rest_to_the_issuer(
    load: Load, endpoint: IntrospectionServer, keys: Keys
) -> None:
    verifier = load("dual")
    id_token = sign(KEYCLOAK.id_header(keys.rsa), KEYCLOAK.id_claims(), keys.rsa)
    assert verifier.verify(id_token, now=NOW).kind == "legacy_id_token"
    forged = sign(KEYCLOAK.id_header(keys.rsa), KEYCLOAK.id_claims(), keys.attacker_rsa)
    assert reject_reason(verifier, forged) == "bad_signature"
    assert endpoint.calls == []  # ID tokens are never sent to the introspection endpoint
    endpoint.answers["opaque"] = active()
    assert verifier.verify("opaque", now=NOW).kind == "access_token"
    jwt_access = sign(KEYCLOAK.access_header(keys.rsa), KEYCLOAK.access_claims(), keys.rsa)
    assert reject_reason(verifier, jwt_access) == "inactive_token"  # the issuer decides


def test_strict_introspection_renders_no_jwks_and_refuses_id_tokens(
    load: Load, endpoint: IntrospectionServer, keys: Keys
) -> None:
    verifier = load("strict")
    assert not hasattr(verifier, "_KEYS") and not hasattr(verifier, "JWKS_URI")
    id_token = sign(KEYCLOAK.id_header(keys.rsa), KEYCLOAK.id_claims(), keys.rsa)
    endpoint.answers[id_token] = active(typ="ID", token_type=None, aud="web-frontend")
    assert reject_reason(verifier, id_token) == "wrong_type"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"introspection_endpoint": "http://idp.example.com/introspect"}, "https"),
        ({"introspection_client_secret_env": "not a name"}, "environment variable"),
        ({"require_at_jwt": True}, "opaque tokens"),
    ],
)
def test_render_refuses_an_unsafe_introspection_config(
    endpoint: IntrospectionServer, changes: dict[str, Any], message: str
) -> None:
    config = introspection_config(endpoint.url, "https://sso.example.com/certs", **changes)
    with pytest.raises(RenderError, match=message):
        render_verifier(config, "dual")
