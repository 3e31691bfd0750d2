"""Provider profiles: one per provider, loaded into frozen dataclasses; errors name the file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from idtoken_migrate.config import PROVIDERS, Config
from idtoken_migrate.config.providers import (
    ProviderProfileError,
    jwks_uri_for,
    load_profile_file,
    load_provider,
    load_providers,
    manual_steps,
)
from idtoken_migrate.resources import rules_dir


def test_one_profile_per_provider() -> None:
    profiles = load_providers()
    assert set(profiles) == set(PROVIDERS)
    for name, profile in profiles.items():
        assert profile.id == name
        assert profile.summary and profile.references and profile.manual_steps
        with pytest.raises(dataclasses.FrozenInstanceError):
            profile.id = "x"  # type: ignore[misc]


def test_google_issues_no_jwt_access_tokens() -> None:
    google = load_provider("google")
    assert google.jwt_access_tokens is False and google.access_discriminator is None
    assert "tokeninfo" in google.instead and "opaque" in google.instead
    assert all(load_provider(p).jwt_access_tokens for p in PROVIDERS if p != "google")


@pytest.mark.parametrize(
    ("provider", "issuer", "expected"),
    [
        ("auth0", "https://a.auth0.com/", "https://a.auth0.com/.well-known/jwks.json"),
        (
            "entra",
            "https://sts.windows.net/tid-9/",
            "https://login.microsoftonline.com/tid-9/discovery/keys",
        ),
        (
            "keycloak",
            "https://h.example.com/auth/realms/r1",
            "https://h.example.com/auth/realms/r1/protocol/openid-connect/certs",
        ),
        ("google", "https://accounts.google.com", "https://www.googleapis.com/oauth2/v3/certs"),
    ],
)
def test_jwks_uri_for(provider: str, issuer: str, expected: str) -> None:
    assert jwks_uri_for(load_provider(provider), issuer) == expected


@pytest.mark.parametrize(
    ("provider", "issuer"),
    [
        ("generic", "https://idp.example.com"),
        ("okta", "https://acme.okta.com"),  # the org authorization server
        ("cognito", "https://evil.example.com/eu-west-1_AbC"),
    ],
)
def test_jwks_uri_cannot_be_guessed(provider: str, issuer: str) -> None:
    with pytest.raises(ProviderProfileError, match="set jwks_uri"):
        jwks_uri_for(load_provider(provider), issuer)


def test_manual_steps_follow_the_claims() -> None:
    auth0 = load_provider("auth0")
    bare = Config(provider="auth0", issuer="https://a.auth0.com/")
    assert len(manual_steps(auth0, bare)) == 1
    mapped = dataclasses.replace(bare, claims=(("email", "https://example.com/email"),))
    steps = manual_steps(auth0, mapped)
    assert len(steps) == 2
    assert (
        "api.accessToken.setCustomClaim('https://example.com/email', event.user.email);"
        in (steps[1])
    )
    cognito = manual_steps(
        load_provider("cognito"), dataclasses.replace(mapped, provider="cognito")
    )
    assert any("pre-token-generation" in step for step in cognito)


def test_unknown_provider() -> None:
    with pytest.raises(ProviderProfileError, match="unknown provider"):
        load_provider("ping")


BROKEN = {
    "unknown-key": ("name: Auth0", "name: Auth0\ncolour: blue"),
    "unknown-condition": ("- present: nonce", "- looks_like: nonce"),
    "bad-audience-claim": ("audience_claim: aud", "audience_claim: azp"),
    "bad-regex": ("issuer_pattern: '^https://[^/]+/$'", "issuer_pattern: '(['"),
    "dpop-typ": ("header_typ: [jwt, at+jwt]", "header_typ: [jwt, dpop+jwt]"),
    "equals-list": ("- header_typ: [at+jwt]", "- equals: {typ: [a, b]}"),
    "user-claim-status": ("access_token: configurable", "access_token: sometimes"),
    "user-claim-as": ("access_token: configurable", "access_token: configurable\n    as: x"),
    "user-claim-key": ("  - claim: permissions", "  - claim: permissions\n    when: rbac"),
}


@pytest.mark.parametrize(("old", "new"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_profile_is_an_error_naming_the_file(old: str, new: str, tmp_path: Path) -> None:
    text = (rules_dir() / "providers" / "auth0.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "auth0.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ProviderProfileError, match="auth0.yaml"):
        load_profile_file(path)


def test_profiles_from_another_folder(tmp_path: Path) -> None:
    source = (rules_dir() / "providers" / "okta.yaml").read_text(encoding="utf-8")
    (tmp_path / "acme.yaml").write_text(source.replace("id: okta", "id: acme"), encoding="utf-8")
    assert set(load_providers(tmp_path)) == {"acme"}


def test_user_claims_say_what_the_access_token_carries() -> None:
    cognito = load_provider("cognito")
    assert cognito.user_claim("custom:role").access_token == "absent"  # the `custom:*` prefix
    assert cognito.user_claim("cognito:groups").access_token == "carried"
    renamed = cognito.user_claim("cognito:username")
    assert (renamed.access_token, renamed.renamed_to) == ("renamed", "username")
    assert cognito.user_claim("department") is None
    assert load_provider("keycloak").user_claim("realm_access").access_token == "carried"
    assert load_provider("auth0").user_claim("https://example.com/roles").access_token == (
        "configurable"
    )
    assert load_provider("entra").user_claim("roles").access_token == "configurable"
