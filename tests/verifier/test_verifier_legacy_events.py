"""Each legacy acceptance is a structured log record and an event metrics callbacks receive."""

from __future__ import annotations

import logging
from pathlib import Path
from types import ModuleType

import pytest
from verifier_kit import NOW, SCENARIOS, Keys, render_and_load, sign, sub_hash

LEGACY_LOGGER = "idtoken_migrate.verifier.legacy"


@pytest.fixture
def dual(provider_routes: dict[str, str], module_dir: Path) -> ModuleType:
    """A fresh dual module (its own callback list), Auth0 with an RS256 legacy rule."""
    config = SCENARIOS["auth0"].config(jwks_uri=provider_routes["auth0"])
    return render_and_load(config, "dual", module_dir)


def id_token(keys: Keys, now: float = NOW, **claims: object) -> str:
    scenario = SCENARIOS["auth0"]
    return sign(scenario.id_header(keys.rsa), scenario.id_claims(now=now, **claims), keys.rsa)


def access_token(keys: Keys) -> str:
    scenario = SCENARIOS["auth0"]
    return sign(scenario.access_header(keys.rsa), scenario.access_claims(), keys.rsa)


def test_acceptance_record_has_structured_fields_and_one_readable_line(
    dual: ModuleType, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=LEGACY_LOGGER):
        dual.verify(id_token(keys), now=NOW)
    (record,) = [r for r in caplog.records if r.name == LEGACY_LOGGER]
    assert record.event == "legacy_id_token_accepted"
    assert (record.client_id, record.sub_hash) == ("AbCdEf123", sub_hash("auth0|42"))
    assert (record.issuer, record.phase) == ("https://acme.eu.auth0.com/", "dual")
    # NOW is 2026-05-28T20:26:40Z: the line carries the verification time, in UTC
    assert logging.Formatter().format(record) == (
        f"legacy ID token accepted: client_id=AbCdEf123 sub_hash={sub_hash('auth0|42')} "
        "issuer=https://acme.eu.auth0.com/ phase=dual at=2026-05-28T20:26:40Z"
    )


def test_callback_sees_each_legacy_acceptance_and_no_access_token(
    dual: ModuleType, keys: Keys
) -> None:
    seen: list[object] = []

    @dual.on_legacy_acceptance
    def count(acceptance: object) -> None:
        seen.append(acceptance)

    assert count is not None  # the decorator returns the callback
    dual.verify(access_token(keys), now=NOW)
    assert seen == []
    dual.verify(id_token(keys), now=NOW)
    dual.verify(id_token(keys, sub="auth0|7"), now=NOW + 5)
    assert [(a.client_id, a.issuer, a.phase, a.at) for a in seen] == [
        ("AbCdEf123", "https://acme.eu.auth0.com/", "dual", NOW),
        ("AbCdEf123", "https://acme.eu.auth0.com/", "dual", NOW + 5),
    ]
    assert seen[0].sub_hash != seen[1].sub_hash
    assert dual.legacy_acceptances() == {"AbCdEf123": 2}


def test_rejected_legacy_token_reaches_no_callback(dual: ModuleType, keys: Keys) -> None:
    seen: list[object] = []
    dual.on_legacy_acceptance(seen.append)
    expired = id_token(keys, now=NOW - 7200)
    with pytest.raises(dual.TokenRejected):
        dual.verify(expired, now=NOW)
    assert seen == []


def test_failing_callback_is_logged_and_the_token_still_accepted(
    dual: ModuleType, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[object] = []

    def broken(acceptance: object) -> None:
        raise RuntimeError("metrics backend down")

    dual.on_legacy_acceptance(broken)
    dual.on_legacy_acceptance(seen.append)
    with caplog.at_level(logging.WARNING, logger=dual.LOGGER_NAME):
        assert dual.verify(id_token(keys), now=NOW).kind == "legacy_id_token"
    assert len(seen) == 1  # the next callback still runs
    failures = [r for r in caplog.records if "callback" in r.getMessage()]
    assert len(failures) == 1 and failures[0].exc_info is not None


def test_strict_module_has_no_legacy_callbacks(
    provider_routes: dict[str, str], module_dir: Path
) -> None:
    config = SCENARIOS["auth0"].config(jwks_uri=provider_routes["auth0"])
    strict = render_and_load(config, "strict", module_dir)
    assert not hasattr(strict, "on_legacy_acceptance")
    assert not hasattr(strict, "LegacyAcceptance")
