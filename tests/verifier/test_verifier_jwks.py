"""The generated verifier against a JWKS endpoint that is down, slow, broken, rotating or flooded.

Each test renders its own module (its own key cache) pointed at its own path on the server, so the
request counts are exact.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
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
    rsa_key,
    sign,
)

SCENARIO = SCENARIOS["keycloak"]


def load(module_dir: Path, jwks_uri: str, phase: str = "strict", **tuning: Any) -> ModuleType:
    config = SCENARIO.config(jwks_uri=jwks_uri)
    return render_and_load(config, phase, module_dir, tuning=fast_tuning(**tuning))


def token_for(key: Any, **header: Any) -> str:
    return sign(SCENARIO.access_header(key, **header), SCENARIO.access_claims(), key)


def served(*keys: Any) -> Route:
    return Route(jwks={"keys": [key.jwk for key in keys]})


def timed_reason(module: ModuleType, token: str) -> tuple[str, float]:
    started = time.monotonic()
    reason = reject_reason(module, token)
    return reason, time.monotonic() - started


def test_endpoint_down_fails_closed_quickly(module_dir: Path, keys: Keys) -> None:
    module = load(module_dir, closed_port_url())
    reason, elapsed = timed_reason(module, token_for(keys.rsa))
    assert reason == "jwks_unavailable"
    assert elapsed < 2.0
    # Within the refetch interval the failure is remembered: no new attempt, same answer.
    assert timed_reason(module, token_for(keys.rsa))[0] == "jwks_unavailable"
    assert module._KEYS.fetches == 1


def test_slow_endpoint_times_out(module_dir: Path, keys: Keys, jwks_server: JwksServer) -> None:
    url = jwks_server.add_route(Route(jwks=served(keys.rsa).jwks, mode="slow", delay=1.5))
    module = load(module_dir, url, http_timeout_seconds=0.3)
    reason, elapsed = timed_reason(module, token_for(keys.rsa))
    assert reason == "jwks_unavailable"
    assert elapsed < 1.2


def test_slow_drip_is_bounded_in_total(
    module_dir: Path, keys: Keys, jwks_server: JwksServer
) -> None:
    # Each byte arrives within the socket timeout, so only a total deadline stops it.
    body = json.dumps(served(keys.rsa).jwks).encode()
    url = jwks_server.add_route(Route(mode="drip", body=body, delay=0.05))
    module = load(module_dir, url, http_timeout_seconds=0.4)
    reason, elapsed = timed_reason(module, token_for(keys.rsa))
    assert reason == "jwks_unavailable"
    assert elapsed < 1.5


GARBAGE = {
    "not-json": b"<html>Service Unavailable</html>",
    "empty": b"",
    "json-list": b"[]",
    "no-keys": b'{"issuer": "x"}',
    "keys-not-a-list": b'{"keys": "rsa"}',
    "broken-rsa": b'{"keys": [{"kty": "RSA", "kid": "rsa-main-2026", "n": "!!", "e": "AQAB"}]}',
    "only-oct-key": b'{"keys": [{"kty": "oct", "kid": "rsa-main-2026", "k": "c2VjcmV0"}]}',
    "nan": b'{"keys": NaN}',
    "deep": b'{"keys": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
}


@pytest.mark.parametrize("body", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_jwks_fails_closed(
    body: bytes, module_dir: Path, keys: Keys, jwks_server: JwksServer
) -> None:
    url = jwks_server.add_route(Route(mode="body", body=body))
    assert reject_reason(load(module_dir, url), token_for(keys.rsa)) == "jwks_unavailable"


def test_http_error_fails_closed(module_dir: Path, keys: Keys, jwks_server: JwksServer) -> None:
    url = jwks_server.add_route(Route(mode="status500"))
    assert reject_reason(load(module_dir, url), token_for(keys.rsa)) == "jwks_unavailable"


def test_oversized_jwks_fails_closed(module_dir: Path, keys: Keys, jwks_server: JwksServer) -> None:
    jwks = served(keys.rsa).jwks
    jwks["padding"] = "x" * 200_000
    url = jwks_server.add_route(Route(jwks=jwks))
    module = load(module_dir, url, jwks_max_bytes=100_000)
    assert reject_reason(module, token_for(keys.rsa)) == "jwks_unavailable"


def test_redirect_is_not_followed(module_dir: Path, keys: Keys, jwks_server: JwksServer) -> None:
    target = jwks_server.add_route(served(keys.rsa))
    url = jwks_server.add_route(Route(mode="redirect", location=target))
    assert reject_reason(load(module_dir, url), token_for(keys.rsa)) == "jwks_unavailable"
    assert jwks_server.count(target) == 0


def test_recovers_after_outage(module_dir: Path, keys: Keys, jwks_server: JwksServer) -> None:
    url = jwks_server.add_route(Route(mode="status500"))
    module = load(module_dir, url, jwks_min_refetch_seconds=0.2)
    token = token_for(keys.rsa)
    assert reject_reason(module, token) == "jwks_unavailable"
    jwks_server.route(url).mode, jwks_server.route(url).jwks = "ok", served(keys.rsa).jwks
    time.sleep(0.25)
    assert module.verify(token, now=NOW).kind == "access_token"


def test_cached_keys_survive_an_outage(
    module_dir: Path, keys: Keys, jwks_server: JwksServer
) -> None:
    url = jwks_server.add_route(served(keys.rsa))
    module = load(module_dir, url, jwks_cache_seconds=0.1, jwks_min_refetch_seconds=0.1)
    token = token_for(keys.rsa)
    assert module.verify(token, now=NOW).kind == "access_token"
    jwks_server.route(url).mode = "status500"
    time.sleep(0.15)
    assert module.verify(token, now=NOW).kind == "access_token"  # stale but within max age
    assert jwks_server.count(url) == 2


def test_keys_too_old_are_dropped_during_an_outage(
    module_dir: Path, keys: Keys, jwks_server: JwksServer
) -> None:
    url = jwks_server.add_route(served(keys.rsa))
    module = load(
        module_dir,
        url,
        jwks_cache_seconds=0.1,
        jwks_min_refetch_seconds=0.1,
        jwks_max_stale_seconds=0.3,
    )
    token = token_for(keys.rsa)
    assert module.verify(token, now=NOW).kind == "access_token"
    jwks_server.route(url).mode = "status500"
    time.sleep(0.35)
    assert reject_reason(module, token) == "jwks_unavailable"


def test_key_rotation(module_dir: Path, keys: Keys, jwks_server: JwksServer) -> None:
    url = jwks_server.add_route(served(keys.rsa))
    module = load(module_dir, url, jwks_cache_seconds=0.3, jwks_min_refetch_seconds=0.1)
    old, new = token_for(keys.rsa), token_for(keys.rotated)
    assert module.verify(old, now=NOW).kind == "access_token"
    assert reject_reason(module, new) == "unknown_kid"

    # The IdP publishes the next key next to the current one, then retires the current one.
    jwks_server.route(url).jwks = served(keys.rsa, keys.rotated).jwks
    time.sleep(0.12)
    assert module.verify(new, now=NOW).kind == "access_token"  # unknown kid: one refetch
    jwks_server.route(url).jwks = served(keys.rotated).jwks
    assert module.verify(old, now=NOW).kind == "access_token"  # still cached
    time.sleep(0.32)
    assert reject_reason(module, old) == "unknown_kid"  # cache expired, key gone
    assert module.verify(new, now=NOW).kind == "access_token"


def test_unknown_kid_flood_is_rate_limited(
    module_dir: Path, keys: Keys, jwks_server: JwksServer
) -> None:
    url = jwks_server.add_route(served(keys.rsa))
    module = load(module_dir, url, jwks_min_refetch_seconds=60)
    assert module.verify(token_for(keys.rsa), now=NOW).kind == "access_token"
    assert jwks_server.count(url) == 1
    forged = [token_for(keys.attacker_rsa, kid=f"forged-{n}") for n in range(300)]
    assert {reject_reason(module, token) for token in forged} == {"unknown_kid"}
    assert jwks_server.count(url) <= 2  # at most one refetch in the interval
    assert module.verify(token_for(keys.rsa), now=NOW).kind == "access_token"


def test_concurrent_unknown_kid_flood_is_rate_limited(
    module_dir: Path, keys: Keys, jwks_server: JwksServer
) -> None:
    url = jwks_server.add_route(served(keys.rsa))
    module = load(module_dir, url, jwks_min_refetch_seconds=60)
    forged = token_for(keys.attacker_rsa, kid="forged")
    reasons: list[str] = []

    def attack() -> None:
        for _ in range(25):
            reasons.append(reject_reason(module, forged))

    threads = [threading.Thread(target=attack) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(reasons) == {"unknown_kid"} and len(reasons) == 200
    assert jwks_server.count(url) == 1  # the first lookup fetches; the rest wait or are limited


def test_key_alg_pins_the_algorithm(module_dir: Path, jwks_server: JwksServer) -> None:
    # One key, one algorithm (RFC 8725 3.1): a JWK that says RS256 does not verify PS256.
    key = rsa_key("pinned", "RS256")
    url = jwks_server.add_route(served(key))
    config = SCENARIO.config(jwks_uri=url)
    access = replace(config.access_token, algorithms=("RS256", "PS256"))
    config = replace(config, access_token=access)
    module = render_and_load(config, "strict", module_dir)
    ps256 = sign(SCENARIO.access_header(key, alg="PS256"), SCENARIO.access_claims(), key, "PS256")
    assert reject_reason(module, ps256) == "disallowed_algorithm"
    assert module.verify(token_for(key), now=NOW).kind == "access_token"


@pytest.mark.parametrize(
    "change",
    [{"use": "enc"}, {"d": "private-exponent"}, {"kid": "bad kid!"}],
    ids=["use-enc", "private-key", "bad-kid"],
)
def test_unusable_jwks_entries_are_skipped(
    change: dict[str, str], module_dir: Path, keys: Keys, jwks_server: JwksServer
) -> None:
    bad = {**keys.rsa.jwk, **change}
    url = jwks_server.add_route(Route(jwks={"keys": [bad, keys.ec.jwk]}))
    module = load(module_dir, url)
    assert module.verify(token_for(keys.ec), now=NOW).kind == "access_token"
    assert reject_reason(module, token_for(keys.rsa)) == "unknown_kid"


def test_duplicate_kid_in_jwks_is_refused(
    module_dir: Path, keys: Keys, jwks_server: JwksServer
) -> None:
    url = jwks_server.add_route(Route(jwks={"keys": [keys.rsa.jwk, keys.attacker_rsa.jwk]}))
    module = load(module_dir, url)
    assert reject_reason(module, token_for(keys.rsa)) == "jwks_unavailable"
