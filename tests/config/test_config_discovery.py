"""Config discovery like ruff's (issue 10, point 4): `scan` and `check` run from a subfolder, or
given a path inside the repository, use the repository's config, found by searching upward to the
repository root; the nearest one wins; the summary line names it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cli_process import run_cli

BROKEN_VERIFIER = "import jwt\n\ndef user(token):\n    return jwt.decode(token, KEY\n"
WARN = "gate:\n  parse_errors: warn\n"


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(cwd, *args, "--no-cache")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose root config relaxes the parse-error gate; without it check fails."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "services" / "api").mkdir(parents=True)
    (root / "services" / "api" / "auth.py").write_text(BROKEN_VERIFIER)
    (root / "idtoken-migrate.yaml").write_text(WARN)
    return root


def summary(proc: subprocess.CompletedProcess[str]) -> str:
    return next(line for line in proc.stdout.splitlines() if line.startswith("Scanned "))


def test_check_from_a_subfolder_uses_the_root_config(repo: Path) -> None:
    sub = repo / "services" / "api"
    proc = run(sub, "check", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert summary(proc).endswith("Config: ../../idtoken-migrate.yaml.")
    (repo / "idtoken-migrate.yaml").unlink()
    failed = run(sub, "check", ".")
    assert failed.returncode == 1  # the config is what made it pass
    assert "Config:" not in summary(failed)


def test_a_path_inside_the_repository_from_outside_it(repo: Path, tmp_path: Path) -> None:
    target = repo / "services" / "api" / "auth.py"
    proc = run(tmp_path, "check", str(target))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert summary(proc).endswith("Config: repo/idtoken-migrate.yaml.")
    scan = run(tmp_path, "scan", str(repo / "services"))
    assert summary(scan).endswith("Config: repo/idtoken-migrate.yaml.")


def test_pyproject_table_at_the_root(repo: Path) -> None:
    (repo / "idtoken-migrate.yaml").unlink()
    (repo / "pyproject.toml").write_text('[tool.idtoken-migrate.gate]\nparse_errors = "warn"\n')
    proc = run(repo / "services", "check", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert summary(proc).endswith("Config: ../pyproject.toml.")


def test_a_pyproject_without_the_table_does_not_stop_the_search(repo: Path) -> None:
    (repo / "services" / "pyproject.toml").write_text("[project]\nname = 'api'\n")
    assert run(repo / "services" / "api", "check", ".").returncode == 0


def test_the_nearest_config_wins(repo: Path) -> None:
    (repo / "services" / "idtoken-migrate.yaml").write_text("gate:\n  parse_errors: fail\n")
    proc = run(repo / "services" / "api", "check", ".")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert summary(proc).endswith("Config: ../idtoken-migrate.yaml.")


def test_the_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "idtoken-migrate.yaml").write_text(WARN)  # above the repository: not its config
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "auth.py").write_text(BROKEN_VERIFIER)
    proc = run(root, "check", ".")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Config:" not in summary(proc)
