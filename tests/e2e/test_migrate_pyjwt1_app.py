"""A Flask + PyJWT 1.x app in the shape of Auth0's 2016 Python seed (tests/corpus/SOURCES.md),
migrated as a user would: init, plan, `apply --phase dual --write`, kill switch, sunset,
`apply --phase strict --write`.

The legacy app runs with what it pins (PyJWT 1.7.1, Flask 2.0) in a virtual environment of its
own; the migrated copies with the PyJWT >= 2.13 the verifier needs. Its client secret is the
base64url text the Auth0 dashboard showed, decoded before the HS256 check; its handlers answer
401 or 400 per exception. Every token must get the answer it got before: the legacy ID token
accepted until the sunset, every attack the same 4xx (never a 500).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import fcntl
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli

from .apploader import AppSpec, LoadedApp, load_app
from .harness import FIXTURES_DIR, Provider

pytestmark = pytest.mark.slow

NAME = "flask_auth0_pyjwt1_b64"
SPEC = AppSpec("flask", "app:app")
KILL_SWITCH = "IDTOKEN_MIGRATE_REJECT_ID_TOKENS"
# What such an app pins: the PyJWT 1.x it was written for and a Flask of its time.
LEGACY_PINS = (
    "PyJWT==1.7.1",
    "Flask==2.0.3",
    "Werkzeug==2.0.3",
    "Jinja2==3.0.3",
    "itsdangerous==2.0.1",
    "MarkupSafe==2.1.5",
    "click==8.0.4",
)
HMAC_KEY = bytes(range(7, 55))  # 48 bytes, like an Auth0 client secret once decoded
SECRET_TEXT = base64.urlsafe_b64encode(HMAC_KEY).decode().rstrip("=")


@dataclasses.dataclass
class Base64SecretAuth0(Provider):
    """Auth0 with a base64url client secret: ID tokens are HMACed with the decoded bytes."""

    hmac_key: bytes = b""

    def _id_key(self) -> bytes:  # type: ignore[override]
        return self.hmac_key


@pytest.fixture(scope="session")
def auth0(providers: dict[str, Provider]) -> Base64SecretAuth0:
    fields = {f.name: getattr(providers["auth0"], f.name) for f in dataclasses.fields(Provider)}
    fields["client_secret"] = SECRET_TEXT
    return Base64SecretAuth0(**fields, hmac_key=HMAC_KEY)


@pytest.fixture(scope="session")
def legacy_python(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The interpreter of a virtual environment with LEGACY_PINS, made once and cached."""
    if subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode:
        pytest.skip("pip is not available: cannot build the PyJWT 1.x environment")
    cache = getattr(request.config, "cache", None)  # None with -p no:cacheprovider
    if cache is not None:
        folder = Path(cache.mkdir("legacy-venv-pyjwt1"))
    else:
        folder = tmp_path_factory.getbasetemp().parent / "legacy-venv-pyjwt1"
        folder.mkdir(exist_ok=True)
    python = folder / "venv" / "bin" / "python"
    done = folder / ("ready-" + "-".join(LEGACY_PINS).replace("=", ""))
    with open(folder / "lock", "w") as lock:  # xdist workers build it once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder / "venv", ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(folder / "venv")], check=True)
            install = subprocess.run(
                [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
                + list(LEGACY_PINS),
                capture_output=True,
                text=True,
            )
            assert install.returncode == 0, install.stderr[-2000:]
            done.touch()
    return python


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def env(p: Provider) -> dict[str, str]:
    return {"AUTH0_CLIENT_ID": p.client_id, "AUTH0_CLIENT_SECRET": SECRET_TEXT}


@contextlib.contextmanager
def opened(folder: Path, p: Provider, python: Path | None = None) -> Iterator[LoadedApp]:
    isolation = "subprocess" if python else "inprocess"
    app = load_app(folder, SPEC, env(p), isolation, python=str(python) if python else None)
    try:
        yield app
    finally:
        app.close()


def migrate(tmp_path: Path, p: Provider, name: str, **config: object) -> Path:
    """A copy initialised, configured with what init traced, and migrated to phase dual."""
    folder = tmp_path / name
    shutil.copytree(FIXTURES_DIR / NAME, folder)
    code, out = run("init", str(folder))
    assert code == 0, out
    traced = yaml.safe_load((folder / "idtoken-migrate.yaml").read_text())["legacy_id_token"]
    assert traced["secret_encoding"] == "base64url"  # from the key expression in app.py
    legacy = {"secret_env": "AUTH0_CLIENT_SECRET", "secret_encoding": traced["secret_encoding"]}
    cfg = p.migration_config(legacy_id_token=legacy, **config)
    (folder / "idtoken-migrate.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    code, out = run("apply", str(folder), "--phase", "dual", "--write")
    assert code == 0 and "1 site(s) migrated" in out, out
    code, out = run("apply", str(folder), "--phase", "dual", "--check")
    assert code == 0, out  # nothing left to change after writing
    return folder


def attacks(p: Provider) -> dict[str, str]:
    return {**p.bad_id_tokens(), **{f"access-{k}": v for k, v in p.bad_access_tokens().items()}}


@pytest.fixture(scope="session")
def before(legacy_python: Path, auth0: Base64SecretAuth0) -> dict[str, tuple[int, str]]:
    """Status and body of the legacy app (PyJWT 1.7.1) for every token the tests send."""
    tokens = {"id_token": auth0.id_token(), **attacks(auth0)}
    with opened(FIXTURES_DIR / NAME, auth0, legacy_python) as app:
        assert app.get("/ping").status == 200
        return {kind: _answer(app, token) for kind, token in tokens.items()}


def _answer(app: LoadedApp, token: str) -> tuple[int, str]:
    response = app.get("/secured/me", token=token)
    return response.status, response.text


def test_the_legacy_app_answers_per_exception(before: dict[str, tuple[int, str]]) -> None:
    """The shape under test, as PyJWT 1.7.1 runs it: 200, and 401 or 400 per branch."""
    assert before["id_token"][0] == 200
    assert before["expired"][0] == 401 and "token_expired" in before["expired"][1]
    assert before["forged"][0] == 401 and "token_invalid_signature" in before["forged"][1]
    assert before["wrong_audience"][0] == 400 and "invalid_audience" in before["wrong_audience"][1]
    assert before["not_a_jwt"][0] == 401


# Attacks that are no ID token to the verifier: they keep their answer in every phase.
NOT_ID_TOKENS = ("wrong_audience", "not_a_jwt")


def _same_answers(app: LoadedApp, p: Provider, before: dict[str, tuple[int, str]]) -> None:
    """Dual before the sunset: each attack the legacy code refused gets the answer it got; the
    ones it accepted (a wrong issuer: it never checked) a 4xx; access-token attacks a 4xx (the
    legacy app refused every access token)."""
    for kind, token in attacks(p).items():
        status, body = _answer(app, token)
        assert 400 <= status < 500, f"{kind}: {status} {body}"
        if before[kind][0] != 200 and not kind.startswith("access-"):
            assert status == before[kind][0], f"{kind}: {before[kind]} -> {status} {body}"


def _refused_like_id_tokens(app: LoadedApp, p: Provider, before: dict, **kw: object) -> None:
    """Once ID tokens are refused (kill switch, sunset, strict), an ID-token attack gets the
    answer a valid ID token gets (no oracle); the rest keep theirs; never a 500."""
    status = app.get("/secured/me", token=p.id_token(), **kw).status
    assert 400 <= status < 500, status
    for kind, token in attacks(p).items():
        response = app.get("/secured/me", token=token, **kw)
        assert 400 <= response.status < 500, f"{kind}: {response.status} {response.text}"
        if kind in NOT_ID_TOKENS:
            assert response.status == before[kind][0], f"{kind}: {response.text}"
        elif not kind.startswith("access-"):
            assert response.status == status, f"{kind}: {response.status} {response.text}"


def test_dual_kill_switch_and_strict_answer_as_before(
    tmp_path: Path, auth0: Base64SecretAuth0, before: dict[str, tuple[int, str]]
) -> None:
    folder = migrate(tmp_path, auth0, "dual")
    source = (folder / "app.py").read_text()
    assert "jwt.ExpiredSignature:" not in source and "jwt.ExpiredSignatureError:" in source
    with opened(folder, auth0) as app:
        legacy = app.get("/secured/me", token=auth0.id_token())
        assert legacy.status == 200, legacy.text
        assert legacy.json() == {"email": auth0.email, "sub": auth0.id_token_claims()["sub"]}
        access = app.get("/secured/me", token=auth0.access_token())
        assert access.status == 200, access.text
        assert access.json()["email"] == auth0.email  # through the claim map
        _same_answers(app, auth0, before)
        kill = {KILL_SWITCH: "1"}
        _refused_like_id_tokens(app, auth0, before, env=kill)
        assert app.get("/secured/me", token=auth0.access_token(), env=kill).status == 200

    code, out = run("apply", str(folder), "--phase", "strict", "--write", "--force")
    assert code == 0, out
    with opened(folder, auth0) as app:
        access = app.get("/secured/me", token=auth0.access_token())
        assert access.status == 200 and access.json()["email"] == auth0.email
        _refused_like_id_tokens(app, auth0, before)


def test_after_the_sunset_only_access_tokens_pass(
    tmp_path: Path, auth0: Base64SecretAuth0, before: dict[str, tuple[int, str]]
) -> None:
    folder = migrate(tmp_path, auth0, "sunset", window={"sunset": "2020-01-01"})
    with opened(folder, auth0) as app:
        assert app.get("/secured/me", token=auth0.access_token()).status == 200
        _refused_like_id_tokens(app, auth0, before)
