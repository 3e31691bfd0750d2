"""Two issuers (issue 15, point 1): legacy Google Sign-In ID tokens, access tokens of a generic
OIDC issuer. Each issuer has its own JWKS on 127.0.0.1 and its own real RSA key; the verifier
classifies by issuer first, then by that issuer's provider profile, and strict drops the legacy
issuer entirely.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from verifier_kit import (
    DROP,
    NOW,
    SCENARIOS,
    SUNSET,
    JwksServer,
    Keys,
    Route,
    SigningKey,
    hmac_sign,
    reject_reason,
    render_and_load,
    rsa_key,
    sign,
)

from idtoken_migrate.config import Config, LegacyIdTokenConfig
from idtoken_migrate.verifier.render import RenderError, render_verifier

GOOGLE = "https://accounts.google.com"
WEB_CLIENT = "1234567890-web.apps.googleusercontent.com"
ANDROID_CLIENT = "1234567890-android.apps.googleusercontent.com"
ACCESS = SCENARIOS["generic"]


@pytest.fixture(scope="module")
def google_key() -> SigningKey:
    return rsa_key("google-2026-05")


@pytest.fixture
def routes(jwks_server: JwksServer, keys: Keys, google_key: SigningKey) -> dict[str, str]:
    """Fresh JWKS routes per test, so request counts are the test's own."""
    return {
        "access": jwks_server.add_route(Route(jwks={"keys": [keys.rsa.jwk]}), "idp"),
        "google": jwks_server.add_route(Route(jwks={"keys": [google_key.jwk]}), "google"),
    }


def two_issuer_config(routes: dict[str, str], **legacy: Any) -> Config:
    base = ACCESS.config(jwks_uri=routes["access"])
    return dataclasses.replace(
        base,
        legacy_id_token=LegacyIdTokenConfig(
            provider="google",
            issuer=GOOGLE,
            jwks_uri=routes["google"],
            client_ids=(WEB_CLIENT,),
            authorized_parties=(ANDROID_CLIENT,),
            **legacy,
        ),
    )


@pytest.fixture
def dual(routes: dict[str, str], module_dir: Path) -> ModuleType:
    return render_and_load(two_issuer_config(routes), "dual", module_dir)


def google_claims(**changes: Any) -> dict[str, Any]:
    """A Google Sign-In ID token as an Android app sends it: aud the web client, azp its own."""
    claims: dict[str, Any] = {
        "iss": GOOGLE,
        "azp": ANDROID_CLIENT,
        "aud": WEB_CLIENT,
        "sub": "110169484474386276334",
        "email": "ada@example.com",
        "email_verified": True,
        "name": "Ada Lovelace",
        "iat": int(NOW),
        "exp": int(NOW) + 3600,
    }
    for name, value in changes.items():
        if value is DROP:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def google_token(key: SigningKey, kid: str | None = None, **claims: Any) -> str:
    header = {"alg": "RS256", "kid": kid or key.kid, "typ": "JWT"}
    return sign(header, google_claims(**claims), key)


def access_token(key: SigningKey, kid: str | None = None, **claims: Any) -> str:
    header = ACCESS.access_header(key)
    if kid:
        header["kid"] = kid
    return sign(header, ACCESS.access_claims(**claims), key)


