"""Test kit for the generated verifier: real keys, a local JWKS server, token minting, scenarios."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import importlib.util
import itertools
import json
import socket
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from idtoken_migrate.config import AccessTokenConfig, Config, LegacyIdTokenConfig, WindowConfig
from idtoken_migrate.verifier.render import VerifierTuning, render_verifier

NOW = 1_780_000_000.0  # 2026-05-28, before SUNSET
SUNSET = dt.date(2027, 3, 1)
HS_SECRET = "s3cr3t-client-secret-of-sixty-four-characters-0123456789abcdefgh"
HS_SECRET_ENV = "TEST_LEGACY_CLIENT_SECRET"
KILL_SWITCH_ENV = "TEST_REJECT_ID_TOKENS"
SUB_HASH_KEY_ENV = "IDTOKEN_MIGRATE_SUB_HASH_KEY"  # fixed name, documented in docs/verifier.md
SUB_HASH_KEY = "per-deployment-log-key-for-tests"
EMAIL_CLAIM = "https://example.com/email"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(value: Any) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode("utf-8"))


@dataclass(frozen=True)
class SigningKey:
    kid: str
    alg: str
    private: Any
    jwk: dict[str, Any]  # public JWK as served

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def rsa_key(kid: str, alg: str = "RS256", *, with_alg: bool = True) -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    jwk.update({"kid": kid, "use": "sig"})
    if with_alg:
        jwk["alg"] = alg
    return SigningKey(kid, alg, private, jwk)


def ec_key(kid: str) -> SigningKey:
    private = ec.generate_private_key(ec.SECP256R1())
    jwk = jwt.algorithms.ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
    jwk.update({"kid": kid, "use": "sig", "alg": "ES256"})
    return SigningKey(kid, "ES256", private, jwk)


@dataclass
class Keys:
    rsa: SigningKey
    ec: SigningKey
    rotated: SigningKey  # not served until a test rotates it in
    attacker_rsa: SigningKey  # same kid as `rsa`, never served
    attacker_ec: SigningKey


def make_keys() -> Keys:
    main = rsa_key("rsa-main-2026")
    return Keys(
        rsa=main,
        ec=ec_key("ec-main-2026"),
        rotated=rsa_key("rsa-next-2026"),
        attacker_rsa=rsa_key(main.kid),
        attacker_ec=ec_key("ec-attacker"),
    )


def sign(header: dict[str, Any], claims: dict[str, Any], key: Any, alg: str | None = None) -> str:
    """A compact JWS with exactly this header, signed for real (PyJWT's algorithm objects)."""
    if isinstance(key, SigningKey):
        alg, key = alg or key.alg, key.private
    signing_input = f"{b64json(header)}.{b64json(claims)}".encode("ascii")
    signature = jwt.get_algorithm_by_name(alg or header["alg"]).sign(signing_input, key)
    return f"{signing_input.decode('ascii')}.{b64(signature)}"


def sign_raw(header: dict[str, Any], payload: bytes, key: SigningKey) -> str:
    """Like sign(), with the payload JSON given as text (for values json.dumps cannot write)."""
    signing_input = f"{b64json(header)}.{b64(payload)}".encode("ascii")
    signature = jwt.get_algorithm_by_name(key.alg).sign(signing_input, key.private)
    return f"{signing_input.decode('ascii')}.{b64(signature)}"


def sub_hash(subject: str, key: str = SUB_HASH_KEY) -> str:
    """What the verifier logs for `subject`: 16 hex digits of HMAC-SHA256 keyed per deployment."""
    return hmac.new(key.encode(), subject.encode(), hashlib.sha256).hexdigest()[:16]


def hmac_sign(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    """HS256 with raw bytes as the secret, bypassing PyJWT's refusal of PEM secrets (the attack)."""
    signing_input = f"{b64json(header)}.{b64json(claims)}".encode("ascii")
    signature = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return f"{signing_input.decode('ascii')}.{b64(signature)}"


# --- JWKS server -------------------------------------------------------------------------------


@dataclass
class Route:
    """What the server answers on one path."""

    jwks: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    mode: str = "ok"  # ok | slow | drip | status500 | body | redirect
    delay: float = 0.0
    body: bytes = b""
    location: str = ""


class JwksServer:
    """http.server on 127.0.0.1 in a daemon thread; records every request path."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._counter = itertools.count()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server.requests.append(self.path)
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    server._answer(self, route)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def _answer(self, handler: BaseHTTPRequestHandler, route: Route) -> None:
        if route.mode == "slow":
            time.sleep(route.delay)
        if route.mode == "status500":
            handler.send_error(500)
            return
        if route.mode == "redirect":
            handler.send_response(302)
            handler.send_header("Location", route.location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        body = route.body if route.mode in ("body", "drip") else json.dumps(route.jwks).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if route.mode == "drip":
            for byte in body:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(route.delay)
        else:
            handler.wfile.write(body)

    def add_route(self, route: Route | None = None, name: str = "jwks") -> str:
        """A fresh path (so request counts are per test); returns its URL."""
        path = f"/{name}/{next(self._counter)}.json"
        self.routes[path] = route or Route()
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def count(self, url: str) -> int:
        path = url.split(str(self.port), 1)[1]
        with self._lock:
            return sum(1 for requested in self.requests if requested == path)

    def route(self, url: str) -> Route:
        return self.routes[url.split(str(self.port), 1)[1]]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: the JWKS endpoint is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/jwks.json"


# --- provider scenarios --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """What one provider's tokens look like, and the config of an API behind it."""

    provider: str
    issuer: str
    api: str  # the API's audience (Cognito: the accepted app client id)
    client: str  # the legacy client id (the front end that logs in)
    access_typ: str | None  # header typ of its access tokens
    id_typ: str | None
    access: dict[str, Any]  # access-token claims, without times
    id_token: dict[str, Any]  # ID-token claims, without times
    aud_is_discriminator: bool  # Auth0: no API in aud means "not an access token"

    def config(
        self, *, jwks_uri: str, legacy_alg: str = "RS256", scopes: tuple[str, ...] = ("read",)
    ) -> Config:
        return Config(
            provider=self.provider,
            issuer=self.issuer,
            jwks_uri=jwks_uri,
            access_token=AccessTokenConfig(
                audience=(self.api,), algorithms=("RS256", "ES256"), required_scopes=scopes
            ),
            legacy_id_token=LegacyIdTokenConfig(
                client_ids=(self.client,),
                algorithms=(legacy_alg,),
                secret_env=HS_SECRET_ENV if legacy_alg.startswith("HS") else None,
            ),
            window=WindowConfig(sunset=SUNSET, kill_switch_env=KILL_SWITCH_ENV),
            claims=(("email", EMAIL_CLAIM),),
            source="idtoken-migrate.yaml",
        )

    def access_claims(self, now: float = NOW, **changes: Any) -> dict[str, Any]:
        claims = {**self.access, "iss": self.issuer, "iat": int(now), "exp": int(now) + 3600}
        return _apply(claims, changes)

    def id_claims(self, now: float = NOW, **changes: Any) -> dict[str, Any]:
        claims = {**self.id_token, "iss": self.issuer, "iat": int(now), "exp": int(now) + 3600}
        return _apply(claims, changes)

    def access_header(self, key: SigningKey, **changes: Any) -> dict[str, Any]:
        header: dict[str, Any] = {"alg": key.alg, "kid": key.kid}
        if self.access_typ is not None:
            header["typ"] = self.access_typ
        return _apply(header, changes)

    def id_header(self, key: SigningKey, **changes: Any) -> dict[str, Any]:
        header: dict[str, Any] = {"alg": key.alg, "kid": key.kid}
        if self.id_typ is not None:
            header["typ"] = self.id_typ
        return _apply(header, changes)


_DROP = object()


def _apply(values: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    result = dict(values)
    for name, value in changes.items():
        name = name.replace("__", "-")
        if value is _DROP:
            result.pop(name, None)
        else:
            result[name] = value
    return result


DROP = _DROP

_PROFILE = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "email_verified": True,
}

SCENARIOS: dict[str, Scenario] = {
    "auth0": Scenario(
        provider="auth0",
        issuer="https://acme.eu.auth0.com/",
        api="https://api.example.com",
        client="AbCdEf123",
        access_typ="JWT",
        id_typ="JWT",
        access={
            "sub": "auth0|42",
            "aud": ["https://api.example.com", "https://acme.eu.auth0.com/userinfo"],
            "azp": "AbCdEf123",
            "scope": "openid profile read",
            EMAIL_CLAIM: "ada@example.com",
        },
        id_token={
            "sub": "auth0|42",
            "aud": "AbCdEf123",
            "nonce": "n-0S6_WzA2Mj",
            "sid": "sess1",
            **_PROFILE,
        },
        aud_is_discriminator=True,
    ),
    "cognito": Scenario(
        provider="cognito",
        issuer="https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123",
        api="4k2j3h4g5f6d7s8a9",
        client="4k2j3h4g5f6d7s8a9",
        access_typ=None,
        id_typ=None,
        access={
            "sub": "8f1c1a7e-0000-4000-8000-000000000001",
            "client_id": "4k2j3h4g5f6d7s8a9",
            "token_use": "access",
            "scope": "openid read",
            "username": "ada",
            "jti": "j1",
            EMAIL_CLAIM: "ada@example.com",
        },
        id_token={
            "sub": "8f1c1a7e-0000-4000-8000-000000000001",
            "aud": "4k2j3h4g5f6d7s8a9",
            "token_use": "id",
            "cognito:username": "ada",
            "at_hash": "x1y2",
            **_PROFILE,
        },
        aud_is_discriminator=True,
    ),
    "keycloak": Scenario(
        provider="keycloak",
        issuer="https://sso.example.com/realms/acme",
        api="orders-api",
        client="web-frontend",
        access_typ="JWT",
        id_typ="JWT",
        access={
            "sub": "f3b9c2d4-1111-4000-8000-000000000002",
            "typ": "Bearer",
            "aud": ["orders-api", "account"],
            "azp": "web-frontend",
            "scope": "openid email profile read",
            "preferred_username": "ada",
            EMAIL_CLAIM: "ada@example.com",
        },
        id_token={
            "sub": "f3b9c2d4-1111-4000-8000-000000000002",
            "typ": "ID",
            "aud": "web-frontend",
            "azp": "web-frontend",
            "nonce": "n-1",
            **_PROFILE,
        },
        aud_is_discriminator=False,
    ),
    "okta": Scenario(
        provider="okta",
        issuer="https://acme.okta.com/oauth2/default",
        api="api://default",
        client="0oa1b2c3d4e5f6g7h8",
        access_typ=None,
        id_typ=None,
        access={
            "sub": "ada@example.com",
            "aud": "api://default",
            "cid": "0oa1b2c3d4e5f6g7h8",
            "uid": "00u1",
            "scp": ["openid", "read"],
            "ver": 1,
            "jti": "AT.1",
            EMAIL_CLAIM: "ada@example.com",
        },
        id_token={
            "sub": "00u1",
            "aud": "0oa1b2c3d4e5f6g7h8",
            "ver": 1,
            "amr": ["pwd"],
            "idp": "00o1",
            "nonce": "n-2",
            **_PROFILE,
        },
        aud_is_discriminator=False,
    ),
    "entra": Scenario(
        provider="entra",
        issuer="https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0",
        api="api://orders",
        client="11111111-2222-3333-4444-555555555555",
        access_typ="JWT",
        id_typ="JWT",
        access={
            "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
            "aud": "api://orders",
            "azp": "11111111-2222-3333-4444-555555555555",
            "scp": "read",
            "ver": "2.0",
            "oid": "00000000-0000-0000-66f3-3332eca7ea81",
            "tid": "72f988bf-86f1-41af-91ab-2d7cd011db47",
            EMAIL_CLAIM: "ada@example.com",
        },
        id_token={
            "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
            "aud": "11111111-2222-3333-4444-555555555555",
            "ver": "2.0",
            "nonce": "n-3",
            "tid": "72f988bf-86f1-41af-91ab-2d7cd011db47",
            **_PROFILE,
        },
        aud_is_discriminator=False,
    ),
    "generic": Scenario(
        provider="generic",
        issuer="https://idp.example.com",
        api="https://api.example.com",
        client="spa-client",
        access_typ="at+jwt",
        id_typ="JWT",
        access={
            "sub": "user-42",
            "aud": "https://api.example.com",
            "client_id": "spa-client",
            "scope": "read write",
            "jti": "at-1",
            EMAIL_CLAIM: "ada@example.com",
        },
        id_token={
            "sub": "user-42",
            "aud": "spa-client",
            "nonce": "n-4",
            **_PROFILE,
        },
        aud_is_discriminator=False,
    ),
}
PROVIDERS_WITH_JWT_ACCESS_TOKENS = tuple(SCENARIOS)
# How a module is rendered: dual with an RS256 or an HS256 (client secret) legacy rule, or strict.
VARIANTS = ("dual-RS256", "dual-HS256", "strict")


def fast_tuning(**changes: Any) -> VerifierTuning:
    """Short timeouts and intervals so failure tests finish quickly."""
    base = VerifierTuning(
        jwks_cache_seconds=300.0,
        jwks_min_refetch_seconds=60.0,
        http_timeout_seconds=0.5,
    )
    return replace(base, **changes)


_module_counter = itertools.count()


def load_module(source: str, directory: Path) -> ModuleType:
    """Import rendered source as a fresh module (its own JWKS cache and counters)."""
    name = f"generated_verifier_{next(_module_counter)}"
    path = directory / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def render_and_load(config: Config, phase: str, directory: Path, **kwargs: Any) -> ModuleType:
    kwargs.setdefault("tuning", fast_tuning())
    return load_module(render_verifier(config, phase, **kwargs), directory)


def reject_reason(module: ModuleType, token: Any, now: float = NOW) -> str:
    """The reason the module rejects `token`; fails the test if it is accepted."""
    try:
        verified = module.verify(token, now=now)
    except module.TokenRejected as rejected:
        return rejected.reason
    raise AssertionError(f"token was accepted as {verified.kind}: {verified.claims}")
