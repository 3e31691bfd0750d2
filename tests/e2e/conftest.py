"""End-to-end harness: legacy fixture apps, real keys, a local JWKS server, real tokens.

Modules
-------
``tokens.py``     keys (RSA/EC via cryptography), ``mint()``, ``JwksServer``, ``Provider``,
                  ``make_providers()``
``apploader.py``  ``load_app()``: import an app folder in isolation and drive it through its
                  framework's test client
``harness.py``    ``FIXTURES`` (the catalogue of ``tests/fixtures/*`` apps), ``copy_app()``,
                  ``write_migration_config()``

Import them from a test in this package with ``from .harness import FIXTURES, copy_app, ...``.

Fixtures (defined here)
-----------------------
``jwks_server``  (session)  ``JwksServer`` on http://127.0.0.1:<port>; ``.hits[path]`` counts
                 fetches.
``providers``    (session)  ``{"auth0"|"cognito"|"keycloak"|"okta"|"generic": Provider}``, their
                 JWKS (and discovery documents) published on ``jwks_server``.
``app_factory``  (function) ``app_factory(name, folder=None, env=None, isolation=None)``
                 returns a ``LoadedApp``, closed at teardown; ``folder`` defaults to the
                 pristine fixture.

Providers and tokens
--------------------
``p = providers["auth0"]``; attributes ``issuer``, ``jwks_uri`` (local), ``client_id`` (the legacy
audience), ``client_secret`` (Auth0 only), ``api_audience``, ``key`` / ``attacker_key``,
``claims_map`` (legacy claim -> where the access token carries it), ``email``.

* ``p.id_token(**claims)``: legacy ID token. Auth0: HS256 with the client secret, aud=client_id,
  nonce, email. Cognito: RS256, token_use=id, aud=client_id, cognito:username, at_hash.
  Keycloak: RS256, payload typ=ID, aud=azp=client_id. Okta: RS256, aud=client_id, amr, idp,
  at_hash, jti ID.*. Generic: ES256, aud=client_id, nonce.
* ``p.access_token(**claims)``: Auth0: RS256, aud=[api, https://tenant/userinfo], azp, scope,
  permissions, namespaced ``https://idtoken-test.example/email``. Cognito: token_use=access,
  client_id, username, scope, no aud (email added as by a pre-token-generation trigger).
  Keycloak: typ=Bearer, aud=[acme-api, account], azp. Okta: cid, uid, scp, aud api://default.
  Generic: RFC 9068, header typ at+jwt, aud=api, client_id, jti.
* Overrides: ``aud="x"`` sets a claim, ``email=None`` removes one, ``header={"typ": "at+jwt"}``,
  ``expires_in=-60`` (expired), ``key=other_key_or_secret``. ``mint(header, payload, key)`` for
  anything else (alg none, HS256 keyed with a PEM, ...).
* ``p.bad_id_tokens()`` / ``p.bad_access_tokens()``: ``{name: token}`` for expired, forged,
  wrong_audience, wrong_issuer, alg_none, hs256_public_key, truncated_signature, not_a_jwt.
* ``p.migration_config(sunset="2099-01-01", **extra)``: dict for ``idtoken-migrate.yaml``
  (issuer, jwks_uri on 127.0.0.1, audiences, legacy client id / secret_env, claims map);
  ``write_migration_config(folder, p, **same)`` writes it (checked against ``load_config``).

Apps and requests
-----------------
``fx = FIXTURES[name]``: ``fx.provider``, ``fx.me_path`` (returns ``{"email": ...}``),
``fx.private_path``, ``fx.public_path``, ``fx.folder``, ``fx.env(p)``, ``fx.load(p, folder=None,
env=None)``. ``app.get(path, token=None, headers=None, env=None) -> Response(status, text,
headers, logs)``; ``.json()``. ``env=`` overlays environment variables for that request only
(e.g. a kill switch); ``logs`` holds the log lines emitted during the request. Flask and FastAPI
apps load in-process (their modules never stay in ``sys.modules``, so an original and a patched
copy coexist; local modules imported lazily at request time are not supported in-process, use
``isolation="subprocess"``). Django apps always run in a worker subprocess (one settings
singleton per process), which also makes the suite safe under pytest-xdist.

Migrating a copy (what the apply end-to-end tests do)::

    def test_dual(tmp_path, providers, app_factory):
        fx = FIXTURES["flask_auth0_hs256"]
        p = providers[fx.provider]
        folder = copy_app(fx.name, tmp_path)              # tmp_path/flask_auth0_hs256
        write_migration_config(folder, p)                  # folder/idtoken-migrate.yaml
        run(["idtoken-migrate", "apply", str(folder), "--phase", "dual", "--write"])
        app = app_factory(fx.name, folder=folder)
        assert app.get(fx.me_path, token=p.access_token()).json()["email"] == p.email
        assert app.get(fx.me_path, token=p.id_token()).status_code == 200
        for token in p.bad_access_tokens().values():
            assert app.get(fx.me_path, token=token).status == 401
        kill = {"IDTOKEN_MIGRATE_REJECT_ID_TOKENS": "1"}
        assert app.get(fx.me_path, token=p.id_token(), env=kill).status == 401
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .harness import FIXTURES, JwksServer, LoadedApp, Provider, make_providers


@pytest.fixture(scope="session")
def jwks_server() -> Iterator[JwksServer]:
    with JwksServer() as server:
        yield server


@pytest.fixture(scope="session")
def providers(jwks_server: JwksServer) -> dict[str, Provider]:
    return make_providers(jwks_server)


@pytest.fixture
def app_factory(providers: dict[str, Provider]) -> Iterator[Any]:
    opened: list[LoadedApp] = []

    def factory(
        name: str,
        folder: str | Path | None = None,
        env: dict[str, str] | None = None,
        isolation: str | None = None,
    ) -> LoadedApp:
        fx = FIXTURES[name]
        app = fx.load(providers[fx.provider], folder=folder, env=env, isolation=isolation)
        opened.append(app)
        return app

    yield factory
    for app in opened:
        app.close()