def test_each_issuer_is_verified_with_its_own_keys(
    dual: ModuleType,
    keys: Keys,
    google_key: SigningKey,
    jwks_server: JwksServer,
    routes: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    verified = dual.verify(access_token(keys.rsa), now=NOW)
    assert verified.kind == "access_token" and verified.claims["sub"] == "user-42"
    assert jwks_server.count(routes["google"]) == 0  # an access token never touches Google's keys
    with caplog.at_level(logging.WARNING, logger=dual.LOGGER_NAME):
        for issuer in (GOOGLE, "accounts.google.com"):  # google-auth accepts both spellings
            legacy = dual.verify(google_token(google_key, iss=issuer), now=NOW)
            assert legacy.kind == "legacy_id_token" and legacy.claims["email"] == "ada@example.com"
    assert dual.legacy_acceptances() == {WEB_CLIENT: 2}
    lines = [r.getMessage() for r in caplog.records if r.name.endswith(".legacy")]
    assert any(
        f"client_id={WEB_CLIENT}" in line and "issuer=accounts.google.com" in line for line in lines
    )
    assert jwks_server.count(routes["google"]) == 1 and jwks_server.count(routes["access"]) == 1


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        # a Google-issued token signed with the access issuer's key (its kid is not Google's)
        (lambda k, g: google_token(k.rsa), "unknown_kid"),
        # ... and under Google's kid: the key is looked up in Google's JWKS only
        (lambda k, g: google_token(k.rsa, kid=g.kid), "bad_signature"),
        # an access token signed with Google's key, under either kid
        (lambda k, g: access_token(g), "unknown_kid"),
        (lambda k, g: access_token(g, kid=k.rsa.kid), "bad_signature"),
        # an attacker's key with the real kids
        (lambda k, g: google_token(rsa_key(g.kid)), "bad_signature"),
        (lambda k, g: access_token(k.attacker_rsa), "bad_signature"),
    ],
    ids=[
        "google-iss-access-key",
        "google-kid-access-key",
        "access-iss-google-key",
        "access-kid-google-key",
        "attacker-google",
        "attacker-access",
    ],
)
def test_a_token_of_one_issuer_signed_by_the_other_is_rejected(
    dual: ModuleType, keys: Keys, google_key: SigningKey, make: Any, reason: str
) -> None:
    assert reject_reason(dual, make(keys, google_key)) == reason


@pytest.mark.parametrize(
    ("iss", "reason"),
    [
        ("https://accounts.google.com/", "wrong_issuer"),  # exact, no normalization
        ("https://accounts.google.com.evil.example", "wrong_issuer"),
        ("http://accounts.google.com", "wrong_issuer"),
        (["https://accounts.google.com"], "wrong_issuer"),
        (DROP, "missing_claim"),
    ],
)
def test_issuer_confusion_is_rejected_before_any_key_is_fetched(
    dual: ModuleType,
    google_key: SigningKey,
    jwks_server: JwksServer,
    routes: dict[str, str],
    iss: Any,
    reason: str,
) -> None:
    assert reject_reason(dual, google_token(google_key, iss=iss)) == reason
    assert jwks_server.count(routes["google"]) == jwks_server.count(routes["access"]) == 0


def test_an_id_token_of_the_access_issuer_is_not_a_legacy_token(
    dual: ModuleType, keys: Keys
) -> None:
    """Legacy ID tokens come from Google only: the new issuer's ID token for the same client,
    or Google's client id as an audience at the new issuer, is refused as strict refuses it."""
    own_id = sign(ACCESS.id_header(keys.rsa), ACCESS.id_claims(), keys.rsa)
    assert reject_reason(dual, own_id) == "id_token_not_accepted"
    forged = sign(
        ACCESS.id_header(keys.rsa), ACCESS.id_claims(aud=WEB_CLIENT, nonce=DROP), keys.rsa
    )
    assert reject_reason(dual, forged) == "unrecognized_token"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"aud": "someone-else.apps.googleusercontent.com"}, "unrecognized_token"),
        ({"aud": [WEB_CLIENT, "https://api.example.com"]}, "wrong_audience"),
        ({"azp": "other-app.apps.googleusercontent.com"}, "wrong_audience"),
        ({"exp": int(NOW) - 3600}, "expired"),
        ({"sub": DROP}, "missing_claim"),
        ({"events": {"x": {}}}, "not_an_id_token"),
    ],
)
def test_google_id_tokens_get_the_legacy_rule(
    dual: ModuleType, google_key: SigningKey, changes: dict[str, Any], reason: str
) -> None:
    assert reject_reason(dual, google_token(google_key, **changes)) == reason


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "none", "typ": "JWT"},
        {"alg": "HS256", "typ": "JWT"},
        {"alg": "ES256", "typ": "JWT"},
    ],
)
def test_alg_confusion_with_the_legacy_issuer_key(
    dual: ModuleType, google_key: SigningKey, header: dict[str, Any]
) -> None:
    """HS256 keyed with Google's public key (the classic confusion), none, a foreign alg."""
    token = hmac_sign({**header, "kid": google_key.kid}, google_claims(), google_key.public_pem())
    assert reject_reason(dual, token) == "disallowed_algorithm"


