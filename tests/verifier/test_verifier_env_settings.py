"""issuer_env, access_token.audience_env, legacy_id_token.client_ids_env: the verifier reads the
variables the app reads, once at start-up (import), the config's values being the defaults. A
deployment configured by its environment (a staging user pool, another tenant) gets its own
issuer, keys and client ids; the defaults are then refused. Real RSA keys, JWKS on 127.0.0.1."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import ModuleType

import pytest
from verifier_kit import (
    NOW,
    SCENARIOS,
    JwksServer,
    Keys,
    Route,
    SigningKey,
    reject_reason,
    render_and_load,
    rsa_key,
    sign,
)

from idtoken_migrate.config import Config
from idtoken_migrate.verifier.render import RenderError, render_verifier

ISSUER_ENV = "APP_COGNITO_ISSUER"
CLIENT_ENV = "APP_COGNITO_CLIENT_ID"
AUDIENCE_ENV = "APP_AUTH0_AUDIENCE"
JWKS_PATH = "/.well-known/jwks.json"


@pytest.fixture(scope="module")
def staging_key() -> SigningKey:
    return rsa_key("staging-kid")


@pytest.fixture(scope="module")
def pools(jwks_server: JwksServer, keys: Keys, staging_key: SigningKey) -> dict[str, str]:
    """Two Cognito-like issuers on 127.0.0.1, each with its own signing key under its URL."""
    issuers = {}
    for name, key in (("prod", keys.rsa), ("staging", staging_key)):
        path = f"/env-settings/{name}-pool"
        jwks_server.routes[path + JWKS_PATH] = Route(jwks={"keys": [key.jwk]})
        issuers[name] = jwks_server.url(path)
    return issuers


def cognito_config(pools: dict[str, str], **env: str) -> Config:
    config = SCENARIOS["cognito"].config(jwks_uri=pools["prod"] + JWKS_PATH)
    return dataclasses.replace(
        config,
        issuer=pools["prod"],
        issuer_env=env.get("issuer"),
        access_token=dataclasses.replace(config.access_token, audience_env=env.get("client")),
        legacy_id_token=dataclasses.replace(
            config.legacy_id_token, client_ids_env=env.get("client")
        ),
    )


def load(config: Config, directory: Path, phase: str = "dual") -> ModuleType:
    return render_and_load(config, phase, directory)


def access(issuer: str, key: SigningKey, client: str | None = None) -> str:
    scenario = SCENARIOS["cognito"]
    changes = {"iss": issuer} | ({"client_id": client} if client else {})
    return sign(scenario.access_header(key), scenario.access_claims(**changes), key)


def id_token(issuer: str, key: SigningKey, client: str | None = None) -> str:
    scenario = SCENARIOS["cognito"]
    changes = {"iss": issuer} | ({"aud": client} if client else {})
    return sign(scenario.id_header(key), scenario.id_claims(**changes), key)


def test_a_staging_issuer_set_by_env_is_accepted_and_the_default_refused(
    pools: dict[str, str], keys: Keys, staging_key: SigningKey, module_dir: Path, monkeypatch
) -> None:
    monkeypatch.setenv(ISSUER_ENV, pools["staging"])
    module = load(cognito_config(pools, issuer=ISSUER_ENV), module_dir)
    assert pools["staging"] == module.ISSUER
    assert pools["staging"] + JWKS_PATH == module.JWKS_URI  # the staging pool's own keys
    assert module.verify(access(pools["staging"], staging_key), now=NOW).kind == "access_token"
    verified = module.verify(id_token(pools["staging"], staging_key), now=NOW)
    assert verified.kind == "legacy_id_token"
    # the default issuer: refused even when signed by a key this deployment trusts
    assert reject_reason(module, access(pools["prod"], staging_key)) == "wrong_issuer"
    assert reject_reason(module, id_token(pools["prod"], staging_key)) == "wrong_issuer"
    # the default pool's own tokens: its key is not in the staging pool's JWKS
    assert reject_reason(module, access(pools["prod"], keys.rsa)) == "unknown_kid"
    assert reject_reason(module, access(pools["staging"], keys.rsa)) == "unknown_kid"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_unset_or_empty_the_config_value_applies(
    value: str | None,
    pools: dict[str, str],
    keys: Keys,
    staging_key: SigningKey,
    module_dir: Path,
    monkeypatch,
) -> None:
    if value is None:
        monkeypatch.delenv(ISSUER_ENV, raising=False)
    else:
        monkeypatch.setenv(ISSUER_ENV, value)
    module = load(cognito_config(pools, issuer=ISSUER_ENV), module_dir)
    assert module.verify(access(pools["prod"], keys.rsa), now=NOW).kind == "access_token"
    assert reject_reason(module, access(pools["staging"], keys.rsa)) == "wrong_issuer"


def test_the_value_is_read_at_start_up_not_per_request(
    pools: dict[str, str], keys: Keys, staging_key: SigningKey, module_dir: Path, monkeypatch
) -> None:
    monkeypatch.delenv(ISSUER_ENV, raising=False)
    module = load(cognito_config(pools, issuer=ISSUER_ENV), module_dir)
    monkeypatch.setenv(ISSUER_ENV, pools["staging"])  # after import: no effect
    assert module.verify(access(pools["prod"], keys.rsa), now=NOW).kind == "access_token"
    assert reject_reason(module, access(pools["staging"], keys.rsa)) == "wrong_issuer"


def test_client_ids_from_env_for_both_token_kinds(
    pools: dict[str, str], keys: Keys, module_dir: Path, monkeypatch
) -> None:
    """Cognito: the app client id is the access token's client_id and the ID token's aud."""
    monkeypatch.setenv(CLIENT_ENV, "staging-client-1, staging-client-2")
    module = load(cognito_config(pools, client=CLIENT_ENV), module_dir)
    prod = pools["prod"]
    for client in ("staging-client-1", "staging-client-2"):
        assert module.verify(access(prod, keys.rsa, client), now=NOW).kind == "access_token"
        assert module.verify(id_token(prod, keys.rsa, client), now=NOW).kind == "legacy_id_token"
    default = SCENARIOS["cognito"].client
    assert reject_reason(module, access(prod, keys.rsa, default)) == "wrong_audience"
    assert reject_reason(module, id_token(prod, keys.rsa, default)) == "wrong_audience"


def test_strict_reads_the_audience_but_has_no_legacy_client_ids(
    pools: dict[str, str], keys: Keys, module_dir: Path, monkeypatch
) -> None:
    monkeypatch.setenv(CLIENT_ENV, "staging-client-1")
    module = load(cognito_config(pools, client=CLIENT_ENV), module_dir, "strict")
    prod = pools["prod"]
    assert module.verify(access(prod, keys.rsa, "staging-client-1"), now=NOW).kind == (
        "access_token"
    )
    assert not hasattr(module, "LEGACY_CLIENT_IDS")


@pytest.mark.parametrize(
    "value", ["cognito-idp.eu-west-1.amazonaws.com/pool", "http://evil.example/pool", "https://"]
)
def test_an_issuer_that_is_no_https_url_stops_the_start_up(
    value: str, pools: dict[str, str], module_dir: Path, monkeypatch
) -> None:
    monkeypatch.setenv(ISSUER_ENV, value)
    with pytest.raises(RuntimeError, match=ISSUER_ENV):
        load(cognito_config(pools, issuer=ISSUER_ENV), module_dir)


def auth0_config(provider_routes: dict[str, str]) -> Config:
    config = SCENARIOS["auth0"].config(jwks_uri=provider_routes["auth0"])
    access_token = dataclasses.replace(config.access_token, audience_env=AUDIENCE_ENV)
    return dataclasses.replace(config, access_token=access_token)


def test_an_auth0_audience_from_env(
    provider_routes: dict[str, str], keys: Keys, module_dir: Path, monkeypatch
) -> None:
    monkeypatch.setenv(AUDIENCE_ENV, "https://staging-api.example.com")
    module = load(auth0_config(provider_routes), module_dir)
    scenario = SCENARIOS["auth0"]
    staging = scenario.access_claims(aud=["https://staging-api.example.com"])
    token = sign(scenario.access_header(keys.rsa), staging, keys.rsa)
    assert module.verify(token, now=NOW).kind == "access_token"
    default = sign(scenario.access_header(keys.rsa), scenario.access_claims(), keys.rsa)
    with pytest.raises(module.TokenRejected):
        module.verify(default, now=NOW)  # the default API: not this deployment's


def test_an_audience_from_env_that_is_a_legacy_client_id_stops_the_start_up(
    provider_routes: dict[str, str], module_dir: Path, monkeypatch
) -> None:
    """Auth0 tells access tokens by their audience: one shared with the SPA would let the two
    rules accept the same token (RFC 8725 3.12)."""
    monkeypatch.setenv(AUDIENCE_ENV, SCENARIOS["auth0"].client)
    with pytest.raises(RuntimeError, match="also a legacy client id"):
        load(auth0_config(provider_routes), module_dir)


def test_a_shared_audience_cannot_come_from_env(provider_routes: dict[str, str]) -> None:
    config = auth0_config(provider_routes)
    shared = dataclasses.replace(
        config.access_token,
        audience=(SCENARIOS["auth0"].client,),
        require_at_jwt=True,
    )
    with pytest.raises(RenderError, match="audience_env"):
        render_verifier(dataclasses.replace(config, access_token=shared), "dual")


def test_without_env_keys_the_module_reads_no_environment(provider_routes: dict[str, str]):
    source = render_verifier(SCENARIOS["okta"].config(jwks_uri=provider_routes["okta"]), "strict")
    assert "os.environ" not in source and "_env_" not in source
