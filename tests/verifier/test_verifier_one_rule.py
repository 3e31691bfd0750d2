"""One token, one rule (RFC 8725 3.12), in every configuration (issue 14).

Every token is signed for real with the session's RSA/EC keys and verified against a JWKS served
on 127.0.0.1. Each test names the gap it closes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from verifier_kit import (
    NOW,
    SCENARIOS,
    Keys,
    reject_reason,
    render_and_load,
    sign,
)

from idtoken_migrate.config import AccessTokenConfig, LegacyIdTokenConfig

GENERIC = SCENARIOS["generic"]
SHARED = "shared-app"  # one registration: the API's audience is also the legacy client id


def _shared(provider: str, jwks_uri: str, **access: object):  # type: ignore[no-untyped-def]
    base = SCENARIOS[provider].config(jwks_uri=jwks_uri)
    return dataclasses.replace(
        base,
        access_token=dataclasses.replace(base.access_token, audience=(SHARED,), **access),
        legacy_id_token=dataclasses.replace(base.legacy_id_token, client_ids=(SHARED,)),
    )


def _code_flow_id_token(keys: Keys, provider: str = "generic") -> str:
    """An ID token as code flow (or a refresh) returns it: no nonce, no at_hash."""
    scenario = SCENARIOS[provider]
    claims = scenario.id_claims(aud=SHARED)
    for marker in ("nonce", "at_hash", "c_hash"):
        claims.pop(marker, None)
    return sign({"alg": "RS256", "kid": keys.rsa.kid, "typ": "JWT"}, claims, keys.rsa)


def test_attack_shared_audience_id_token_passes_as_access_token(
    keys: Keys, provider_routes: dict[str, str], module_dir: Path
) -> None:
    """The gap of point 1, as the renderer had it: no scope required, one shared audience."""
    config = _shared("generic", provider_routes["generic"], required_scopes=())
    module = render_and_load(config, "strict", module_dir)
    verified = module.verify(_code_flow_id_token(keys), now=NOW)
    assert verified.kind == "access_token"  # an ID token accepted as an access token in strict