def test_after_the_sunset_no_legacy_key_is_fetched(
    dual: ModuleType, google_key: SigningKey, jwks_server: JwksServer, routes: dict[str, str]
) -> None:
    later = NOW + 400 * 86400
    assert dt.datetime.fromtimestamp(later, dt.timezone.utc).date() > SUNSET
    token = google_token(google_key, iat=int(later), exp=int(later) + 60)
    assert reject_reason(dual, token, now=later) == "id_token_after_sunset"
    assert jwks_server.count(routes["google"]) == 0


def test_strict_removes_the_legacy_issuer_entirely(
    routes: dict[str, str],
    module_dir: Path,
    keys: Keys,
    google_key: SigningKey,
    jwks_server: JwksServer,
) -> None:
    config = two_issuer_config(routes)
    source = render_verifier(config, "strict")
    for gone in (GOOGLE, "accounts.google.com", routes["google"], WEB_CLIENT, "LEGACY"):
        assert gone not in source
    strict = render_and_load(config, "strict", module_dir)
    assert strict.verify(access_token(keys.rsa), now=NOW).kind == "access_token"
    for issuer in (GOOGLE, "accounts.google.com"):
        assert reject_reason(strict, google_token(google_key, iss=issuer)) in (
            "unrecognized_token",
            "unknown_kid",
        )
    assert jwks_server.count(routes["google"]) == 0


def test_one_issuer_keeps_the_single_issuer_verifier(routes: dict[str, str]) -> None:
    """Existing configs: no legacy provider/issuer/jwks_uri renders exactly what it did."""
    base = ACCESS.config(jwks_uri=routes["access"])
    same = dataclasses.replace(
        base,
        legacy_id_token=dataclasses.replace(
            base.legacy_id_token, provider="generic", issuer=base.issuer
        ),
    )
    assert render_verifier(same, "dual") == render_verifier(base, "dual")
    assert "LEGACY_ISSUERS" not in render_verifier(base, "dual")


@pytest.mark.parametrize(
    ("legacy", "message"),
    [
        ({"provider": "google"}, "legacy_id_token.provider / jwks_uri: only for"),
        ({"jwks_uri": "https://example.com/keys"}, "legacy_id_token.provider / jwks_uri: only"),
        (
            {"provider": "generic", "issuer": "https://old.example.com"},
            "legacy_id_token.jwks_uri: cannot derive",
        ),
        (
            {"provider": "google", "issuer": GOOGLE, "jwks_uri": "http://keys.example.com/"},
            "legacy_id_token.jwks_uri: expected an https:// URL",
        ),
    ],
)
def test_render_refuses_an_unclear_legacy_issuer(
    routes: dict[str, str], legacy: dict[str, Any], message: str
) -> None:
    base = ACCESS.config(jwks_uri=routes["access"])
    config = dataclasses.replace(
        base, legacy_id_token=dataclasses.replace(base.legacy_id_token, **legacy)
    )
    with pytest.raises(RenderError, match=message.replace("/", ".")):
        render_verifier(config, "dual")


def test_the_access_issuer_cannot_be_a_legacy_spelling(routes: dict[str, str]) -> None:
    base = ACCESS.config(jwks_uri=routes["access"])
    config = dataclasses.replace(
        base,
        issuer="accounts.google.com",
        legacy_id_token=dataclasses.replace(base.legacy_id_token, provider="google", issuer=GOOGLE),
    )
    with pytest.raises(RenderError, match="the access tokens' issuer"):
        render_verifier(config, "dual")
