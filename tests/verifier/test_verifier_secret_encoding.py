"""legacy_id_token.secret_encoding: the verifier derives the HMAC key as the legacy code did, from
the variable's text as is, or decoded from base64 / base64url (Auth0's early secrets)."""

from __future__ import annotations

import base64
import dataclasses
import os
from pathlib import Path

import pytest
from verifier_kit import HS_SECRET_ENV, NOW, SCENARIOS, hmac_sign, reject_reason, render_and_load

from idtoken_migrate.verifier.render import RenderError, render_verifier

KEY = os.urandom(48)  # what the legacy code HMACs with, once decoded
TEXT = {
    "raw": "a-client-secret-used-as-is-0123456789-abcdefghijklmnopqrstuvwxyz",
    "base64": base64.b64encode(KEY).decode(),
    "base64url": base64.urlsafe_b64encode(KEY).decode().rstrip("="),
}


def _config(provider_routes: dict[str, str], encoding: str):
    config = SCENARIOS["auth0"].config(jwks_uri=provider_routes["auth0"], legacy_alg="HS256")
    legacy = dataclasses.replace(config.legacy_id_token, secret_encoding=encoding)
    return dataclasses.replace(config, legacy_id_token=legacy)


def _id_token(key: bytes) -> str:
    scenario = SCENARIOS["auth0"]
    return hmac_sign({"alg": "HS256", "typ": "JWT"}, scenario.id_claims(), key)


@pytest.mark.parametrize("encoding", sorted(TEXT))
def test_the_key_is_derived_as_configured(
    encoding: str, provider_routes: dict[str, str], module_dir: Path, monkeypatch
) -> None:
    module = render_and_load(_config(provider_routes, encoding), "dual", module_dir)
    monkeypatch.setenv(HS_SECRET_ENV, TEXT[encoding])
    key = TEXT["raw"].encode() if encoding == "raw" else KEY
    verified = module.verify(_id_token(key), now=NOW)
    assert verified.kind == "legacy_id_token"
    # the same token signed with the secret's text (what the verifier did before) is forged
    if encoding != "raw":
        assert reject_reason(module, _id_token(TEXT[encoding].encode())) == "bad_signature"


def test_a_secret_that_is_not_base64url_is_unavailable_not_a_crash(
    provider_routes: dict[str, str], module_dir: Path, monkeypatch
) -> None:
    module = render_and_load(_config(provider_routes, "base64url"), "dual", module_dir)
    monkeypatch.setenv(HS_SECRET_ENV, "not base64 at all: é")
    assert reject_reason(module, _id_token(KEY)) == "legacy_secret_unavailable"


def test_an_unknown_encoding_is_a_render_error(provider_routes: dict[str, str]) -> None:
    with pytest.raises(RenderError, match="legacy_id_token.secret_encoding"):
        render_verifier(_config(provider_routes, "hex"), "dual")
