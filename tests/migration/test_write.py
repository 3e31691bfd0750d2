"""`write_changes`: only inside the project, new files readable like any other, all or nothing."""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path

import pytest
from samples import AUTH0_HS256_CONFIG
from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli
from idtoken_migrate.migration.apply import FileChange, compute, write_changes
from idtoken_migrate.migration.plan import plan_project
from idtoken_migrate.model import UsageError

SITE = """\
import os

import jwt


def current_user(token):
    try:
        return jwt.decode(token, os.environ["AUTH0_CLIENT_SECRET"], algorithms=["HS256"],
                          audience="AbCdEf123")
    except jwt.InvalidTokenError:
        return None
"""


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("path", ["../outside_verifier.py", "sub/../../outside.py", "link/x.py"])
def test_a_change_outside_the_project_is_refused_and_nothing_is_written(tmp_path, path):
    root = tmp_path / "project"
    (root / "sub").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (root / "link").symlink_to(tmp_path / "elsewhere")
    (root / "a.py").write_text("old\n")
    before = tree(tmp_path)
    changes = [FileChange("a.py", b"old\n", b"new\n"), FileChange(path, None, b"x = 1\n")]
    with pytest.raises(UsageError, match="outside the project"):
        write_changes(root, changes)
    assert tree(tmp_path) == before


def test_apply_refuses_a_verifier_outside_the_project(tmp_path):
    (tmp_path / "idtoken-migrate.yaml").write_text(AUTH0_HS256_CONFIG)
    (tmp_path / "auth.py").write_text(SITE)
    config, plan = plan_project(tmp_path)
    plan = dataclasses.replace(plan, verifier_path="../outside_verifier.py")
    with pytest.raises(UsageError, match=r"^\.\./outside_verifier\.py: outside the project"):
        compute(plan, config, tmp_path)


def test_new_files_get_the_usual_mode_and_existing_files_keep_theirs(tmp_path):
    (tmp_path / "script.py").write_text("old\n")
    (tmp_path / "script.py").chmod(0o750)
    saved = os.umask(0o027)
    try:
        write_changes(
            tmp_path,
            [
                FileChange("script.py", b"old\n", b"new\n"),
                FileChange("pkg/token_verifier.py", None, b"x = 1\n"),
            ],
        )
    finally:
        os.umask(saved)
    assert stat.S_IMODE((tmp_path / "script.py").stat().st_mode) == 0o750
    assert stat.S_IMODE((tmp_path / "pkg/token_verifier.py").stat().st_mode) == 0o640


def test_a_failing_replace_puts_everything_back(tmp_path, monkeypatch):
    (tmp_path / "a.py").write_text("old a\n")
    (tmp_path / "b.py").write_text("old b\n")
    before = tree(tmp_path)
    replaced: list[str] = []
    real_replace = os.replace

    def replace(src, dst):
        if len(replaced) == 1:
            raise PermissionError(13, "Permission denied")
        replaced.append(str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    changes = [
        FileChange("a.py", b"old a\n", b"new a\n"),
        FileChange("b.py", b"old b\n", b"new b\n"),
        FileChange("gen/token_verifier.py", None, b"x = 1\n"),
    ]
    with pytest.raises(UsageError, match=r"^a\.py: cannot write: Permission denied; no file"):
        write_changes(tmp_path, changes)
    assert replaced[0].endswith("token_verifier.py")  # the new files go first
    assert tree(tmp_path) == before
    assert not (tmp_path / "gen").exists()


def test_cli_write_error_is_one_line_exit_2_and_nothing_changes(tmp_path, monkeypatch):
    (tmp_path / "idtoken-migrate.yaml").write_text(AUTH0_HS256_CONFIG)
    (tmp_path / "api").mkdir()
    (tmp_path / "api/auth.py").write_text(SITE)
    (tmp_path / "requirements.txt").write_text("flask\n")
    before = tree(tmp_path)
    real_replace = os.replace

    def replace(src, dst):
        if str(dst).endswith("auth.py"):
            raise OSError(30, "Read-only file system")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    result = CliRunner().invoke(cli, ["apply", str(tmp_path), "--write"])
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "idtoken-migrate: error: api/auth.py: cannot write: Read-only file system; "
        "no file was changed\n"
    )
    assert tree(tmp_path) == before
