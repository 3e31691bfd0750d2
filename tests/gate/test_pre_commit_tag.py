"""The pre-commit hook as users install it: the README's snippet, `rev:` a tag of this repository,
run by pre-commit itself in a throwaway repository (pre-commit builds the hook's environment with
pip, from the package index: `slow`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from idtoken_migrate import REPOSITORY_URL, __version__

from .conftest import REPO, write_legacy_app

pytestmark = pytest.mark.slow

README_SNIPPET = re.compile(r"```yaml\n(repos:\n  - repo: .*?)```", re.S)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def tagged_copy(dest: Path) -> Path:
    """This working tree (committed or not) as a repository whose tag is the README's `rev:`."""
    files = git(REPO, "ls-files", "-co", "--exclude-standard", "-z").split("\0")
    for name in filter(None, files):
        src = REPO / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    git(dest, "init", "-q")
    git(dest, "add", ".")
    git(dest, "commit", "-q", "-m", "release")
    git(dest, "tag", f"v{__version__}")
    return dest


def pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_readme_hook_runs_from_a_tag(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    snippet = README_SNIPPET.search((REPO / "README.md").read_text(encoding="utf-8"))
    assert snippet, "README has no pre-commit snippet"
    config = snippet.group(1)
    assert f"rev: v{__version__}" in config and REPOSITORY_URL in config
    source = tagged_copy(tmp_path / "idtoken-migrate")
    home = tmp_path / "pre-commit-home"

    user = write_legacy_app(tmp_path / "user")
    # The README's snippet as it is, the repository URL pointing at the local tagged copy.
    (user / ".pre-commit-config.yaml").write_text(
        config.replace(REPOSITORY_URL, source.as_uri()), encoding="utf-8"
    )
    git(user, "init", "-q")
    git(user, "add", ".")
    missing = pre_commit(user, home)  # the snippet names a baseline the project has not made yet
    assert missing.returncode == 1, missing.stdout + missing.stderr
    assert (
        "idtoken-migrate-baseline.json: baseline not found (create it with --update-baseline)"
        in (missing.stdout)
    )

    accept = [sys.executable, "-m", "idtoken_migrate", "check", ".", "--update-baseline"]
    accept += ["--baseline", "idtoken-migrate-baseline.json"]
    subprocess.run(accept, cwd=user, check=True, capture_output=True)
    git(user, "add", ".")
    passed = pre_commit(user, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"idtoken-migrate check\.+Passed", passed.stdout), passed.stdout

    (user / "app" / "reports.py").write_text((user / "app" / "auth.py").read_text())
    git(user, "add", ".")
    failed = pre_commit(user, home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert re.search(r"idtoken-migrate check\.+Failed", failed.stdout), failed.stdout
    new = [line for line in failed.stdout.splitlines() if "[new]" in line]
    assert new and all(line.startswith("app/reports.py:") for line in new), failed.stdout
