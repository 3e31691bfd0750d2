"""Real keys, a local JWKS server and per-provider token minting for the end-to-end tests.

Nothing here is mocked: keys are generated with ``cryptography``, tokens are signed JWS compact
serialisations built by hand (so malformed and hostile variants can be built too), and the JWKS /
discovery documents are served over HTTP on 127.0.0.1 from a background thread.

See ``tests/e2e/conftest.py`` for the overview and the pytest fixtures built on top of this.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

__all__ = [
    "PROVIDER_NAMES",
    "JwksServer",
    "Provider",
    "SigningKey",
    "b64url",
    "make_providers",
    "mint",
]

PROVIDER_NAMES = ("auth0", "cognito", "keycloak", "okta", "generic")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_b64(value: int, length: int | None = None) -> str:
    length = length or max(1, (value.bit_length() + 7) // 8)
    return b64url(value.to_bytes(length, "big"))


def _json_b64(obj: dict[str, Any]) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


# --------------------------------------------------------------------------------------- keys


@dataclass
class SigningKey:
    """An asymmetric signing key: ``alg`` is RS256 or ES256."""

    kid: str
    alg: str
    private_key: Any

    @classmethod
    def generate(cls, kid: str, alg: str = "RS256") -> SigningKey:
        if alg == "RS256":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif alg == "ES256":
            key = ec.generate_private_key(ec.SECP256R1())
        else:
            raise ValueError(f"unsupported alg {alg}")
        return cls(kid=kid, alg=alg, private_key=key)

    @property
    def public_jwk(self) -> dict[str, str]:
        pub = self.private_key.public_key()
        if self.alg == "RS256":
            nums = pub.public_numbers()
            return {
                "kty": "RSA",
                "kid": self.kid,
                "use": "sig",
                "alg": "RS256",
                "n": _int_b64(nums.n),
                "e": _int_b64(nums.e),
            }
        nums = pub.public_numbers()
        return {
            "kty": "EC",
            "kid": self.kid,
            "use": "sig",
            "alg": "ES256",
            "crv": "P-256",
            "x": _int_b64(nums.x, 32),
            "y": _int_b64(nums.y, 32),
        }

    @property
    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, signing_input: bytes) -> bytes:
        if self.alg == "RS256":
            return self.private_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        der = self.private_key.sign(signing_input, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def mint(
    header: dict[str, Any], payload: dict[str, Any], key: SigningKey | bytes | str | None
) -> str:
    """Build a compact JWS. ``header["alg"]`` decides how: RS256/ES256 need a SigningKey,
    HS256 takes bytes/str (any bytes: a client secret, or a public PEM for the confusion attack),
    ``none`` (any spelling) produces an empty signature."""
    signing_input = f"{_json_b64(header)}.{_json_b64(payload)}".encode("ascii")
    alg = str(header.get("alg", ""))
    if alg.lower() == "none":
        sig = b""
    elif alg == "HS256":
        secret = key.encode() if isinstance(key, str) else key
        if not isinstance(secret, bytes):
            raise TypeError("HS256 needs a bytes/str secret")
        sig = hmac.new(secret, signing_input, hashlib.sha256).digest()
    else:
        if not isinstance(key, SigningKey):
            raise TypeError(f"{alg} needs a SigningKey")
        sig = key.sign(signing_input)
    return signing_input.decode("ascii") + "." + b64url(sig)


# ---------------------------------------------------------------------------------- JWKS server


class JwksServer:
    """Serves JSON documents (JWKS, OIDC discovery) on http://127.0.0.1:<random port>.

    ``add(path, doc)`` publishes a document; ``hits[path]`` counts GETs (to assert caching).
    Use as a context manager or call ``start()`` / ``stop()``.
    """

    def __init__(self) -> None:
        self.documents: dict[str, Any] = {}
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                path = self.path.split("?", 1)[0]
                with server._lock:
                    server.hits[path] += 1
                    doc = server.documents.get(path)
                if doc is None:
                    body, status = b'{"error":"not_found"}', 404
                else:
                    body, status = json.dumps(doc).encode(), 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, path: str, doc: Any) -> str:
        with self._lock:
            self.documents[path] = doc
        return self.url(path)

    def start(self) -> JwksServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, args=(0.05,), daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> JwksServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ------------------------------------------------------------------------------------ providers

TEST_EMAIL = "ada@example.com"
TEST_USERNAME = "ada"


@dataclass
class Provider:
    """One identity provider as the tests see it. Build with :func:`make_providers`.

    ``id_token()`` / ``access_token()`` mint valid tokens shaped like the real provider's;
    keyword arguments override claims (value ``None`` removes the claim), ``header=`` overrides
    header fields, ``expires_in=`` sets exp relative to now (negative: expired), ``key=`` signs
    with another key or secret. ``bad_id_tokens()`` returns the hostile corpus every verifier
    must reject with 401.
    """

    name: str
    issuer: str
    jwks_uri: str
    client_id: str
    api_audience: str  # what the API expects in an access token's aud (Cognito: none, see below)
    key: SigningKey  # the provider's real signing key, published in the JWKS
    attacker_key: SigningKey  # same kid and alg as ``key``, never published
    id_alg: str  # alg of ID tokens: HS256 (Auth0 legacy, client secret) or key.alg
    client_secret: str | None = None
    claims_map: dict[str, str] = field(default_factory=dict)  # legacy claim -> AT claim
    email: str = TEST_EMAIL
    username: str = TEST_USERNAME
    extra_env: dict[str, str] = field(default_factory=dict)

    # ---- shapes -------------------------------------------------------------------------------

    def _base(self, expires_in: int) -> dict[str, Any]:
        now = int(time.time())
        return {"iss": self.issuer, "iat": now, "exp": now + expires_in}

    def id_token_claims(self, expires_in: int = 3600) -> dict[str, Any]:
        c = self._base(expires_in)
        now = c["iat"]
        if self.name == "auth0":
            c.update(
                sub="auth0|5f7c8ec7c33c6c004bbafe82",
                aud=self.client_id,
                nonce="n-0S6_WzA2Mj",
                email=self.email,
                email_verified=True,
                name="Ada Lovelace",
                nickname=self.username,
                updated_at="2026-01-01T00:00:00.000Z",
            )
        elif self.name == "cognito":
            c.update(
                sub="6f9c1a2e-8a55-4d7b-9f11-0e5c1f2a3b4c",
                aud=self.client_id,
                email_verified=True,
                token_use="id",
                auth_time=now,
                event_id=str(uuid.uuid4()),
                jti=str(uuid.uuid4()),
                origin_jti=str(uuid.uuid4()),
                at_hash="yQ4q3bJ8qf0bKp2h1Q6x9w",
                email=self.email,
                **{"cognito:username": self.username},
            )
        elif self.name == "keycloak":
            c.update(
                sub="f3a8c2d1-4b5e-4c6d-8e9f-0a1b2c3d4e5f",
                aud=self.client_id,
                azp=self.client_id,
                typ="ID",
                auth_time=now,
                session_state=str(uuid.uuid4()),
                sid=str(uuid.uuid4()),
                jti=str(uuid.uuid4()),
                at_hash="kT9oQ4b0xS2r8m1vP7a3Zw",
                acr="1",
                email_verified=True,
                name="Ada Lovelace",
                preferred_username=self.username,
                given_name="Ada",
                family_name="Lovelace",
                email=self.email,
            )
        elif self.name == "okta":
            c.update(
                ver=1,
                sub="00u1a2b3c4D5e6F7g8h9",
                aud=self.client_id,
                jti="ID." + uuid.uuid4().hex,
                amr=["pwd"],
                idp="00o1a2b3c4D5e6F7g8h9",
                auth_time=now,
                at_hash="Zx3kq9VbT1m2n5p8r0s4uA",
                name="Ada Lovelace",
                preferred_username=self.email,
                email=self.email,
            )
        else:  # generic OIDC
            c.update(
                sub="248289761001",
                aud=self.client_id,
                auth_time=now,
                nonce="n-0S6_WzA2Mj",
                email=self.email,
                email_verified=True,
                name="Ada Lovelace",
            )
        return c

    def access_token_claims(self, expires_in: int = 3600) -> dict[str, Any]:
        c = self._base(expires_in)
        now = c["iat"]
        if self.name == "auth0":
            c.update(
                sub="auth0|5f7c8ec7c33c6c004bbafe82",
                aud=[self.api_audience, self.issuer + "userinfo"],
                azp=self.client_id,
                scope="openid profile email read:messages",
                permissions=["read:messages"],
                **{self.claims_map["email"]: self.email},
            )
        elif self.name == "cognito":
            # No aud in Cognito access tokens: client_id carries the app client.
            c.update(
                sub="6f9c1a2e-8a55-4d7b-9f11-0e5c1f2a3b4c",
                client_id=self.client_id,
                token_use="access",
                scope="aws.cognito.signin.user.admin openid email",
                auth_time=now,
                event_id=str(uuid.uuid4()),
                jti=str(uuid.uuid4()),
                origin_jti=str(uuid.uuid4()),
                username=self.username,
                # added by a pre-token-generation trigger (V2), see claims_map
                email=self.email,
            )
        elif self.name == "keycloak":
            c.update(
                sub="f3a8c2d1-4b5e-4c6d-8e9f-0a1b2c3d4e5f",
                aud=[self.api_audience, "account"],  # Audience mapper adds the API
                azp=self.client_id,
                typ="Bearer",
                auth_time=now,
                session_state=str(uuid.uuid4()),
                sid=str(uuid.uuid4()),
                jti=str(uuid.uuid4()),
                acr="1",
                scope="openid email profile",
                realm_access={"roles": ["offline_access", "uma_authorization"]},
                resource_access={"account": {"roles": ["manage-account", "view-profile"]}},
                email_verified=True,
                preferred_username=self.username,
                email=self.email,
            )
        elif self.name == "okta":
            c.update(
                ver=1,
                jti="AT." + uuid.uuid4().hex,
                aud=self.api_audience,
                cid=self.client_id,
                uid="00u1a2b3c4D5e6F7g8h9",
                scp=["openid", "email", "profile"],
                auth_time=now,
                sub=self.email,
                email=self.email,  # custom claim on the custom authorization server
            )
        else:  # generic RFC 9068
            c.update(
                sub="248289761001",
                aud=self.api_audience,
                client_id=self.client_id,
                jti=str(uuid.uuid4()),
                scope="openid email api.read",
                auth_time=now,
                email=self.email,
            )
        return c

    def id_token_header(self) -> dict[str, Any]:
        if self.id_alg == "HS256":
            return {"alg": "HS256", "typ": "JWT"}
        return {"alg": self.key.alg, "typ": "JWT", "kid": self.key.kid}

    def access_token_header(self) -> dict[str, Any]:
        typ = "at+jwt" if self.name == "generic" else "JWT"
        return {"alg": self.key.alg, "typ": typ, "kid": self.key.kid}

    # ---- minting ------------------------------------------------------------------------------

    def _id_key(self) -> SigningKey | str:
        if self.id_alg == "HS256":
            assert self.client_secret is not None
            return self.client_secret
        return self.key

    @staticmethod
    def _apply(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(base)
        for k, v in overrides.items():
            if v is None:
                out.pop(k, None)
            else:
                out[k] = v
        return out

    def id_token(
        self,
        *,
        header: dict[str, Any] | None = None,
        expires_in: int = 3600,
        key: SigningKey | bytes | str | None = None,
        **claims: Any,
    ) -> str:
        """A valid ID token (as the legacy app expects it) unless overridden."""
        h = self._apply(self.id_token_header(), header or {})
        p = self._apply(self.id_token_claims(expires_in), claims)
        return mint(h, p, key if key is not None else self._id_key())

    def access_token(
        self,
        *,
        header: dict[str, Any] | None = None,
        expires_in: int = 3600,
        key: SigningKey | bytes | str | None = None,
        **claims: Any,
    ) -> str:
        """A valid access token for ``api_audience`` (always asymmetric, ``key``)."""
        h = self._apply(self.access_token_header(), header or {})
        p = self._apply(self.access_token_claims(expires_in), claims)
        return mint(h, p, key if key is not None else self.key)

    def _bad(self, mint_fn: Any) -> dict[str, str]:
        now = int(time.time())
        is_id = mint_fn == self.id_token
        real_header = self.id_token_header() if is_id else self.access_token_header()
        if real_header["alg"] == "HS256":
            forged = mint_fn(key="not-the-client-secret-" + "x" * 40)
        else:
            forged = mint_fn(key=self.attacker_key)
        pem_hs256 = mint_fn(
            header={"alg": "HS256", "kid": self.key.kid, "typ": "JWT"}, key=self.key.public_pem
        )
        if self.name == "cognito" and mint_fn == self.access_token:
            # Cognito access tokens carry no aud: the audience is the client_id claim.
            wrong_aud = mint_fn(client_id="some-other-client-id")
        else:
            wrong_aud = mint_fn(aud="some-other-client-id")
        return {
            "expired": mint_fn(expires_in=-3600, iat=now - 7200),
            "forged": forged,
            "wrong_audience": wrong_aud,
            "wrong_issuer": mint_fn(iss=self.issuer.rstrip("/") + ".evil.example/"),
            "alg_none": mint_fn(header={"alg": "none"}, key=None),
            "hs256_public_key": pem_hs256,
            "truncated_signature": mint_fn().rsplit(".", 1)[0] + ".",
            "not_a_jwt": "not-a-jwt",
        }

    def bad_id_tokens(self) -> dict[str, str]:
        """Hostile/invalid variants of the ID token, name -> token. All must give 401.

        expired, forged (attacker key with the real kid, or a wrong HS256 secret),
        wrong_audience, wrong_issuer, alg_none, hs256_public_key (HS256 keyed with the
        provider's public PEM), truncated_signature, not_a_jwt.
        """
        return self._bad(self.id_token)

    def bad_access_tokens(self) -> dict[str, str]:
        """Same corpus built from the access token (for dual/strict verifiers); for Cognito,
        wrong_audience changes ``client_id`` (its access tokens have no aud)."""
        return self._bad(self.access_token)

    # ---- migration config -------------------------------------------------------------------

    def migration_config(self, *, sunset: str = "2099-01-01", **extra: Any) -> dict[str, Any]:
        """A dict for ``idtoken-migrate.yaml`` (product.md keys) matching this provider and
        the fixture apps: pinned issuer and JWKS URL on 127.0.0.1, API audience, legacy client
        id (and ``secret_env`` for Auth0's HS256), and the claim map. ``extra`` is merged on top."""
        legacy: dict[str, Any] = {"client_ids": [self.client_id], "algorithms": [self.id_alg]}
        if self.id_alg == "HS256":
            legacy["secret_env"] = "AUTH0_CLIENT_SECRET"
        cfg: dict[str, Any] = {
            "version": 1,
            "provider": self.name,
            "issuer": self.issuer,
            "jwks_uri": self.jwks_uri,
            "access_token": {
                "audience": self.api_audience if self.name != "cognito" else [self.client_id],
                "algorithms": [self.key.alg],
                "required_scopes": [],
            },
            "legacy_id_token": legacy,
            "window": {"sunset": sunset, "kill_switch_env": "IDTOKEN_MIGRATE_REJECT_ID_TOKENS"},
            "claims": dict(self.claims_map),
        }
        for k, v in extra.items():
            if isinstance(v, dict) and isinstance(cfg.get(k), dict):
                cfg[k] = {**cfg[k], **v}
            else:
                cfg[k] = v
        return cfg


def make_providers(server: JwksServer) -> dict[str, Provider]:
    """Create the five providers, publish their JWKS (and discovery docs) on ``server``."""
    providers: dict[str, Provider] = {}

    def publish(issuer_path: str, jwks_suffix: str, key: SigningKey) -> tuple[str, str]:
        jwks_path = issuer_path.rstrip("/") + jwks_suffix
        # a second, unrelated key in every set, like real rotating JWKS
        other = SigningKey.generate(kid=key.kid + "-next", alg=key.alg)
        jwks_uri = server.add(jwks_path, {"keys": [key.public_jwk, other.public_jwk]})
        issuer = server.url(issuer_path)
        server.add(
            issuer_path.rstrip("/") + "/.well-known/openid-configuration",
            {
                "issuer": issuer,
                "jwks_uri": jwks_uri,
                "id_token_signing_alg_values_supported": [key.alg],
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
            },
        )
        return issuer, jwks_uri

    # Auth0: the issuer stays a real-looking https URL (the legacy HS256 app never fetches
    # anything); the RS256 access-token keys are served locally and pinned via jwks_uri.
    k = SigningKey.generate("auth0-rs256-1")
    jwks_uri = server.add("/auth0/.well-known/jwks.json", {"keys": [k.public_jwk]})
    providers["auth0"] = Provider(
        name="auth0",
        issuer="https://idtoken-test.eu.auth0.com/",
        jwks_uri=jwks_uri,
        client_id="aK3sOqh7Rz8XbLm2Vt9YcW1eFgHiJkLn",
        api_audience="https://api.idtoken-test.example",
        key=k,
        attacker_key=SigningKey.generate(k.kid),
        id_alg="HS256",
        client_secret="zQ8v-Legacy-Client-Secret-4f6d9e2b1a7c3e5f8d0b2a4c6e8f1d3b5a7c9e1f",
        claims_map={"email": "https://idtoken-test.example/email"},
        extra_env={"AUTH0_DOMAIN": "idtoken-test.eu.auth0.com"},
    )

    k = SigningKey.generate("cognito-rs256-1")
    pool = "/eu-west-1_Ab12Cd34E"
    issuer, jwks_uri = publish(pool, "/.well-known/jwks.json", k)
    providers["cognito"] = Provider(
        name="cognito",
        issuer=issuer,
        jwks_uri=jwks_uri,
        client_id="3n4b5urk1ft4fl3mg5e62d9ado",
        api_audience="3n4b5urk1ft4fl3mg5e62d9ado",  # access tokens: checked against client_id
        key=k,
        attacker_key=SigningKey.generate(k.kid),
        id_alg="RS256",
        claims_map={"email": "email", "cognito:username": "username"},
    )

    k = SigningKey.generate("keycloak-rs256-1")
    issuer, jwks_uri = publish("/realms/acme", "/protocol/openid-connect/certs", k)
    providers["keycloak"] = Provider(
        name="keycloak",
        issuer=issuer,
        jwks_uri=jwks_uri,
        client_id="acme-web",
        api_audience="acme-api",
        key=k,
        attacker_key=SigningKey.generate(k.kid),
        id_alg="RS256",
        claims_map={"email": "email"},
    )

    k = SigningKey.generate("okta-rs256-1")
    issuer, jwks_uri = publish("/oauth2/default", "/v1/keys", k)
    providers["okta"] = Provider(
        name="okta",
        issuer=issuer,
        jwks_uri=jwks_uri,
        client_id="0oa1b2c3d4E5f6G7h8i9",
        api_audience="api://default",
        key=k,
        attacker_key=SigningKey.generate(k.kid),
        id_alg="RS256",
        claims_map={"email": "email"},
    )

    k = SigningKey.generate("generic-es256-1", alg="ES256")
    issuer, jwks_uri = publish("/oidc", "/jwks", k)
    providers["generic"] = Provider(
        name="generic",
        issuer=issuer,
        jwks_uri=jwks_uri,
        client_id="webapp-7f3c",
        api_audience="https://api.idtoken-test.example",
        key=k,
        attacker_key=SigningKey.generate(k.kid, alg="ES256"),
        id_alg="ES256",
        claims_map={"email": "email"},
    )
    return providers
