"""An app that loads `.env` into a dict, end to end (issue 18 point 5).

`tests/fixtures/flask_dotenv_values` reads its settings with `config = dotenv_values(".env")`
(python-dotenv: a dict, os.environ untouched; the shape of planetfederal's old `dotenv.Dotenv`
dict and the pydantic-settings `env_file` apps, tests/corpus/SOURCES.md) and verifies Auth0
HS256 ID tokens with `jwt.decode(token, config["AUTH0_CLIENT_SECRET"], audience=
config["AUTH0_CLIENT_ID"], algorithms=["HS256"])`. Everything the app and the verifier read is
in `.env` only: the client secret and, to end legacy acceptance, the kill switch. `init` finds
the file (`verifier.env_file: .env`), the plan says each variable is read from os.environ, then
`.env`, and the app runs as `python app.py` over real HTTP through dual -> kill switch (in
`.env`) -> sunset -> strict, with real HS256 ID tokens, RS256 access tokens whose JWKS is on
127.0.0.1 and every attack the 4xx it got before, never a 500. `apply` twice changes nothing.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .harness import FIXTURES_DIR, Provider
from .phases import KILL_SWITCH, answers, assert_dual, assert_refusing, ruff_clean, run
from .served import HttpApp, serve

NAME = "flask_dotenv_values"
OWNER = "/api/parts/owner"


def write_env(folder: Path, p: Provider, extra: dict[str, str]) -> None:
    """The app's .env: its Auth0 settings, with `extra` (the kill switch) added."""
    assert p.client_secret is not None
    values = {
        "AUTH0_DOMAIN": p.extra_env["AUTH0_DOMAIN"],
        "AUTH0_CLIENT_ID": p.client_id,
        "AUTH0_CLIENT_SECRET": p.client_secret,
        **extra,
    }
    lines = ["# parts API, this host", *(f"export {k}='{v}'" for k, v in values.items())]
    (folder / ".env").write_text("\n".join(lines) + "\n")


@contextlib.contextmanager
def opened(folder: Path, p: Provider, dotenv: dict[str, str]) -> Iterator[HttpApp]:
    """`python app.py` in `folder` with `dotenv` in its .env and nothing of it in os.environ."""
    write_env(folder, p, dotenv)
    with serve(folder, ["app.py"], {}) as app:
        yield app


def migrate(src: Path, dest: Path, p: Provider, *, keep: bool = True, **config: Any) -> Path:
    """A copy initialised by `init`, whose verifier section is kept (unless not `keep`),
    migrated to dual."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".env"))
    code, out = run("init", str(dest))
    assert code == 0, out
    found = yaml.safe_load((dest / "idtoken-migrate.yaml").read_text())
    assert found["verifier"] == {"env_file": ".env"}
    cfg = p.migration_config(verifier=found["verifier"] if keep else None, **config)
    (dest / "idtoken-migrate.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    code, out = run("apply", str(dest), "--phase", "dual", "--write")
    assert code == 0 and "1 site(s) migrated" in out, out
    return dest


def applied_twice(folder: Path, phase: str) -> None:
    """A second `apply` finds nothing to do and writes nothing."""
    before = {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    code, out = run("apply", str(folder), "--phase", phase, "--check")
    assert code == 0, out
    code, out = run("apply", str(folder), "--phase", phase, "--write", "--force")
    assert code == 0, out
    after = {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    assert after == before


def test_plan_reads_each_variable_from_os_environ_then_the_env_file(
    tmp_path: Path, providers: dict[str, Provider]
) -> None:
    p = providers["auth0"]
    folder = tmp_path / "app"
    shutil.copytree(FIXTURES_DIR / NAME, folder)
    code, out = run("init", str(folder))
    assert code == 0, out
    cfg = p.migration_config(verifier={"env_file": ".env"}, claims=p.claims_map)
    (folder / "idtoken-migrate.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    code, out = run("plan", str(folder))
    assert code == 0, out
    source = "read from os.environ, then .env (verifier.env_file, as the app reads it at app.py:15)"
    for name in ("AUTH0_CLIENT_SECRET", KILL_SWITCH):
        (line,) = [x for x in out.splitlines() if name in x and "add" in x]
        assert line.rstrip().endswith(source), line
    assert "never reaches it" not in out
    cfg.pop("verifier")  # without the key: the plan says where to set them instead
    (folder / "idtoken-migrate.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    code, out = run("plan", str(folder))
    assert "app.py:15: the app reads .env into a dict, not os.environ" in out
    assert "or set verifier.env_file: .env (the file app.py:15 reads)" in out


def test_dotenv_dict_app_migrates_through_every_phase(
    tmp_path: Path, providers: dict[str, Provider]
) -> None:
    p = providers["auth0"]
    src = tmp_path / "legacy"
    shutil.copytree(FIXTURES_DIR / NAME, src)
    with opened(src, p, {}) as app:
        before = answers(app, OWNER, p)
    assert before["id_token"][0] == 200, before["id_token"]
    assert 400 <= before["access_token"][0] < 500  # why the migration exists
    assert all(status < 500 for status, _ in before.values()), before

    folder = migrate(src, tmp_path / "dual", p, claims=p.claims_map)
    assert ".env.example" in {path.name for path in folder.iterdir()}
    applied_twice(folder, "dual")
    with opened(folder, p, {}) as app:
        assert_dual(app, OWNER, p, before)
    with opened(folder, p, {KILL_SWITCH: "1"}) as app:  # the kill switch in .env only
        assert_refusing(app, OWNER, p, before)
        refused = app.get(OWNER, token=p.id_token())
    assert refused.status == 401, refused.text
    with opened(folder, p, {KILL_SWITCH: ""}) as app:  # emptied: ID tokens again
        assert app.get(OWNER, token=p.id_token()).status == 200

    # what the key fixes: without it the secret in .env never reaches the verifier
    unaware = migrate(src, tmp_path / "unaware", p, keep=False, claims=p.claims_map)
    with opened(unaware, p, {}) as app:
        assert app.get(OWNER, token=p.id_token()).status == 401
        assert app.get(OWNER, token=p.access_token()).status == 200
    with opened(unaware, p, {KILL_SWITCH: "1"}) as app:
        assert app.get(OWNER, token=p.access_token()).status == 200

    sunset = migrate(
        src, tmp_path / "sunset", p, claims=p.claims_map, window={"sunset": "2020-01-01"}
    )
    with opened(sunset, p, {}) as app:
        assert_refusing(app, OWNER, p, before)

    code, out = run("apply", str(folder), "--phase", "strict", "--write", "--force")
    assert code == 0, out
    applied_twice(folder, "strict")
    with opened(folder, p, {}) as app:
        assert_refusing(app, OWNER, p, before)
    patched = ruff_clean(FIXTURES_DIR / NAME, folder)
    assert folder / "token_verifier.py" in patched
    assert "ENV_FILE" not in (folder / "token_verifier.py").read_text()  # strict reads nothing
