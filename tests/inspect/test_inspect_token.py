"""inspect-token: real signed tokens of each provider's shape, through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from typer.testing import CliRunner

from idtoken_migrate.cli import app
from idtoken_migrate.inspect.timing import humanize

ROOT = Path(__file__).resolve().parents[2]
NOW = 1_780_000_000  # 2026-05-28, before the sunset
NOW_ARG = ["--now", str(NOW)]


@dataclass(frozen=True)
class Key:
    kid: str
    alg: str
    private: Any

    def jwk(self) -> dict[str, Any]:
        algorithm = (
            jwt.algorithms.RSAAlgorithm if self.alg == "RS256" else jwt.algorithms.ECAlgorithm
        )
        data = algorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**data, "kid": self.kid, "alg": self.alg, "use": "sig"}


@pytest.fixture(scope="module")
def rsa_key() -> Key:
    return Key("rsa-1", "RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="module")
def ec_key() -> Key:
    return Key("ec-1", "ES256", ec.generate_private_key(ec.SECP256R1()))


def sign(key: Key, claims: dict[str, Any], typ: str | None = "JWT", **times: int) -> str:
    payload = {"iat": NOW - 60, "exp": NOW + 3600, **claims, **times}
    headers: dict[str, Any] = {"kid": key.kid}
    if typ is None:
        headers["typ"] = None  # PyJWT drops a None typ
    else:
        headers["typ"] = typ
    return jwt.encode(payload, key.private, algorithm=key.alg, headers=headers)


# --- provider shapes: (config, access-token claims, ID-token claims) ------------------------------

AUTH0 = {
    "provider": "auth0",
    "issuer": "https://acme.eu.auth0.com/",
    "audience": "https://api.example.com",
    "client": "AbCdEf123",
}
PROVIDERS: dict[str, dict[str, Any]] = {
    "auth0": {
        **AUTH0,
        "access": {
            "sub": "auth0|42",
            "aud": ["https://api.example.com", "https://acme.eu.auth0.com/userinfo"],
            "azp": "AbCdEf123",
            "scope": "openid profile read",
        },
        "id": {"sub": "auth0|42", "aud": "AbCdEf123", "nonce": "n-0S6", "email": "a@example.com"},
        "evidence": ("aud contains the configured API audience", "`nonce` present"),
    },
    "cognito": {
        "provider": "cognito",
        "issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123",
        "audience": "4k2j3h4g5f6d7s8a9",
        "client": "4k2j3h4g5f6d7s8a9",
        "typ": None,
        "access": {
            "sub": "8f1c",
            "client_id": "4k2j3h4g5f6d7s8a9",
            "token_use": "access",
            "scope": "openid read",
            "username": "ada",
        },
        "id": {"sub": "8f1c", "aud": "4k2j3h4g5f6d7s8a9", "token_use": "id", "email": "a@x"},
        "evidence": ("token_use = 'access'", "token_use = 'id'"),
    },
    "keycloak": {
        "provider": "keycloak",
        "issuer": "https://sso.example.com/realms/acme",
        "audience": "orders-api",
        "client": "web-frontend",
        "access": {
            "sub": "f3b9",
            "typ": "Bearer",
            "aud": ["orders-api", "account"],
            "azp": "web-frontend",
            "scope": "openid email",
        },
        "id": {"sub": "f3b9", "typ": "ID", "aud": "web-frontend", "azp": "web-frontend"},
        "evidence": ("typ = 'Bearer'", "typ = 'ID'"),
    },
    "okta": {
        "provider": "okta",
        "issuer": "https://acme.okta.com/oauth2/default",
        "audience": "api://default",
        "client": "0oa1b2c3d4e5f6g7h8",
        "typ": None,
        "access": {
            "sub": "ada@example.com",
            "aud": "api://default",
            "cid": "0oa1b2c3d4e5f6g7h8",
            "uid": "00u1",
            "scp": ["openid", "read"],
            "ver": 1,
        },
        "id": {"sub": "00u1", "aud": "0oa1b2c3d4e5f6g7h8", "amr": ["pwd"], "nonce": "n-2"},
        "evidence": ("`cid` present and `scp` present", "`nonce` present"),
    },
    "entra": {
        "provider": "entra",
        "issuer": "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0",
        "audience": "api://orders",
        "client": "6731de76-14a6-49ae-97bc-6eba6914391e",
        "access": {
            "sub": "AAAA",
            "aud": "api://orders",
            "azp": "6731de76-14a6-49ae-97bc-6eba6914391e",
            "scp": "Orders.Read",
            "ver": "2.0",
        },
        "id": {
            "sub": "AAAA",
            "aud": "6731de76-14a6-49ae-97bc-6eba6914391e",
            "ver": "2.0",
            "nonce": "n-3",
        },
        "evidence": ("`scp` present", "`nonce` present"),
    },
}


def write_config(folder: Path, shape: dict[str, Any], **extra: str) -> Path:
    lines = [
        "version: 1",
        f"provider: {shape['provider']}",
        f"issuer: {extra.get('issuer', shape['issuer'])}",
    ]
    if "jwks_uri" in extra:
        lines.append(f"jwks_uri: {extra['jwks_uri']}")
    lines += [
        "access_token:",
        f"  audience: [{shape['audience']!r}]",
        "  algorithms: [RS256, ES256]",
        "legacy_id_token:",
        f"  client_ids: [{shape['client']!r}]",
        "  algorithms: [RS256, ES256]",
        "window:",
        "  sunset: 2027-03-01",
    ]
    path = folder / "idtoken-migrate.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def invoke(*args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(app, ["inspect-token", *args], input=stdin, catch_exceptions=False)


def inspect_json(token: str, *args: str) -> dict[str, Any]:
    result = invoke("-", "--format", "json", *NOW_ARG, *args, stdin=token)
    assert result.exit_code == 0, result.stdout + result.stderr
    parts = token.split(".")
    if len(parts) == 3:
        assert parts[2] not in result.stdout  # never the signature
    else:
        assert token not in result.stdout  # never the whole token
    return json.loads(result.stdout)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no config unless a test writes one
    monkeypatch.delenv("IDTOKEN_MIGRATE_REJECT_ID_TOKENS", raising=False)


# --- each provider: access token vs ID token -----------------------------------------------------


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_access_and_id_tokens_of_each_provider(
    provider: str, rsa_key: Key, ec_key: Key, tmp_path: Path
) -> None:
    shape = PROVIDERS[provider]
    config = str(write_config(tmp_path, shape))
    typ = shape.get("typ", "JWT")
    access = sign(rsa_key, {"iss": shape["issuer"], **shape["access"]}, typ)
    id_token = sign(ec_key, {"iss": shape["issuer"], **shape["id"]}, typ)

    report = inspect_json(access, "--config", config)
    assert report["kind"] == "access_token"
    assert report["kind_source"] == "verifier"
    assert report["provider"]["id"] == provider
    assert report["issuer"]["matches"] is True
    decisions = {d["phase"]: d for d in report["verifiers"]}
    assert decisions["dual"]["decision"] == "accept"
    assert decisions["dual"]["kind"] == "access_token"
    assert decisions["dual"]["signature"] == "not_checked"
    assert decisions["strict"]["decision"] == "accept"
    assert any(shape["evidence"][0] in e["text"] for e in report["evidence"]), report["evidence"]

    report = inspect_json(id_token, "--config", config)
    assert report["kind"] == "id_token"
    decisions = {d["phase"]: d for d in report["verifiers"]}
    assert decisions["dual"]["decision"] == "accept"
    assert decisions["dual"]["kind"] == "legacy_id_token"
    assert decisions["strict"]["reason"] == "id_token_not_accepted"
    assert any(shape["evidence"][1] in e["text"] for e in report["evidence"]), report["evidence"]


def test_entra_app_only_token_with_roles(rsa_key: Key, tmp_path: Path) -> None:
    shape = PROVIDERS["entra"]
    config = str(write_config(tmp_path, shape))
    claims = {
        "iss": shape["issuer"],
        "sub": "svc",
        "aud": "api://orders",
        "azp": "daemon-app",
        "roles": ["Orders.ReadAll"],
        "ver": "2.0",
    }
    report = inspect_json(sign(rsa_key, claims), "--config", config)
    assert report["kind"] == "access_token"
    assert any("roles" in e["text"] for e in report["evidence"])
    assert any("ver: '2.0'" in e["text"] for e in report["evidence"])


def test_auth0_token_with_api_and_client_audience_is_ambiguous(
    rsa_key: Key, tmp_path: Path
) -> None:
    config = str(write_config(tmp_path, AUTH0))
    claims = {"iss": AUTH0["issuer"], "sub": "x", "aud": ["https://api.example.com", "AbCdEf123"]}
    claims["azp"] = "AbCdEf123"
    report = inspect_json(sign(rsa_key, claims), "--config", config)
    assert report["kind"] == "ambiguous"
    assert {d["reason"] for d in report["verifiers"]} == {"ambiguous_token"}


def test_text_report_of_an_auth0_access_token(rsa_key: Key, tmp_path: Path) -> None:
    shape = PROVIDERS["auth0"]
    config = str(write_config(tmp_path, shape))
    token = sign(rsa_key, {"iss": shape["issuer"], **shape["access"]}, exp=NOW + 12 * 60 + 5)
    result = invoke("-", "--config", config, *NOW_ARG, stdin=f"Bearer {token}\n")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Kind: access token (Auth0, from idtoken-migrate.yaml)" in out
    assert "expires in 12 minutes" in out
    assert "matches the configured issuer" in out
    assert "signature not checked (offline); use --verify" in out
    assert "dual (configured)  accept as access token, if the signature verifies" in out
    assert "removed Bearer" in out
    assert token.split(".")[2] not in out + result.stderr
    assert token not in out
    assert result.stderr == ""  # stdin: no history warning


def test_expired_id_token_says_so_in_human_terms(rsa_key: Key, tmp_path: Path) -> None:
    shape = PROVIDERS["auth0"]
    config = str(write_config(tmp_path, shape))
    token = sign(rsa_key, {"iss": shape["issuer"], **shape["id"]}, exp=NOW - 3 * 3600 - 30)
    result = invoke("-", "--config", config, *NOW_ARG, stdin=token)
    assert result.exit_code == 0
    assert "Kind: ID token" in result.stdout
    assert "expired 3 hours ago" in result.stdout
    assert "reject: expired" in result.stdout


def test_after_the_sunset_dual_refuses_the_id_token(rsa_key: Key, tmp_path: Path) -> None:
    shape = PROVIDERS["auth0"]
    config = str(write_config(tmp_path, shape))
    token = sign(rsa_key, {"iss": shape["issuer"], **shape["id"]}, iat=0, exp=NOW * 2)
    result = invoke("-", "--config", config, "--today", "2027-03-02", stdin=token)
    assert result.exit_code == 0
    assert "reject: id_token_after_sunset" in result.stdout


def test_issuer_with_a_missing_trailing_slash(rsa_key: Key, tmp_path: Path) -> None:
    shape = PROVIDERS["auth0"]
    config = str(write_config(tmp_path, shape))
    token = sign(rsa_key, {**shape["access"], "iss": "https://acme.eu.auth0.com"})
    report = inspect_json(token, "--config", config)
    assert report["issuer"]["matches"] is False
    assert "trailing slash" in report["issuer"]["text"]
    assert {d["reason"] for d in report["verifiers"]} == {"wrong_issuer"}


def test_hs256_token_explains_invalid_signature(tmp_path: Path) -> None:
    shape = PROVIDERS["auth0"]
    config = str(write_config(tmp_path, shape))
    claims = {"iss": shape["issuer"], **shape["id"], "iat": NOW, "exp": NOW + 60}
    token = jwt.encode(claims, "a-client-secret-of-at-least-thirty-two-bytes", algorithm="HS256")
    report = inspect_json(token, "--config", config)
    assert report["kind"] == "id_token"
    assert any('"invalid signature"' in note for note in report["notes"])
    assert {d["reason"] for d in report["verifiers"]} == {"disallowed_algorithm"}


# --- no config, Google, opaque and broken input ------------------------------------------------


def test_without_config_guesses_from_markers(rsa_key: Key) -> None:
    shape = PROVIDERS["cognito"]
    report = inspect_json(sign(rsa_key, {"iss": shape["issuer"], **shape["access"]}, None))
    assert report["kind"] == "access_token"
    assert report["kind_source"] == "heuristics"
    assert report["provider"] == {
        "id": "cognito",
        "name": "Amazon Cognito",
        "guessed": True,
        "configured": False,
        "config": None,
    }
    assert report["verifiers"] == []
    assert any("makes it precise" in note for note in report["notes"])

    keycloak = PROVIDERS["keycloak"]
    report = inspect_json(sign(rsa_key, {"iss": "https://idp.example/x", **keycloak["id"]}))
    assert (report["kind"], report["provider"]["id"]) == ("id_token", "generic")
    auth0 = PROVIDERS["auth0"]
    report = inspect_json(sign(rsa_key, {"iss": auth0["issuer"], **auth0["access"]}))
    assert (report["kind"], report["provider"]["id"]) == ("access_token", "auth0")


def test_google_id_token(rsa_key: Key, tmp_path: Path) -> None:
    config = tmp_path / "google.yaml"
    config.write_text(
        "version: 1\nprovider: google\nissuer: https://accounts.google.com\n"
        "legacy_id_token:\n  client_ids: [123.apps.googleusercontent.com]\n",
        encoding="utf-8",
    )
    claims = {
        "iss": "https://accounts.google.com",
        "sub": "1045",
        "aud": "123.apps.googleusercontent.com",
        "azp": "123.apps.googleusercontent.com",
        "email": "ada@gmail.com",
        "at_hash": "abc",
    }
    report = inspect_json(sign(rsa_key, claims), "--config", str(config))
    assert report["kind"] == "id_token"
    assert any("signs only ID tokens" in e["text"] for e in report["evidence"])
    assert {d["decision"] for d in report["verifiers"]} == {"unavailable"}
    assert "no JWT access tokens" in report["verifiers"][0]["detail"]


def test_opaque_tokens_are_an_answer(tmp_path: Path) -> None:
    config = str(write_config(tmp_path, PROVIDERS["auth0"]))
    result = invoke("-", "--config", config, stdin="gZ4vTzQx8bL1yN2cR5mK7pW9sD3fH6jA\n")
    assert result.exit_code == 0, result.stderr
    assert "not a JWT (opaque token)" in result.stdout
    assert "without an `audience` parameter" in result.stdout
    assert "audience=https://api.example.com" in result.stdout
    assert "reject: malformed" in result.stdout

    report = inspect_json("ya29.a0AfH6SMBxQ-opaque_google_token")
    assert (report["kind"], report["format"]) == ("opaque", "opaque")
    assert any("Google" in note and "tokeninfo" in note for note in report["notes"])


def test_encrypted_auth0_token_is_opaque() -> None:
    header = jwt.utils.base64url_encode(
        json.dumps({"alg": "dir", "enc": "A256GCM", "iss": "https://acme.eu.auth0.com/"}).encode()
    ).decode()
    token = f"{header}..aXYxMjM0NTY3ODkw.Y2lwaGVydGV4dA.dGFnMTIzNDU2Nzg5MA"
    report = inspect_json(token)  # "dir": empty encrypted key
    assert (report["kind"], report["format"]) == ("opaque", "jwe")
    assert report["header"]["enc"] == "A256GCM"
    assert any("Auth0" in note for note in report["notes"])


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("", "no token given"),
        ("   \n", "no token given"),
        ("Bearer\n", "no token given"),
        ("not a token, really!", "not a bearer token"),
        ("Bearer  eyJhbGciOiJSUzI1NiJ9 eyJzdWIiOiIxIn0", "not a bearer token"),
        ("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0", "2 segments"),
        ("eyJhbGciOi.eyJzdWIiOiIxIn0.c2ln", "header is not base64url JSON"),
        ("eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln", "payload is not base64url JSON"),
    ],
)
def test_input_that_is_no_token_exits_2(stdin: str, message: str) -> None:
    result = invoke("-", stdin=stdin)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("idtoken-migrate: error: ")
    assert message in result.stderr


def test_token_as_argument_warns_about_shell_history(rsa_key: Key) -> None:
    token = sign(rsa_key, {"iss": "https://idp.example/", "sub": "1", "nonce": "n"})
    result = invoke(token, *NOW_ARG)
    assert result.exit_code == 0
    assert "shell history" in result.stderr
    assert "inspect-token -" in result.stderr
    assert token.split(".")[2] not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--config", "missing.yaml"],
        ["--format", "yaml"],
        ["--now", "1", "--today", "2026-01-01"],
        ["--today", "2026-02-30"],
        ["--now", "yesterday"],
    ],
)
def test_usage_errors_exit_2(args: list[str], rsa_key: Key) -> None:
    result = invoke("-", *args, stdin=sign(rsa_key, {"sub": "1"}))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1


def test_json_shape(rsa_key: Key, tmp_path: Path) -> None:
    shape = PROVIDERS["okta"]
    config = str(write_config(tmp_path, shape))
    report = inspect_json(
        sign(rsa_key, {"iss": shape["issuer"], **shape["access"]}), "--config", config
    )
    assert set(report) == {
        "version",
        "format",
        "kind",
        "kind_source",
        "provider",
        "header",
        "claims",
        "signature",
        "evidence",
        "notes",
        "expiry",
        "issuer",
        "verifiers",
        "now",
        "stripped",
    }
    assert report["version"] == 1
    assert report["format"] == "jwt"
    assert report["header"] == {"alg": "RS256", "kid": "rsa-1", "typ": "JWT"}
    assert report["claims"]["cid"] == shape["access"]["cid"]
    assert report["signature"] == {
        "bytes": 256,
        "checked": False,
        "note": "signature not checked (offline); use --verify",
    }
    assert report["expiry"]["state"] == "valid"
    assert report["expiry"]["seconds"] == 3600
    assert [d["phase"] for d in report["verifiers"]] == ["dual", "strict"]
    assert set(report["verifiers"][0]) == {
        "phase",
        "configured",
        "decision",
        "kind",
        "reason",
        "detail",
        "signature",
        "text",
    }


def test_humanize() -> None:
    assert humanize(3 * 3600 + 100) == "3 hours"
    assert humanize(-12 * 60) == "12 minutes"
    assert humanize(1) == "1 second"
    assert humanize(5 * 86400) == "5 days"


# --- --verify against a JWKS on 127.0.0.1 --------------------------------------------------------


class _Jwks:
    def __init__(self, document: dict[str, Any]) -> None:
        body = json.dumps(document).encode()
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture()
def jwks(rsa_key: Key, ec_key: Key) -> Iterator[_Jwks]:
    server = _Jwks({"keys": [rsa_key.jwk(), ec_key.jwk()]})
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def test_verify_fetches_the_jwks_and_checks_the_signature(
    rsa_key: Key, jwks: _Jwks, tmp_path: Path
) -> None:
    shape = PROVIDERS["keycloak"]
    config = str(write_config(tmp_path, shape, jwks_uri=jwks.url))
    token = sign(rsa_key, {"iss": shape["issuer"], **shape["access"]})

    offline = inspect_json(token, "--config", config)
    assert jwks.requests == 0  # offline means offline
    assert offline["signature"]["checked"] is False

    report = inspect_json(token, "--config", config, "--verify")
    assert jwks.requests >= 1
    assert report["signature"]["checked"] is True
    for decision in report["verifiers"]:
        assert (decision["decision"], decision["signature"]) == ("accept", "checked")

    forger = Key(
        rsa_key.kid, "RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    forged = sign(forger, {"iss": shape["issuer"], **shape["access"]})
    assert inspect_json(forged, "--config", config)["verifiers"][0]["decision"] == "accept"
    report = inspect_json(forged, "--config", config, "--verify")
    assert {d["reason"] for d in report["verifiers"]} == {"bad_signature"}
    result = invoke("-", "--config", config, "--verify", *NOW_ARG, stdin=forged)
    assert "signature checked" in result.stdout
    assert "reject: bad_signature" in result.stdout


# --- the installed entry point -------------------------------------------------------------------


def test_python_dash_m_reads_stdin(rsa_key: Key, tmp_path: Path) -> None:
    shape = PROVIDERS["cognito"]
    config = write_config(tmp_path, shape)
    token = sign(rsa_key, {"iss": shape["issuer"], **shape["id"]}, None)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "idtoken_migrate",
            "inspect-token",
            "-",
            "--config",
            str(config),
            *NOW_ARG,
        ],
        input=token + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "Kind: ID token (Amazon Cognito" in run.stdout
    assert "token_use = 'id'" in run.stdout
    assert token.split(".")[2] not in run.stdout + run.stderr
    assert run.stderr == ""


def test_verify_without_the_jwks_says_where_and_why_and_exits_1(
    rsa_key: Key, tmp_path: Path
) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/jwks.json"
    shape = PROVIDERS["keycloak"]
    config = str(write_config(tmp_path, shape, jwks_uri=url))
    token = sign(rsa_key, {"iss": shape["issuer"], **shape["access"]})
    result = invoke("-", "--config", config, "--verify", "--format", "json", *NOW_ARG, stdin=token)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["signature"]["checked"] is False
    assert {d["signature"] for d in report["verifiers"]} == {"not_checked"}
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("idtoken-migrate: error: --verify: the signature was not checked: ")
    assert f"cannot fetch the JWKS from {url}: " in line
    assert "refused" in line.lower()


def test_verify_without_a_config_exits_1(rsa_key: Key) -> None:
    token = sign(rsa_key, {"iss": "https://example.okta.com", "sub": "x", "aud": "api://x"})
    result = invoke("-", "--verify", *NOW_ARG, stdin=token)
    assert result.exit_code == 1
    assert "no verifier checked it" in result.stderr
