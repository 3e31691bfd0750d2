"""`apply` safety over every fixture app: idempotent, bytes outside the edits untouched, CRLF kept,
every output parses, `--check`, `--patch-dir` and the git dirty-file guard; `plan` risks and the
one-line errors."""

from __future__ import annotations

import ast
import difflib
import json
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli

from .harness import FIXTURES, copy_app, write_migration_config

NAMES = sorted(FIXTURES)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".git" not in p.parts
    }


def site_spans(source: str) -> list[tuple[int, int]]:
    """Lines a migration may touch: the import block and each function (with the blank lines
    before it: a helper that only fed the old call goes with them)."""
    tree = ast.parse(source)
    first = min(
        (n.lineno for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))),
        default=len(source.splitlines()) + 1,
    )
    spans = [(1, first - 1)]
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = min([d.lineno for d in node.decorator_list] + [node.lineno])
            spans.append((start - 2, node.end_lineno or node.lineno))
    return spans


def changed_lines(before: bytes, after: bytes) -> list[int]:
    a = before.decode().splitlines(keepends=True)
    b = after.decode().splitlines(keepends=True)
    out = []
    for tag, i1, i2, _j1, _j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if tag != "equal":
            out += list(range(i1 + 1, max(i2, i1 + 1) + 1))
    return out


@pytest.fixture(params=NAMES)
def migratable(request, tmp_path, providers) -> tuple[str, Path]:
    name = request.param
    folder = copy_app(name, tmp_path)
    write_migration_config(folder, providers[FIXTURES[name].provider])
    return name, folder


def test_check_then_write_then_idempotent(migratable):
    _name, folder = migratable
    before = snapshot(folder)
    code, diff, _err = run("apply", str(folder))  # diff mode writes nothing
    assert code == 0 and diff.startswith("diff --git")
    assert snapshot(folder) == before
    assert run("apply", str(folder), "--check")[0] == 1
    code, _out, err = run("apply", str(folder), "--write")
    assert code == 0, err
    after = snapshot(folder)
    assert run("apply", str(folder), "--check")[0] == 0
    code, _out, err = run("apply", str(folder), "--write")
    assert code == 0 and "0 files changed" in err, err
    assert snapshot(folder) == after

    for path, data in after.items():  # every output parses
        if path.endswith(".py"):
            ast.parse(data)
    for path, old in before.items():  # bytes outside the edited functions and imports stay
        new = after[path]
        if new == old or not path.endswith(".py"):
            continue
        spans = site_spans(old.decode())
        for line in changed_lines(old, new):
            assert any(lo <= line <= hi for lo, hi in spans), f"{path}:{line} changed"


def test_crlf_files_stay_crlf(migratable):
    _name, folder = migratable
    for path in folder.rglob("*.py"):
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    before = snapshot(folder)
    code, _out, err = run("apply", str(folder), "--write")
    assert code == 0, err
    changed = [p for p, data in snapshot(folder).items() if before.get(p) not in (None, data)]
    assert any(p.endswith(".py") for p in changed)
    for path in changed:
        if path.endswith(".py"):
            data = (folder / path).read_bytes()
            assert data.count(b"\n") == data.count(b"\r\n"), path
    assert run("apply", str(folder), "--check")[0] == 0


def test_patch_dir_patches_apply_on_a_fresh_copy(migratable, tmp_path):
    name, folder = migratable
    patches = tmp_path / "patches"
    code, _out, err = run("apply", str(folder), "--patch-dir", str(patches))
    assert code == 0, err
    fresh = copy_app(name, tmp_path / "fresh")
    (fresh / "idtoken-migrate.yaml").write_bytes((folder / "idtoken-migrate.yaml").read_bytes())
    files = sorted(str(p) for p in patches.glob("*.patch"))
    assert files
    n = len(files)
    summary = f"{n} file{'s' if n != 1 else ''} written as {n} patch{'es' if n != 1 else ''} in"
    assert f"{summary} {patches}" in err
    subprocess.run(["git", "apply", *files], cwd=fresh, check=True)
    run("apply", str(folder), "--write")
    assert snapshot(fresh) == snapshot(folder)


def git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )


def test_write_refuses_dirty_git_files(tmp_path, providers):
    fx = FIXTURES["flask_auth0_hs256"]
    folder = copy_app(fx.name, tmp_path)
    write_migration_config(folder, providers[fx.provider])
    git(folder, "init", "-q")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "legacy")
    (folder / "auth.py").write_text((folder / "auth.py").read_text() + "# local change\n")
    code, _out, err = run("apply", str(folder), "--write")
    assert code == 2 and "uncommitted changes" in err and "auth.py" in err
    assert "verify_token" not in (folder / "auth.py").read_text()
    code, _out, err = run("apply", str(folder), "--write", "--allow-dirty")
    assert code == 0, err
    assert "verify_token" in (folder / "auth.py").read_text()


