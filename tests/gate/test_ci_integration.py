"""The gate as users wire it: the pre-commit hook's command in a git repo, the GitHub Action's
check script, and the CI snippet of docs/ci.md in a fresh virtual environment."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import jsonschema
import pytest
import yaml

from .conftest import DEV_BIN, REPO, SARIF_SCHEMA, run, write_legacy_app


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = write_legacy_app(tmp_path / "repo")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "legacy app")
    return repo


def test_pre_commit_hook_definition() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "idtoken-migrate"
    assert hook["entry"] == "idtoken-migrate check"
    assert hook["language"] == "python"
    assert hook["types"] == ["python"]
    assert hook["pass_filenames"] is True


def _hook_command(args: list[str], files: list[str]) -> list[str]:
    # What pre-commit runs: the entry, then the hook's args, then the staged file names.
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return [*hook["entry"].split(), *args, *files]


def test_pre_commit_hook_command_on_changed_files(git_repo: Path) -> None:
    clean = git_repo / "app" / "health.py"
    clean.write_text("def health():\n    return 'ok'\n", encoding="utf-8")
    git(git_repo, "add", "app/health.py")
    ok = run(_hook_command([], ["app/health.py"]), git_repo, DEV_BIN)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    (git_repo / "app" / "auth.py").write_text(
        (git_repo / "app" / "auth.py").read_text() + "\n# touched\n"
    )
    git(git_repo, "add", "app/auth.py")
    failed = run(_hook_command([], ["app/auth.py", "app/health.py"]), git_repo, DEV_BIN)
    assert failed.returncode == 1
    assert "id-token-bearer" in failed.stdout

    usage = run(_hook_command(["--config", "missing.yaml"], ["app/auth.py"]), git_repo, DEV_BIN)
    assert usage.returncode == 2
    assert usage.stderr.strip() == "idtoken-migrate: error: missing.yaml: config file not found"


def test_action_check_script_records_the_exit_code(git_repo: Path, tmp_path: Path) -> None:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "check")
    outputs = tmp_path / "github_output"
    summary = tmp_path / "summary.md"
    env = {
        "IDTM_PYTHON": sys.executable,  # the action's own virtual environment, in CI
        "CHECK_PATH": ".",
        "CHECK_CONFIG": "",
        "CHECK_BASELINE": "",
        "CHECK_ARGS": "--exclude app/admin.py",
        "SARIF_FILE": "idtoken-migrate.sarif",
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    done = run(["bash", "-e", "-c", step["run"]], git_repo, DEV_BIN, extra_env=env)
    assert done.returncode == 0, done.stderr  # the step itself succeeds; a later step fails
    assert outputs.read_text().strip() == "exit-code=1"
    sarif = json.loads((git_repo / "idtoken-migrate.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == 1
    assert "Gate: ❌ failed" in summary.read_text()


def _ci_snippet() -> list[str]:
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- ci-snippet:start -->\s*```sh\n(.*?)```", text, re.S)
    assert block, "docs/ci.md lost its CI snippet markers"
    return [line for line in block.group(1).splitlines() if line.strip()]


@pytest.fixture(scope="session")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """idtoken-migrate installed from this repository into a new virtual environment."""
    home = tmp_path_factory.mktemp("fresh-venv")
    venv.EnvBuilder(with_pip=True).create(home / "venv")
    bin_dir = home / "venv" / ("Scripts" if os.name == "nt" else "bin")
    source = home / "src"
    # Copy the sources that make the package, so the build never touches the working tree.
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv*",
            "tests",
            "bench",
            "__pycache__",
            ".idtoken-migrate-cache",
            "*.egg-info",
        ),
    )
    install = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    return bin_dir


@pytest.mark.slow
def test_ci_snippet_in_a_fresh_virtualenv(fresh_venv: Path, git_repo: Path) -> None:
    assert (fresh_venv / "idtoken-migrate").exists()
    commands = [c for c in _ci_snippet() if not c.startswith("pip install")]
    assert commands, "the CI snippet runs no idtoken-migrate command"

    # First CI run on a legacy repo without a baseline: the gate fails with a report.
    for command in commands:
        failed = run(
            command.replace(" --baseline idtoken-migrate-baseline.json", ""),
            git_repo,
            fresh_venv,
            shell=True,
        )
        assert failed.returncode == 1, failed.stderr
    # The team accepts today's findings; from then on the same snippet passes.
    accepted = run(
        "idtoken-migrate check . --baseline idtoken-migrate-baseline.json --update-baseline",
        git_repo,
        fresh_venv,
        shell=True,
    )
    assert accepted.returncode == 0, accepted.stderr
    for command in commands:
        passed = run(command, git_repo, fresh_venv, shell=True)
        assert passed.returncode == 0, passed.stdout + passed.stderr

    sarif = json.loads((git_repo / "results.sarif").read_text(encoding="utf-8"))
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    # The installed package carries its rule packs: the findings are there, marked unchanged.
    results = sarif["runs"][0]["results"]
    assert len(results) == 2
    assert {r.get("baselineState") for r in results} == {"unchanged"}
