"""Discovery honours what git ignores beyond .gitignore (issue 10, point 5): the clone's
`.git/info/exclude` and the user's global excludes file, with or without git installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from idtoken_migrate.scan.discover import discover

SOURCE = "x = 1\n"


def found(root: Path) -> list[str]:
    return [d.relpath for d in discover([root], root)]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))  # no global git config of the user's
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    root = tmp_path / "repo"
    (root / ".git" / "info").mkdir(parents=True)
    for rel in ("app.py", "secret/keys.py", "vendor/lib.py", "notes/scratch.py"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(SOURCE)
    return root


def test_info_exclude_is_honoured(repo: Path) -> None:
    (repo / ".git" / "info" / "exclude").write_text("# local only\nsecret/\n")
    assert found(repo) == ["app.py", "notes/scratch.py", "vendor/lib.py"]
    assert found(repo / "secret") == ["keys.py"]  # a folder named on the command line is scanned


def test_the_default_global_excludes_file(repo: Path, tmp_path: Path) -> None:
    ignore = tmp_path / "home" / ".config" / "git" / "ignore"
    ignore.parent.mkdir(parents=True)
    ignore.write_text("vendor/\n")
    assert found(repo) == ["app.py", "notes/scratch.py", "secret/keys.py"]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_core_excludes_file_from_git_config(repo: Path, tmp_path: Path) -> None:
    custom = tmp_path / "home" / "my-ignores"
    custom.write_text("notes/\n")
    subprocess.run(
        ["git", "config", "--global", "core.excludesFile", "~/my-ignores"],
        check=True,
        cwd=tmp_path,
    )
    assert found(repo) == ["app.py", "secret/keys.py", "vendor/lib.py"]


def test_without_git_installed(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-such-bin"))
    (repo / ".git" / "info" / "exclude").write_text("secret/\n")
    ignore = tmp_path / "home" / ".config" / "git" / "ignore"
    ignore.parent.mkdir(parents=True)
    ignore.write_text("vendor/\n")
    assert found(repo) == ["app.py", "notes/scratch.py"]


def test_outside_a_repository_neither_applies(repo: Path, tmp_path: Path) -> None:
    ignore = tmp_path / "home" / ".config" / "git" / "ignore"
    ignore.parent.mkdir(parents=True)
    ignore.write_text("vendor/\n")
    (repo / ".git" / "info" / "exclude").write_text("secret/\n")
    shutil.rmtree(repo / ".git")
    assert found(repo) == ["app.py", "notes/scratch.py", "secret/keys.py", "vendor/lib.py"]
