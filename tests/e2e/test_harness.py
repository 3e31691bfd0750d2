"""The harness itself: isolation of app copies, env overlays, token shapes."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request

import jwt
import pytest

from idtoken_migrate.config.file import load_config

from .harness import (
    FIXTURES,
    PROVIDER_NAMES,
    JwksServer,
    Provider,
    copy_app,
    write_migration_config,
)


def _patch(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_flask_original_and_patched_copy_coexist(tmp_path, providers, app_factory) -> None:
    fx = FIXTURES["flask_auth0_hs256"]
    p = providers[fx.provider]
    folder = copy_app(fx.name, tmp_path)
    _patch(folder / "app.py", "Hello from a public endpoint!", "Patched copy!")
    original = app_factory(fx.name)
    patched = app_factory(fx.name, folder=folder)
    assert original.get(fx.public_path).json()["message"].startswith("Hello")
    assert patched.get(fx.public_path).json()["message"].startswith("Patched copy!")
    # both keep their own module globals and still verify tokens
    for app in (original, patched):
        assert app.get(fx.me_path, token=p.id_token()).json()["email"] == p.email
    # nothing from either folder is left behind in sys.modules
    for name in ("app", "auth", "settings"):
        mod = sys.modules.get(name)
        assert mod is None or "fixtures" not in str(getattr(mod, "__file__", ""))
        assert mod is None or str(tmp_path) not in str(getattr(mod, "__file__", ""))


def test_two_django_projects_and_a_copy_in_one_process(tmp_path, providers, app_factory) -> None:
    okta = FIXTURES["drf_okta"]
    folder = copy_app(okta.name, tmp_path)
    _patch(folder / "okta_api" / "views.py", '{"status": "ok"}', '{"status": "patched"}')
    kc = FIXTURES["django_keycloak_pyjwk"]
    keycloak = app_factory(kc.name)
    original = app_factory(okta.name)
    patched = app_factory(okta.name, folder=folder)
    assert original.get(okta.public_path).json() == {"status": "ok"}
    assert patched.get(okta.public_path).json() == {"status": "patched"}
    for fx, app in ((okta, original), (okta, patched), (kc, keycloak)):
        p = providers[fx.provider]
        assert app.get(fx.me_path, token=p.id_token()).json()["email"] == p.email


@pytest.mark.parametrize("isolation", ["inprocess", "subprocess"])
def test_env_overlay_per_request(tmp_path, app_factory, isolation: str) -> None:
    fx = FIXTURES["flask_authlib_oidc"]
    folder = copy_app(fx.name, tmp_path)
    _patch(
        folder / "app.py",
        'return jsonify(status="ok")',
        'import os\n        return jsonify(status=os.environ.get("KILL_SWITCH", "off"))',
    )
    app = app_factory(fx.name, folder=folder, env={"KILL_SWITCH": "base"}, isolation=isolation)
    assert app.get(fx.public_path).json() == {"status": "base"}
    assert app.get(fx.public_path, env={"KILL_SWITCH": "1"}).json() == {"status": "1"}
    assert app.get(fx.public_path, env={"KILL_SWITCH": None}).json() == {"status": "off"}
    assert app.get(fx.public_path).json() == {"status": "base"}


def test_logs_are_returned_from_the_worker(providers, app_factory) -> None:
    fx = FIXTURES["django_keycloak_pyjwk"]
    app = app_factory(fx.name)
    r = app.get(fx.me_path, token=providers["keycloak"].bad_id_tokens()["expired"])
    assert r.status == 401
    assert any("rejected token: Signature has expired" in line for line in r.logs), r.logs


def test_jwks_server_serves_documents_and_counts_hits() -> None:
    with JwksServer() as server:
        url = server.add("/x/jwks.json", {"keys": []})
        with urllib.request.urlopen(url) as resp:
            assert json.load(resp) == {"keys": []}
        with pytest.raises(urllib.error.HTTPError) as exc:
            urllib.request.urlopen(server.url("/missing"))
        assert exc.value.code == 404
        assert server.hits["/x/jwks.json"] == 1


def _verify(p: Provider, token: str, audience: str | None) -> dict:
    key = jwt.PyJWKClient(p.jwks_uri).get_signing_key_from_jwt(token)
    return jwt.decode(
        token,
        key.key,
        algorithms=[p.key.alg],
        audience=audience,
        issuer=p.issuer,
        options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": audience is not None},
    )


def _verify_access_token(p: Provider, token: str) -> dict:
    if p.name != "cognito":
        return _verify(p, token, p.api_audience)
    claims = _verify(p, token, None)
    if claims.get("client_id") != p.client_id or claims.get("token_use") != "access":
        raise jwt.InvalidAudienceError("client_id")
    return claims


@pytest.mark.parametrize("name", PROVIDER_NAMES)
def test_access_tokens_verify_against_the_served_jwks(name: str, providers) -> None:
    p = providers[name]
    token = p.access_token()
    claims = _verify_access_token(p, token)
    assert claims[p.claims_map["email"]] == p.email
    if name == "cognito":
        assert "aud" not in claims and claims["username"] == p.username
    if name == "keycloak":
        assert claims["typ"] == "Bearer" and claims["azp"] == p.client_id
    if name == "okta":
        assert claims["cid"] == p.client_id and "scp" in claims
    if name == "auth0":
        assert claims["aud"][1] == p.issuer + "userinfo" and claims["azp"] == p.client_id
    assert jwt.get_unverified_header(token)["typ"] == ("at+jwt" if name == "generic" else "JWT")
    for bad, tok in p.bad_access_tokens().items():
        with pytest.raises(jwt.PyJWTError):
            _verify_access_token(p, tok)
            pytest.fail(f"{bad} accepted")


@pytest.mark.parametrize("name", PROVIDER_NAMES)
def test_id_tokens_have_the_client_as_audience(name: str, providers) -> None:
    p = providers[name]
    token = p.id_token()
    if p.id_alg == "HS256":
        claims = jwt.decode(
            token, p.client_secret, algorithms=["HS256"], audience=p.client_id, issuer=p.issuer
        )
    else:
        claims = _verify(p, token, p.client_id)
    assert claims["email"] == p.email
    assert jwt.get_unverified_header(token)["typ"] == "JWT"
    cfg = p.migration_config(sunset="2027-03-01")
    assert cfg["legacy_id_token"]["client_ids"] == [p.client_id]
    assert cfg["jwks_uri"].startswith("http://127.0.0.1:")
    assert cfg["window"]["sunset"] == "2027-03-01"


def test_overrides_remove_and_set_claims(providers) -> None:
    p = providers["okta"]
    token = p.access_token(email=None, scp=["admin"], header={"typ": "at+jwt"})
    claims = _verify(p, token, p.api_audience)
    assert "email" not in claims and claims["scp"] == ["admin"]
    assert jwt.get_unverified_header(token)["typ"] == "at+jwt"


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_migration_config_for_a_copy_loads(name: str, tmp_path, providers) -> None:
    fx = FIXTURES[name]
    p = providers[fx.provider]
    folder = copy_app(name, tmp_path)
    path = write_migration_config(folder, p, sunset="2027-03-01")
    config = load_config(path, folder)
    assert config.provider == p.name
    assert config.issuer == p.issuer
    assert config.jwks_uri == p.jwks_uri
    assert list(config.legacy_id_token.client_ids) == [p.client_id]
