"""Google Sign-In to a generic OpenID issuer, end to end (issue 15, point 1).

`tests/fixtures/flask_google_signin` is a Flask API whose web and Android front ends send the
Google Sign-In ID token on every call, verified with google-auth's
`id_token.verify_oauth2_token(token, request, CLIENT_ID)` plus the issuer check of Google's own
sample (the shape of wgdp444/oicjob-rest-api and klarman-cell-observatory/cirrocumulus,
tests/corpus/SOURCES.md). Google issues no JWT access tokens for the API, so the migration moves
it to another issuer, with Google's ID tokens as the legacy ones of a second issuer.

Two issuers publish their JWKS on 127.0.0.1, each signing with its own real RSA key. The app runs
as `python app.py` and is asked over real HTTP after `init`, `plan`, `apply --phase dual`, the
kill switch, the sunset and `apply --phase strict`. Every attack (a token of one issuer signed
with the other's key, issuer confusion, alg confusion) is the app's 401, never a 500.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli

from .harness import FIXTURES_DIR, JwksServer, SigningKey, mint
from .phases import KILL_SWITCH, run
from .served import serve

NAME = "flask_google_signin"
GOOGLE = "https://accounts.google.com"
WEB_CLIENT = "1234567890-web.apps.googleusercontent.com"
ANDROID_CLIENT = "1234567890-android.apps.googleusercontent.com"
API = "https://notes-api.example.com"
EMAIL = "ada@example.com"
GOOGLE_CERTS = "/google-signin/oauth2/v3/certs"
IDP_JWKS = "/login/.well-known/jwks.json"


class Issuers:
    """Google (the legacy ID tokens) and the new issuer (the access tokens), each with its key."""

    def __init__(self, server: JwksServer) -> None:
        self.server = server
        self.google_key = SigningKey.generate("google-2026-05")
        self.idp_key = SigningKey.generate("login-2026-05")
        self.issuer = server.url("/login")
        self.google_jwks = server.add(GOOGLE_CERTS, {"keys": [self.google_key.public_jwk]})
        self.idp_jwks = server.add(IDP_JWKS, {"keys": [self.idp_key.public_jwk]})

    def google_hits(self) -> int:
        return self.server.hits[GOOGLE_CERTS]

    def google_id_token(
        self, *, key: SigningKey | bytes | None = None, header: dict | None = None, **claims: Any
    ) -> str:
        """An ID token as Google Sign-In on Android issues it: aud the web client, azp its own."""
        now = int(time.time())
        payload = {
            "iss": GOOGLE,
            "azp": ANDROID_CLIENT,
            "aud": WEB_CLIENT,
            "sub": "110169484474386276334",
            "email": EMAIL,
            "email_verified": True,
            "name": "Ada Lovelace",
            "iat": now,
            "exp": now + 3600,
            **claims,
        }
        head = {"alg": "RS256", "kid": self.google_key.kid, "typ": "JWT", **(header or {})}
        payload = {name: value for name, value in payload.items() if value is not None}
        return mint(head, payload, self.google_key if key is None else key)

    def access_token(
        self, *, key: SigningKey | bytes | None = None, header: dict | None = None, **claims: Any
    ) -> str:
        """An RFC 9068 access token of the new issuer for the API."""
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": API,
            "sub": "user-42",
            "client_id": "notes-android",
            "scope": "notes:read",
            "email": EMAIL,
            "jti": "at-1",
            "iat": now,
            "exp": now + 3600,
            **claims,
        }
        head = {"alg": "RS256", "kid": self.idp_key.kid, "typ": "at+jwt", **(header or {})}
        payload = {name: value for name, value in payload.items() if value is not None}
        return mint(head, payload, self.idp_key if key is None else key)

    def attacks(self) -> dict[str, str]:
        google, idp = self.google_key, self.idp_key
        return {
            # a token of one issuer signed by the other's key, under either kid
            "google-iss-idp-key": self.google_id_token(key=idp, header={"kid": idp.kid}),
            "google-kid-idp-key": self.google_id_token(key=idp),
            "idp-iss-google-key": self.access_token(key=google, header={"kid": google.kid}),
            "idp-kid-google-key": self.access_token(key=google),
            # issuer confusion
            "google-token-claiming-idp": self.google_id_token(iss=self.issuer),
            "access-token-claiming-google": self.access_token(iss=GOOGLE),
            "google-iss-trailing-slash": self.google_id_token(iss=GOOGLE + "/"),
            "google-iss-prefix": self.google_id_token(iss=GOOGLE + ".evil.example"),
            "idp-id-token": self.access_token(
                header={"typ": "JWT"}, aud="notes-web", nonce="n-1", scope=None
            ),
            # alg confusion: HS256 keyed with each issuer's public key, none
            "hs256-google-pem": self.google_id_token(
                key=google.public_pem, header={"alg": "HS256"}
            ),
            "hs256-idp-pem": self.access_token(key=idp.public_pem, header={"alg": "HS256"}),
            "alg-none-google": self.google_id_token(key=b"", header={"alg": "none"}),
            "alg-none-idp": self.access_token(key=b"", header={"alg": "none"}),
            # plain bad tokens
            "google-expired": self.google_id_token(exp=int(time.time()) - 3600),
            "google-other-client": self.google_id_token(aud="other.apps.googleusercontent.com"),
            "google-foreign-azp": self.google_id_token(azp="evil.apps.googleusercontent.com"),
            "access-other-api": self.access_token(aud="https://other-api.example.com"),
            "not-a-jwt": "ya29.a0AfH6SMBopaque",
        }

    def config(self, sunset: str = "2099-01-01") -> dict[str, Any]:
        """The config `init` proposed, its TODOs filled in as the user would."""
        return {
            "version": 1,
            "provider": "generic",
            "issuer": self.issuer,
            "jwks_uri": self.idp_jwks,
            "access_token": {"audience": API, "algorithms": ["RS256"], "require_at_jwt": True},
            "legacy_id_token": {
                "provider": "google",
                "issuer": GOOGLE,
                "jwks_uri": self.google_jwks,
                "client_ids": [WEB_CLIENT],
                "authorized_parties": [ANDROID_CLIENT],
                "algorithms": ["RS256"],
            },
            "window": {"sunset": sunset},
            "claims": {"email": "email"},  # the IdP's access tokens carry it (g.user["email"])
        }


@pytest.fixture
def issuers(jwks_server: JwksServer) -> Issuers:
    return Issuers(jwks_server)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    dest = tmp_path / NAME
    shutil.copytree(FIXTURES_DIR / NAME, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def served(folder: Path, **env: str) -> Any:
    return serve(folder, ["app.py"], {"GOOGLE_CLIENT_ID": WEB_CLIENT, **env}, ready="/healthz")


def plan_json(folder: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["plan", str(folder), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def write_config(folder: Path, config: dict[str, Any]) -> None:
    (folder / "idtoken-migrate.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def assert_attacks_refused(app: Any, issuers: Issuers) -> None:
    for name, token in issuers.attacks().items():
        response = app.get("/api/me", token=token)
        assert response.status == 401, f"{name}: {response.status} {response.text}"


def test_init_proposes_the_two_issuer_shape(folder: Path) -> None:
    code, out = run("init", str(folder))
    assert code == 0, out
    starter = yaml.safe_load((folder / "idtoken-migrate.yaml").read_text())
    assert starter["provider"] == "generic"  # Google issues no JWT access tokens for the API
    legacy = starter["legacy_id_token"]
    assert (legacy["provider"], legacy["issuer"]) == ("google", GOOGLE)
    assert "authorized_parties" in legacy
    code, out = run("plan", str(folder))
    assert code == 2 and "placeholder" in out  # the TODOs stop the plan until filled in


def test_google_sign_in_migrates_dual_sunset_strict(folder: Path, issuers: Issuers) -> None:
    write_config(folder, issuers.config())
    plan = plan_json(folder)
    assert [site["action"] for site in plan["sites"]] == ["migrate"]
    email = next(c for c in plan["claims"] if c["claim"] == "email")
    assert email["provided"] and "app.py:22 (subscript)" in email["reads"]  # through Flask g
    assert any(step.startswith("Two issuers:") for step in plan["manual_steps"])

    code, out = run("apply", str(folder), "--phase", "dual", "--write")
    assert code == 0, out
    auth = (folder / "auth.py").read_text()
    assert "verify_oauth2_token" not in auth and "google.oauth2" not in auth
    with served(folder) as app:
        for issuer in (GOOGLE, "accounts.google.com"):
            legacy = app.get("/api/me", token=issuers.google_id_token(iss=issuer))
            assert legacy.status == 200, legacy.text + app.output()
            assert legacy.json()["email"] == EMAIL
        access = app.get("/api/me", token=issuers.access_token())
        assert access.status == 200, access.text + app.output()
        assert access.json() == {"email": EMAIL, "sub": "user-42"}
        assert app.get("/api/notes", token=issuers.access_token()).status == 200
        assert_attacks_refused(app, issuers)
        assert "Traceback" not in app.output()

    with served(folder, **{KILL_SWITCH: "1"}) as app:
        assert app.get("/api/me", token=issuers.google_id_token()).status == 401
        assert app.get("/api/me", token=issuers.access_token()).status == 200

    write_config(folder, issuers.config(sunset="2020-01-01"))
    code, out = run("apply", str(folder), "--phase", "dual", "--write")
    assert code == 0, out
    with served(folder) as app:
        before = issuers.google_hits()
        assert app.get("/api/me", token=issuers.google_id_token()).status == 401
        assert app.get("/api/me", token=issuers.access_token()).status == 200
        assert issuers.google_hits() == before  # refused before any legacy key is fetched

    strict_steps = plan_json(folder, "--phase", "strict")["manual_steps"]
    assert any("strict removes the legacy issuer" in step for step in strict_steps)
    code, out = run("apply", str(folder), "--phase", "strict", "--write", "--force")
    assert code == 0, out
    verifier = (folder / "token_verifier.py").read_text()
    for gone in ("accounts.google.com", GOOGLE_CERTS, WEB_CLIENT, "LEGACY", "_verify_legacy"):
        assert gone not in verifier
    with served(folder) as app:
        before = issuers.google_hits()
        for issuer in (GOOGLE, "accounts.google.com"):
            assert app.get("/api/me", token=issuers.google_id_token(iss=issuer)).status == 401
        access = app.get("/api/me", token=issuers.access_token())
        assert access.status == 200, access.text + app.output()
        assert_attacks_refused(app, issuers)
        assert issuers.google_hits() == before  # strict never fetches Google's keys
        assert "Traceback" not in app.output()
