"""A FastAPI + python-jose app on Cognito, configured by its environment, whose own login route
hands out the ID token, migrated as a user would (issue 13 points 5 and 6): init, plan,
`apply --phase dual --write`, kill switch, sunset, `apply --phase strict --write`.

The app (tests/fixtures/fastapi_cognito_cookie) reads its pool from COGNITO_ISSUER and
COGNITO_CLIENT_ID, the defaults being the production pool; here they point at a pool on
127.0.0.1 (as a staging deployment would), and init traces them into issuer_env and
client_ids_env / audience_env, so the migrated verifier follows them. Its hosted-UI callback
trades a code at a token endpoint on 127.0.0.1 and stores the pool's ID token in the `id_token`
cookie the API reads; the plan names that hand-out as a required step. Real RSA tokens, JWKS on
127.0.0.1; every token gets the answer it got before (never a 500).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli

from .apploader import AppSpec, LoadedApp, load_app
from .harness import FIXTURES_DIR, Provider, mint

NAME = "fastapi_cognito_cookie"
SPEC = AppSpec("fastapi", "main:app")
KILL_SWITCH = "IDTOKEN_MIGRATE_REJECT_ID_TOKENS"
ME = "/api/me"


class TokenEndpoint:
    """The user pool's hosted-UI token endpoint on 127.0.0.1: POST /oauth2/token answers the
    tokens of `issue()` for any code; `codes` records what was traded."""

    def __init__(self, p: Provider) -> None:
        self.provider = p
        self.codes: list[str] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                length = int(self.headers.get("Content-Length", "0"))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                if self.path != "/oauth2/token" or form.get("grant_type") != ["authorization_code"]:
                    self.send_response(400)
                    self.end_headers()
                    return
                endpoint.codes += form.get("code", [])
                body = json.dumps(endpoint.issue()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def issue(self) -> dict[str, Any]:
        return {
            "id_token": self.provider.id_token(),
            "access_token": self.provider.access_token(),
            "refresh_token": "opaque-refresh-token",
            "token_type": "Bearer",
            "expires_in": 3600,
        }

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def pool(providers: dict[str, Provider]) -> Provider:
    return providers["cognito"]


@pytest.fixture(scope="module")
def endpoint(pool: Provider) -> Iterator[TokenEndpoint]:
    server = TokenEndpoint(pool)
    yield server
    server.close()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def environment(p: Provider, endpoint: TokenEndpoint) -> dict[str, str]:
    """The deployment under test: its own pool and client, not the production defaults."""
    return {
        "COGNITO_ISSUER": p.issuer,
        "COGNITO_CLIENT_ID": p.client_id,
        "COGNITO_DOMAIN_URL": endpoint.url,
        "COGNITO_CLIENT_SECRET": "hosted-ui-client-secret",
    }


@contextlib.contextmanager
def opened(folder: Path, p: Provider, endpoint: TokenEndpoint) -> Iterator[LoadedApp]:
    app = load_app(folder, SPEC, environment(p, endpoint))
    try:
        yield app
    finally:
        app.close()


def cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"id_token={token}"}


def sign_in(app: LoadedApp, **kw: Any) -> str:
    """The browser's sign-in: the callback's answer and the `id_token` cookie it sets."""
    response = app.get("/auth/callback?code=code-from-the-hosted-ui", **kw)
    assert response.status == 200, response.text
    set_cookie = response.headers.get("set-cookie", "")
    assert set_cookie.startswith("id_token=") and "HttpOnly" in set_cookie, set_cookie
    return set_cookie.split(";", 1)[0].split("=", 1)[1]


def attacks(p: Provider) -> dict[str, str]:
    return {**p.bad_id_tokens(), **{f"access-{k}": v for k, v in p.bad_access_tokens().items()}}


def answers(app: LoadedApp, p: Provider, **kw: Any) -> dict[tuple[str, str], int]:
    """Status per (token kind, how it is sent: the cookie or a bearer header)."""
    out = {}
    for kind, token in attacks(p).items():
        out[kind, "cookie"] = app.get(ME, headers=cookie(token), **kw).status
        out[kind, "header"] = app.get(ME, token=token, **kw).status
    return out


@pytest.fixture(scope="module")
def before(pool: Provider, endpoint: TokenEndpoint) -> dict[tuple[str, str], int]:
    with opened(FIXTURES_DIR / NAME, pool, endpoint) as app:
        return answers(app, pool)


def test_the_legacy_app(pool: Provider, endpoint: TokenEndpoint, before: dict) -> None:
    """The shape under test, before any change: the login cookie is the pool's ID token, the API
    verifies it with 401 / 403 branches, access tokens are refused."""
    with opened(FIXTURES_DIR / NAME, pool, endpoint) as app:
        issued = sign_in(app)
        assert json.loads(_payload(issued))["token_use"] == "id"
        me = app.get(ME, headers=cookie(issued))
        assert me.status == 200 and me.json()["email"] == pool.email, me.text
        assert app.get(ME, token=pool.id_token()).status == 200
        assert app.get(ME, token=pool.access_token()).status == 401
    assert before["expired", "cookie"] == 401
    assert before["wrong_audience", "cookie"] == before["wrong_issuer", "header"] == 403
    assert before["forged", "header"] == 401


def _payload(token: str) -> str:
    import base64

    part = token.split(".")[1]
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()


def migrate(tmp_path: Path, p: Provider, name: str, sunset: str = "2099-01-01") -> Path:
    """init as a user runs it, the review a user does (the sunset, the claim map), plan, dual."""
    folder = tmp_path / name
    shutil.copytree(FIXTURES_DIR / NAME, folder)
    code, out = run("init", str(folder))
    assert code == 0, out
    path = folder / "idtoken-migrate.yaml"
    config = yaml.safe_load(path.read_text())
    # traced from settings.py: the variables, their defaults the production pool
    assert config["issuer_env"] == "COGNITO_ISSUER"
    assert config["access_token"]["audience_env"] == "COGNITO_CLIENT_ID"
    assert config["legacy_id_token"]["client_ids_env"] == "COGNITO_CLIENT_ID"
    assert config["issuer"] != p.issuer and "eu-west-1_Pr0dShop7" in config["issuer"]
    config["window"]["sunset"] = sunset
    config["claims"] = dict(p.claims_map)
    path.write_text(yaml.safe_dump(config, sort_keys=False))

    code, out = run("plan", str(folder), "--format", "json")
    assert code == 0, out
    plan = json.loads(out)
    [handout] = plan["handouts"]
    assert (handout["path"], handout["symbol"], handout["sink"]) == (
        "main.py",
        "login_callback",
        "cookie",
    )
    assert plan["manual_steps"][0].startswith("required: main.py:")
    assert {e["name"] for e in plan["env"] if e["action"] == "read"} == {
        "COGNITO_ISSUER",
        "COGNITO_CLIENT_ID",
    }

    code, out = run("apply", str(folder), "--phase", "dual", "--write")
    assert code == 0 and "1 site(s) migrated" in out, out
    code, out = run("apply", str(folder), "--phase", "dual", "--check")
    assert code == 0, out  # nothing left to change after writing
    ruff_clean(folder)
    return folder


def ruff_clean(folder: Path) -> None:
    """The project's own ruff settings (ruff.toml: pycodestyle, pyflakes, isort) pass."""
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed next to this interpreter")
    check = subprocess.run(
        [str(ruff), "check", "--no-cache", "."], cwd=folder, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def same_answers(now: dict, before: dict, refused_id: int | None = None) -> None:
    """Every attack a 4xx, never a 500; the ones the legacy app refused, the status it gave.
    `refused_id`: once ID tokens are refused, an ID-token attack gets the answer a valid ID
    token gets (no oracle), except the ones the verifier never takes for an ID token."""
    for (kind, via), status in now.items():
        assert 400 <= status < 500, f"{kind} via {via}: {status}"
        if kind.startswith("access-"):
            continue
        if refused_id is not None and kind not in ("not_a_jwt",):
            assert status in (before[kind, via], refused_id), f"{kind} via {via}: {status}"
        else:
            assert status == before[kind, via], f"{kind} via {via}: {before[kind, via]} -> {status}"


def test_dual_kill_switch_and_strict(
    tmp_path: Path, pool: Provider, endpoint: TokenEndpoint, before: dict
) -> None:
    folder = migrate(tmp_path, pool, "dual")
    kill = {KILL_SWITCH: "1"}
    with opened(folder, pool, endpoint) as app:
        issued = sign_in(app)  # the login route is unchanged: still the ID token
        me = app.get(ME, headers=cookie(issued))
        assert me.status == 200 and me.json()["email"] == pool.email, me.text  # until the sunset
        for sent in (
            cookie(pool.access_token()),
            {"Authorization": f"Bearer {pool.access_token()}"},
        ):
            access = app.get(ME, headers=sent)
            assert access.status == 200, access.text
            assert access.json() == me.json()  # email and username through the claim map
        same_answers(answers(app, pool), before)
        # the deployment's pool comes from COGNITO_ISSUER: the config's production pool is not it
        production = mint(
            pool.access_token_header(),
            {
                **pool.access_token_claims(),
                "iss": yaml.safe_load((folder / "idtoken-migrate.yaml").read_text())["issuer"],
            },
            pool.key,
        )
        assert 400 <= app.get(ME, token=production).status < 500
        # the kill switch: the app's own front end, holding the ID token, is refused...
        refused = app.get(ME, headers=cookie(issued), env=kill)
        assert refused.status == 401, refused.text
        same_answers(answers(app, pool, env=kill), before, refused.status)
        assert app.get(ME, token=pool.access_token(), env=kill).status == 200

    required_step(folder)  # ...until the login hands out the access token, as the plan says
    with opened(folder, pool, endpoint) as app:
        issued = sign_in(app, env=kill)
        assert json.loads(_payload(issued))["token_use"] == "access"
        me = app.get(ME, headers=cookie(issued), env=kill)
        assert me.status == 200 and me.json()["email"] == pool.email, me.text

    code, out = run("apply", str(folder), "--phase", "strict", "--write", "--force")
    assert code == 0, out
    code, out = run("apply", str(folder), "--phase", "strict", "--check")
    assert code == 0, out
    ruff_clean(folder)
    with opened(folder, pool, endpoint) as app:
        me = app.get(ME, headers=cookie(sign_in(app)))
        assert me.status == 200 and me.json()["email"] == pool.email, me.text
        refused = app.get(ME, headers=cookie(pool.id_token()))
        assert refused.status == 401, refused.text
        same_answers(answers(app, pool), before, refused.status)


def required_step(folder: Path) -> None:
    """Make the change the plan's required step names, exactly: the access token instead."""
    code, out = run("plan", str(folder), "--format", "json")
    [handout] = json.loads(out)["handouts"]
    path = folder / handout["path"]
    lines = path.read_text().splitlines(keepends=True)
    index = handout["source_line"] - 1
    assert handout["source"] in lines[index]
    lines[index] = lines[index].replace(handout["source"], handout["access_token"])
    path.write_text("".join(lines))
    code, out = run("plan", str(folder), "--format", "json")
    assert json.loads(out)["handouts"] == []


def test_after_the_sunset_only_access_tokens_pass(
    tmp_path: Path, pool: Provider, endpoint: TokenEndpoint, before: dict
) -> None:
    folder = migrate(tmp_path, pool, "sunset", sunset="2020-01-01")
    with opened(folder, pool, endpoint) as app:
        refused = app.get(ME, headers=cookie(sign_in(app)))
        assert refused.status == 401, refused.text
        assert app.get(ME, token=pool.access_token()).status == 200
        same_answers(answers(app, pool), before, refused.status)
