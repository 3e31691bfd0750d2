"""Opaque access tokens by introspection, end to end (issue 15, point 2).

The generic-OIDC Flask fixture (`flask_authlib_oidc`) migrates to access tokens its issuer
describes at an RFC 7662 endpoint on 127.0.0.1 (tests/introspection_server.py): dual keeps the
legacy ID token on its JWT rule, opaque tokens are introspected, every bad token, an inactive
one, one for another API and an endpoint outage are the app's 401, never a 500; strict drops
the ID token and keeps the introspected access tokens.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from introspection_server import IntrospectionServer

from .harness import FIXTURES, Provider
from .phases import attacks, migrate, strict

NAME = "flask_authlib_oidc"
ENV = {"NOTES_API_CLIENT_ID": "notes-api", "NOTES_API_CLIENT_SECRET": "s3cret"}


@pytest.fixture
def endpoint() -> Iterator[IntrospectionServer]:
    server = IntrospectionServer()
    yield server
    server.close()


def introspection(endpoint: IntrospectionServer) -> dict:
    return {
        "validation": "introspection",
        "introspection_endpoint": endpoint.url,
        "introspection_client_id_env": "NOTES_API_CLIENT_ID",
        "introspection_client_secret_env": "NOTES_API_CLIENT_SECRET",
    }


def test_opaque_access_tokens_dual_to_strict(
    tmp_path: Path, providers: dict[str, Provider], app_factory, endpoint: IntrospectionServer
) -> None:
    fx = FIXTURES[NAME]
    p = providers[fx.provider]
    answer = {"active": True, "token_type": "Bearer", **p.access_token_claims()}
    endpoint.answers = {
        "opaque-ok": answer,
        "opaque-other-api": {**answer, "aud": "https://other-api.example.com"},
        "opaque-expired": {**answer, "exp": answer["iat"] - 60},
    }
    folder = migrate(fx.folder, tmp_path / NAME, p, access_token=introspection(endpoint))
    assert "INTROSPECTION_ENDPOINT" in (folder / "token_verifier.py").read_text()
    app = app_factory(NAME, folder=folder, env=ENV)
    legacy = app.get(fx.me_path, token=p.id_token())
    assert legacy.status == 200 and legacy.json()["email"] == p.email, legacy.text
    assert not any(c["form"]["token"] == [p.id_token()] for c in endpoint.calls)
    ok = app.get(fx.me_path, token="opaque-ok")
    assert ok.status == 200 and ok.json()["email"] == p.email, ok.text
    refused = ["opaque-unknown", "opaque-other-api", "opaque-expired", *attacks(p).values()]
    for token in refused:
        response = app.get(fx.me_path, token=token)
        assert response.status == 401, f"{token[:30]}: {response.status} {response.text}"
    endpoint.mode = "status500"
    assert app.get(fx.me_path, token="opaque-fresh").status == 401  # outage: refused
    endpoint.mode = "ok"

    strict(folder)
    app = app_factory(NAME, folder=folder, env=ENV)
    assert app.get(fx.me_path, token=p.id_token()).status == 401
    ok = app.get(fx.me_path, token="opaque-ok")
    assert ok.status == 200 and ok.json()["email"] == p.email, ok.text
