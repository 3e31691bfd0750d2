"""One migration walked through its phases on a fixture app, as a user would run it.

init, the config the user writes, `apply --phase dual --write` (then `--check` clean), the kill
switch, the sunset, `apply --phase strict --write`; before and after every step the app answers
real signed tokens: the legacy ID token until the sunset, the access token always, every attack
the 4xx it got before (never a 500), the claims the routes read still there. The patched files
pass the app's own ruff settings.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import yaml
from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli

from .apploader import AppSpec, LoadedApp, load_app
from .tokens import Provider

KILL_SWITCH = "IDTOKEN_MIGRATE_REJECT_ID_TOKENS"
# Attacks that are no ID token to the verifier: they keep their answer in every phase.
NOT_ID_TOKENS = ("wrong_audience", "not_a_jwt")


class Answering(Protocol):
    def get(self, path: str, **kwargs: Any) -> Any: ...


# opened(folder, env): the app in `folder` running, with `env` on top of its own settings.
Opener = Callable[[Path, dict[str, str]], contextlib.AbstractContextManager[Answering]]


@contextlib.contextmanager
def django_app(
    folder: Path, spec: AppSpec, env: dict[str, str], health: str
) -> Iterator[LoadedApp]:
    """A Django app through its test client in a worker process, once `health` answers 200."""
    app = load_app(folder, spec, env)
    try:
        assert app.get(health).status == 200
        yield app
    finally:
        app.close()


def run(*args: str) -> tuple[int, str]:
    """The CLI in-process: exit code, stdout + stderr."""
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def attacks(p: Provider) -> dict[str, str]:
    return {**p.bad_id_tokens(), **{f"access-{k}": v for k, v in p.bad_access_tokens().items()}}


def answers(app: Answering, path: str, p: Provider) -> dict[str, tuple[int, str]]:
    """Status and body for the valid ID token, the access token and every attack."""
    tokens = {"id_token": p.id_token(), "access_token": p.access_token(), **attacks(p)}
    out = {}
    for kind, token in tokens.items():
        response = app.get(path, token=token)
        out[kind] = (response.status, response.text)
    return out


def migrate(src: Path, dest: Path, p: Provider, **config: Any) -> Path:
    """A copy of `src` at `dest`, initialised, configured and migrated to phase dual; `apply
    --check` is clean afterwards. Returns the copy."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    code, out = run("init", str(dest))
    assert code == 0, out
    cfg = p.migration_config(**config)
    (dest / "idtoken-migrate.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    code, out = run("apply", str(dest), "--phase", "dual", "--write")
    assert code == 0 and "1 site(s) migrated" in out, out
    code, out = run("apply", str(dest), "--phase", "dual", "--check")
    assert code == 0, out
    return dest


def strict(folder: Path) -> None:
    code, out = run("apply", str(folder), "--phase", "strict", "--write", "--force")
    assert code == 0, out
    code, out = run("apply", str(folder), "--phase", "strict", "--check")
    assert code == 0, out


def changed_files(pristine: Path, folder: Path) -> list[Path]:
    """The Python files of `folder` that are new or differ from `pristine`."""
    out = []
    for path in sorted(folder.rglob("*.py")):
        before = pristine / path.relative_to(folder)
        if not before.exists() or before.read_bytes() != path.read_bytes():
            out.append(path)
    return out


def ruff_clean(pristine: Path, folder: Path) -> list[Path]:
    """`ruff check` with the app's own settings (its pyproject.toml) on every patched file."""
    files = changed_files(pristine, folder)
    assert files
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", *map(str, files)],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return files


def assert_dual(
    app: Answering, path: str, p: Provider, before: dict[str, tuple[int, str]], **kw: Any
) -> Any:
    """Before the sunset: the legacy ID token as before, the access token with the same claims
    read downstream, each attack the answer it got before (the ones the legacy code let through,
    and access-token attacks, a 4xx). Returns the legacy answer's JSON."""
    legacy = app.get(path, token=p.id_token(), **kw)
    assert legacy.status == 200, legacy.text
    access = app.get(path, token=p.access_token(), **kw)
    assert access.status == 200, access.text
    assert access.json() == legacy.json()  # the claims the route reads, through the claim map
    for kind, token in attacks(p).items():
        response = app.get(path, token=token, **kw)
        assert 400 <= response.status < 500, f"{kind}: {response.status} {response.text}"
        if before[kind][0] != 200 and not kind.startswith("access-"):
            assert response.status == before[kind][0], f"{kind}: {before[kind]} -> {response}"
    return legacy.json()


def assert_refusing(
    app: Answering, path: str, p: Provider, before: dict[str, tuple[int, str]], **kw: Any
) -> None:
    """Once ID tokens are refused (kill switch, sunset, strict): the access token passes, a valid
    ID token gets a 4xx, an ID-token attack the same answer (no oracle), the rest keep theirs."""
    access = app.get(path, token=p.access_token(), **kw)
    assert access.status == 200, access.text
    status = app.get(path, token=p.id_token(), **kw).status
    assert 400 <= status < 500, status
    for kind, token in attacks(p).items():
        response = app.get(path, token=token, **kw)
        assert 400 <= response.status < 500, f"{kind}: {response.status} {response.text}"
        if kind in NOT_ID_TOKENS:
            assert response.status == before[kind][0], f"{kind}: {before[kind]} -> {response}"
        elif not kind.startswith("access-"):
            assert response.status == status, f"{kind}: {response.status} {response.text}"


def walk(
    src: Path, tmp_path: Path, p: Provider, path: str, opened: Opener, **config: Any
) -> Iterator[tuple[str, Path]]:
    """Every phase of the journey, the app checked in each. Yields (phase, folder) after the
    checks of each phase so that a test can look at the code in between."""
    with opened(src, {}) as app:
        before = answers(app, path, p)
    assert before["id_token"][0] == 200, before["id_token"]
    assert 400 <= before["access_token"][0] < 500  # why the migration exists
    for kind, (status, text) in before.items():
        assert status < 500, f"legacy {kind}: {status} {text}"

    folder = migrate(src, tmp_path / "dual", p, **config)
    with opened(folder, {}) as app:
        claims = assert_dual(app, path, p, before)
        assert claims == before_json(before)
    with opened(folder, {KILL_SWITCH: "1"}) as app:
        assert_refusing(app, path, p, before)
    yield "dual", folder

    sunset = migrate(src, tmp_path / "sunset", p, **config, window={"sunset": "2020-01-01"})
    with opened(sunset, {}) as app:
        assert_refusing(app, path, p, before)
    yield "sunset", sunset

    strict(folder)
    with opened(folder, {}) as app:
        assert_refusing(app, path, p, before)
    yield "strict", folder


def shorten_refetch(folder: Path) -> None:
    """The verifier refetches for an unknown kid at most every 30 s; tests shorten that (as
    VerifierTuning says), here in the generated module `folder/token_verifier.py` itself."""
    path = folder / "token_verifier.py"
    text, count = re.subn(
        r"^JWKS_MIN_REFETCH_SECONDS = [0-9.]+",
        "JWKS_MIN_REFETCH_SECONDS = 0.0",
        path.read_text(),
        flags=re.M,
    )
    assert count == 1
    path.write_text(text)


def before_json(before: dict[str, tuple[int, str]]) -> Any:
    return json.loads(before["id_token"][1])
