"""`apply` end to end on every legacy fixture app: real tokens, real HTTP through each framework's
test client, before and after `apply --phase dual --write` and `apply --phase strict --write`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli

from .harness import FIXTURES, Provider, copy_app, write_migration_config

KILL_SWITCH = "IDTOKEN_MIGRATE_REJECT_ID_TOKENS"
NAMES = sorted(FIXTURES)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def migrated_copy(name: str, tmp_path: Path, p: Provider, phase: str = "dual", **config) -> Path:
    folder = copy_app(name, tmp_path)
    write_migration_config(folder, p, **config)
    code, _out, err = run("apply", str(folder), "--phase", "dual", "--write")
    assert code == 0, err
    assert "1 site(s) migrated" in err, err
    if phase == "strict":
        code, _out, err = run("apply", str(folder), "--phase", "strict", "--write", "--force")
        assert code == 0, err
    return folder


def python_sources(folder: Path) -> str:
    return "\n".join(p.read_text() for p in sorted(folder.rglob("*.py")))


@pytest.mark.parametrize("name", NAMES)
def test_dual_accepts_both_kinds_and_rejects_bad_tokens(name, tmp_path, providers, app_factory):
    fx = FIXTURES[name]
    p = providers[fx.provider]
    folder = migrated_copy(name, tmp_path, p)
    app = app_factory(name, folder=folder)

    legacy = app.get(fx.me_path, token=p.id_token())
    assert legacy.status == 200, legacy.text
    assert legacy.json()["email"] == p.email
    access = app.get(fx.me_path, token=p.access_token())
    assert access.status == 200, access.text
    assert access.json()["email"] == p.email  # through the claim map
    assert app.get(fx.private_path, token=p.access_token()).status == 200
    assert app.get(fx.public_path).status == 200

    bad = {**p.bad_id_tokens(), **{f"access-{k}": v for k, v in p.bad_access_tokens().items()}}
    for kind in ("expired", "forged", "wrong_audience", "alg_none", "hs256_public_key"):
        assert kind in p.bad_id_tokens()
    for kind, token in bad.items():
        response = app.get(fx.me_path, token=token)
        assert response.status == 401, f"{kind}: {response.status} {response.text}"

    killed = app.get(fx.me_path, token=p.id_token(), env={KILL_SWITCH: "1"})
    assert killed.status == 401, killed.text
    assert app.get(fx.me_path, token=p.access_token(), env={KILL_SWITCH: "1"}).status == 200


@pytest.mark.parametrize("name", NAMES)
def test_dual_after_the_sunset_refuses_id_tokens(name, tmp_path, providers, app_factory):
    fx = FIXTURES[name]
    p = providers[fx.provider]
    folder = migrated_copy(name, tmp_path, p, sunset="2020-01-01")
    app = app_factory(name, folder=folder)
    assert app.get(fx.me_path, token=p.id_token()).status == 401
    assert app.get(fx.me_path, token=p.access_token()).status == 200


@pytest.mark.parametrize("name", NAMES)
def test_strict_accepts_access_tokens_only(name, tmp_path, providers, app_factory):
    fx = FIXTURES[name]
    p = providers[fx.provider]
    folder = migrated_copy(name, tmp_path, p, phase="strict")
    app = app_factory(name, folder=folder)
    assert app.get(fx.me_path, token=p.id_token()).status == 401
    access = app.get(fx.me_path, token=p.access_token())
    assert access.status == 200, access.text
    assert access.json()["email"] == p.email
    sources = python_sources(folder)
    assert "LEGACY_CLIENT_IDS" not in sources
    if p.client_secret is not None:  # Auth0 HS256: the secret's variable and setting are gone
        assert "AUTH0_CLIENT_SECRET" not in sources
        assert "AUTH0_CLIENT_SECRET" not in (folder / ".env.example").read_text()
