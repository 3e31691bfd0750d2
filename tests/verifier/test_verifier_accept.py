"""What the generated verifier accepts: access tokens, and legacy ID tokens in the window."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from types import ModuleType

import pytest
from verifier_kit import (
    EMAIL_CLAIM,
    HS_SECRET,
    HS_SECRET_ENV,
    KILL_SWITCH_ENV,
    NOW,
    SCENARIOS,
    SUNSET,
    VARIANTS,
    Keys,
    hmac_sign,
    reject_reason,
    sign,
    sub_hash,
)

Verifier = Callable[[str, str], ModuleType]
SUNSET_START = dt.datetime.combine(SUNSET, dt.time(), dt.timezone.utc).timestamp()
LEGACY_ALGS = ("RS256", "HS256")


def legacy_id_token(provider: str, keys: Keys, legacy_alg: str, now: float = NOW) -> str:
    scenario = SCENARIOS[provider]
    if legacy_alg == "HS256":
        header = {"alg": "HS256", "typ": "JWT"}
        return hmac_sign(header, scenario.id_claims(now=now), HS_SECRET.encode())
    return sign(scenario.id_header(keys.rsa), scenario.id_claims(now=now), keys.rsa)


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("provider", SCENARIOS)
def test_valid_access_token_is_accepted(
    provider: str, variant: str, alg: str, verifier: Verifier, keys: Keys
) -> None:
    scenario = SCENARIOS[provider]
    key = keys.rsa if alg == "RS256" else keys.ec
    token = sign(scenario.access_header(key), scenario.access_claims(), key)
    verified = verifier(provider, variant).verify(token, now=NOW)
    assert verified.kind == "access_token"
    assert verified.claims["sub"] == scenario.access["sub"]
    assert verified.claims["iss"] == scenario.issuer
    # claims: email -> where the access token carries it
    assert verified.claims["email"] == scenario.access[EMAIL_CLAIM]


@pytest.mark.parametrize("provider", SCENARIOS)
def test_access_token_within_leeway_is_accepted(
    provider: str, verifier: Verifier, keys: Keys
) -> None:
    scenario, module = SCENARIOS[provider], verifier(provider, "strict")
    token = sign(scenario.access_header(keys.rsa), scenario.access_claims(), keys.rsa)
    assert module.verify_token(token, now=NOW + 3600 + 59)["sub"]  # exp + 59 s < leeway 60
    assert reject_reason(module, token, now=NOW + 3600 + 60) == "expired"
    assert module.verify_token(token, now=NOW - 59)["sub"]  # iat 59 s ahead of our clock
    assert reject_reason(module, token, now=NOW - 61) == "issued_in_future"


def test_bytes_token_and_the_verify_token_shortcut(verifier: Verifier, keys: Keys) -> None:
    scenario = SCENARIOS["okta"]
    token = sign(scenario.access_header(keys.rsa), scenario.access_claims(), keys.rsa)
    module = verifier("okta", "strict")
    assert module.verify_token(token.encode("ascii"), now=NOW)["cid"] == scenario.client


def test_typ_comparison_ignores_case_and_application_prefix(verifier: Verifier, keys: Keys) -> None:
    scenario, module = SCENARIOS["generic"], verifier("generic", "strict")
    for typ in ("AT+JWT", "application/at+jwt"):
        token = sign(scenario.access_header(keys.rsa, typ=typ), scenario.access_claims(), keys.rsa)
        assert module.verify(token, now=NOW).kind == "access_token"


@pytest.mark.parametrize("legacy_alg", LEGACY_ALGS)
@pytest.mark.parametrize("provider", SCENARIOS)
def test_legacy_id_token_lifecycle(
    provider: str,
    legacy_alg: str,
    verifier: Verifier,
    keys: Keys,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    dual = verifier(provider, f"dual-{legacy_alg}")
    strict = verifier(provider, "strict")
    token = legacy_id_token(provider, keys, legacy_alg)
    client = SCENARIOS[provider].client
    subject = SCENARIOS[provider].id_token["sub"]

    # Dual, before the sunset: accepted, counted, logged without the token or the subject.
    before = dual.legacy_acceptances().get(client, 0)
    with caplog.at_level(logging.INFO, logger=dual.LOGGER_NAME):
        verified = dual.verify(token, now=NOW)
    assert verified.kind == "legacy_id_token"
    assert verified.claims["email"] == "ada@example.com"
    assert dual.legacy_acceptances()[client] == before + 1
    records = [r for r in caplog.records if r.name == "idtoken_migrate.verifier.legacy"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert client in message
    assert f"sub_hash={sub_hash(subject)}" in message  # keyed: a guessed sub cannot be confirmed
    assert hashlib.sha256(subject.encode()).hexdigest()[:16] not in message
    assert token not in message and subject not in message
    assert token.split(".")[2] not in caplog.text

    # The last second before the sunset day (UTC) still passes; the sunset day does not.
    last_second = legacy_id_token(provider, keys, legacy_alg, now=SUNSET_START - 1)
    assert dual.verify(last_second, now=SUNSET_START - 1).kind == "legacy_id_token"
    after = legacy_id_token(provider, keys, legacy_alg, now=SUNSET_START)
    assert reject_reason(dual, after, now=SUNSET_START) == "id_token_after_sunset"
    later = legacy_id_token(provider, keys, legacy_alg, now=SUNSET_START + 86400 * 40)
    assert reject_reason(dual, later, now=SUNSET_START + 86400 * 40) == "id_token_after_sunset"

    # The kill switch ends it early.
    monkeypatch.setenv(KILL_SWITCH_ENV, "1")
    assert reject_reason(dual, token) == "id_token_disabled"
    monkeypatch.delenv(KILL_SWITCH_ENV)
    assert dual.verify(token, now=NOW).kind == "legacy_id_token"

    # Strict: never.
    assert reject_reason(strict, token) in ("id_token_not_accepted", "disallowed_algorithm")
    if legacy_alg == "RS256":
        assert reject_reason(strict, token) == "id_token_not_accepted"


@pytest.mark.parametrize("provider", SCENARIOS)
def test_missing_client_secret_fails_closed(
    provider: str, verifier: Verifier, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(HS_SECRET_ENV)
    module = verifier(provider, "dual-HS256")
    token = legacy_id_token(provider, keys, "HS256")
    assert reject_reason(module, token) == "legacy_secret_unavailable"


def test_pem_as_client_secret_is_refused(
    verifier: Verifier, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    # If an operator puts the public key where the secret belongs, PyJWT's guard holds.
    pem = keys.rsa.public_pem()
    monkeypatch.setenv(HS_SECRET_ENV, pem.decode())
    scenario = SCENARIOS["auth0"]
    token = hmac_sign({"alg": "HS256", "typ": "JWT"}, scenario.id_claims(), pem)
    assert reject_reason(verifier("auth0", "dual-HS256"), token) == "legacy_secret_unavailable"


def test_id_token_without_nonce_is_still_legacy_in_dual(verifier: Verifier, keys: Keys) -> None:
    # Auth0 ID tokens from flows without a nonce: aud = the legacy client id is enough.
    scenario = SCENARIOS["auth0"]
    claims = scenario.id_claims()
    del claims["nonce"]
    token = sign(scenario.id_header(keys.rsa), claims, keys.rsa)
    assert verifier("auth0", "dual-RS256").verify(token, now=NOW).kind == "legacy_id_token"
    assert reject_reason(verifier("auth0", "strict"), token) == "unrecognized_token"