def test_strict_refuses_before_the_sunset_without_force(tmp_path, providers):
    fx = FIXTURES["flask_auth0_hs256"]
    folder = copy_app(fx.name, tmp_path)
    write_migration_config(folder, providers[fx.provider], sunset="2099-01-01")
    code, _out, err = run("apply", str(folder), "--phase", "strict", "--write")
    assert code == 2 and "sunset" in err and "--force" in err
    assert len(err.strip().splitlines()) == 1


def test_plan_lists_unmapped_claims_as_risks_first(tmp_path, providers):
    fx = FIXTURES["django_keycloak_pyjwk"]
    folder = copy_app(fx.name, tmp_path)
    config = write_migration_config(folder, providers[fx.provider])
    data = yaml.safe_load(config.read_text())
    del data["claims"]
    config.write_text(yaml.safe_dump(data))
    code, text, err = run("plan", str(folder))
    assert code == 0, err
    risks = text.index("Risks")
    assert "unmapped claim `email`" in text
    assert risks < text.index("Sites:")
    code, out, _err = run("plan", str(folder), "--format", "json")
    data = json.loads(out)
    assert any("email" in risk for risk in data["risks"])
    assert data["sites"][0]["action"] == "migrate"
    assert {k: data["claims"][0][k] for k in ("claim", "source", "provided")} == {
        "claim": "email",
        "source": None,
        "provided": False,
    }
    code, markdown, _err = run("plan", str(folder), "--format", "markdown")
    assert markdown.index("### Risks") < markdown.index("### Sites")


def test_plan_maps_claims_and_lists_manual_steps(tmp_path, providers):
    fx = FIXTURES["flask_auth0_hs256"]
    folder = copy_app(fx.name, tmp_path)
    write_migration_config(folder, providers[fx.provider])
    code, text, err = run("plan", str(folder))
    assert code == 0, err
    assert "token_verifier.py" in text and "pyjwt[crypto]>=2.13" in text
    assert "Manual steps:" in text and "audience" in text
    assert "AUTH0_CLIENT_SECRET" in text  # .env.example entry for the dual verifier


UNSAFE_APP = """import os

import jwt
from flask import request

CLIENT_ID = os.environ["AUTH0_CLIENT_ID"]
CLIENT_SECRET = os.environ["AUTH0_CLIENT_SECRET"]


def current_user():
    token = request.headers["Authorization"].split()[1]
    try:
        return jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
    except jwt.ExpiredSignatureError:
        return None
"""


def test_unsafe_site_is_left_untouched_with_the_reason(tmp_path, providers):
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "auth.py").write_text(UNSAFE_APP)
    write_migration_config(folder, providers["auth0"])
    code, text, _err = run("plan", str(folder))
    assert code == 0
    assert "unsafe" in text and "would not catch" in text
    code, _out, err = run("apply", str(folder), "--write")
    assert code == 0
    assert "left alone: auth.py:13" in err
    assert (folder / "auth.py").read_text() == UNSAFE_APP
    assert not (folder / "token_verifier.py").exists()


def test_errors_are_one_line_exit_2(tmp_path, providers):
    folder = copy_app("flask_auth0_hs256", tmp_path)
    code, _out, err = run("apply", str(folder))
    assert code == 2 and "run `idtoken-migrate init`" in err
    assert len(err.strip().splitlines()) == 1
    (folder / "idtoken-migrate.yaml").write_text("version: 1\nprovider: nope\n")
    code, _out, err = run("plan", str(folder))
    assert code == 2 and len(err.strip().splitlines()) == 1
    config = write_migration_config(folder, providers["auth0"])
    config.write_text(config.read_text().replace("provider: auth0", "provider: google"))
    code, _out, err = run("apply", str(folder))
    assert code == 2 and "google" in err.lower(), err
    assert len(err.strip().splitlines()) == 1


def test_relative_path_twice_is_idempotent(tmp_path, providers, monkeypatch):
    fx = FIXTURES["django_keycloak_pyjwk"]
    folder = copy_app(fx.name, tmp_path)
    write_migration_config(folder, providers[fx.provider])
    monkeypatch.chdir(folder)
    assert run("apply", ".", "--write")[0] == 0
    code, _out, err = run("apply", ".", "--check")
    assert code == 0, err
    code, text, _err = run("plan", ".", "--phase", "strict")
    assert "0 sites to migrate" in text and "left for you" not in text  # never a site itself
