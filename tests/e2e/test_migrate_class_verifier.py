"""Issue 18 point 4 for class-based verifiers, over real HTTP with real signed tokens.

`flask_cognito_token_service` verifies in a method, `validate_token(self, token)`, that reaches
its key machinery through `self`: a `cached_property` holding the pool's keys by kid, a
`_public_key(kid)` method, the `self.jwks_url` its `__init__` builds. Before the migration an
unknown kid is a 500 and a rotated key is never seen (the keys are cached for the life of the
process). After it, in every phase, none of those members is left, an unknown kid is a 401 and a
token signed with a key published after start-up is accepted once the verifier refetches.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

from .harness import FIXTURES_DIR, JwksServer, SigningKey, make_providers
from .phases import ruff_clean, shorten_refetch, walk
from .served import HttpApp, serve
from .tokens import Provider

NAME = "flask_cognito_token_service"
ME = "/me"
LEFTOVERS = (
    "_keys_by_kid",
    "_public_key",
    "jwks_url",
    "self.client_id",
    "get_unverified_header",
    "RSAAlgorithm",
    "urllib",
    "cached_property",
    "token_use",
)


def opener(p: Provider):
    env = {"COGNITO_ISSUER": p.issuer, "COGNITO_APP_CLIENT_ID": p.client_id}

    @contextlib.contextmanager
    def opened(folder: Path, extra: dict[str, str]) -> Iterator[HttpApp]:
        with serve(folder, ["app.py"], {**env, **extra}) as app:
            yield app

    return opened


def test_class_verifier_members_go_and_every_phase_reaches_the_key_refresh(tmp_path: Path) -> None:
    with JwksServer() as server:
        p = make_providers(server)["cognito"]
        jwks_path = urlparse(p.jwks_uri).path
        published = server.documents[jwks_path]
        rotated = SigningKey.generate("cognito-rs256-rotated")

        def rotate() -> None:
            server.add(jwks_path, {"keys": [*published["keys"], rotated.public_jwk]})

        made_up_kid = p.id_token(header={"kid": "no-such-kid"})
        rotated_id_token = p.id_token(header={"kid": rotated.kid}, key=rotated)
        rotated_access_token = p.access_token(header={"kid": rotated.kid}, key=rotated)
        opened = opener(p)
        src = FIXTURES_DIR / NAME
        with opened(src, {}) as legacy:  # before: the class's own cache and lookup
            assert legacy.get(ME, token=p.id_token()).status == 200
            assert legacy.get(ME, token=made_up_kid).status == 500
            rotate()
            assert legacy.get(ME, token=rotated_id_token).status == 500
        server.add(jwks_path, published)

        seen = []
        for phase, folder in walk(src, tmp_path, p, ME, opened, claims=p.claims_map):
            seen.append(phase)
            ruff_clean(src, folder)  # no import left unused by the removed members
            auth = (folder / "auth.py").read_text()
            for leftover in LEFTOVERS:
                assert leftover not in auth, (phase, leftover)
            assert "self.issuer" not in auth and "def __init__(self):\n        pass" in auth
            shorten_refetch(folder)
            with opened(folder, {}) as app:
                assert app.get(ME, token=p.access_token()).status == 200
                assert app.get(ME, token=made_up_kid).status == 401
                fetched = server.hits[jwks_path]
                rotate()
                reply = app.get(ME, token=rotated_access_token)
                assert reply.status == 200, (phase, reply.text)
                assert reply.json()["email"] == p.email
                assert server.hits[jwks_path] > fetched  # the verifier refetched the JWKS
                legacy_status = app.get(ME, token=rotated_id_token).status
                assert legacy_status == (200 if phase == "dual" else 401), phase
            server.add(jwks_path, published)
        assert seen == ["dual", "sunset", "strict"]
