"""Exit codes of every command (product.md contract): 0 success, 1 gate failed or changes pending,
2 usage or input error with one line on stderr and no traceback. Run as users run it: a process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from samples import AUTH0_HS256_CONFIG

LEGACY = """\
import jwt
from flask import request


def current_user():
    token = request.headers["Authorization"].split()[1]
    return jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
"""
CONFIG = AUTH0_HS256_CONFIG
TYPO = CONFIG.replace("  audience:", "  audiense:")
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"  # decodable; its signature is never checked


def run(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "idtoken_migrate", *args],
        cwd=cwd,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(LEGACY)
    (tmp_path / "idtoken-migrate.yaml").write_text(CONFIG)
    return tmp_path


def assert_usage_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in lines[0]


# Every command that reads the config: a typo names the file, the line and the key.
CONFIG_COMMANDS = [
    ("scan", "."),
    ("plan", "."),
    ("apply", ".", "--phase", "dual"),
    ("check", "."),
    ("inspect-token", "-"),
]


@pytest.mark.parametrize("command", CONFIG_COMMANDS, ids=lambda c: c[0])
def test_config_typo_is_exit_2_naming_file_line_and_key(project: Path, command: tuple) -> None:
    (project / "idtoken-migrate.yaml").write_text(TYPO)
    proc = run(project, *command, stdin=TOKEN)
    assert_usage_error(proc, "idtoken-migrate.yaml:5", "access_token.audiense")


# (`init --config FILE` names the file to write, so it has no missing-file case.)
@pytest.mark.parametrize("command", CONFIG_COMMANDS, ids=lambda c: c[0])
def test_missing_config_file_is_exit_2(project: Path, command: tuple) -> None:
    proc = run(project, *command, "--config", "nope.yaml", stdin=TOKEN)
    assert_usage_error(proc, "nope.yaml")


@pytest.mark.parametrize(
    "command",
    [
        ("scan", "missing/"),
        ("init", "missing/"),
        ("plan", "missing/"),
        ("apply", "missing/"),
        ("check", "missing/"),
        ("usage", "missing/app.log"),
        ("rules", "test", "missing/"),
        ("rules", "list", "--rules", "missing/"),
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_missing_path_is_exit_2(project: Path, command: tuple) -> None:
    assert_usage_error(run(project, *command), "missing")


def test_success_and_failure_exits(project: Path) -> None:
    assert run(project, "scan", ".").returncode == 0
    assert run(project, "plan", ".").returncode == 0
    assert run(project, "check", ".").returncode == 1  # a finding outside any baseline
    assert run(project, "apply", ".", "--phase", "dual", "--check").returncode == 1
    assert run(project, "apply", ".", "--phase", "dual", "--write").returncode == 0
    assert run(project, "apply", ".", "--phase", "dual", "--check").returncode == 0
    assert run(project, "check", ".").returncode == 0  # migrated; dual allowed before the sunset
    assert run(project, "inspect-token", "-", stdin=TOKEN).returncode == 0
    assert run(project, "rules", "list").returncode == 0
    assert run(project, "rules", "show", "IDT101").returncode == 0
    assert run(project, "rules", "test").returncode == 0


def test_unknown_option_and_format_are_exit_2(project: Path) -> None:
    assert run(project, "scan", "--bogus").returncode == 2
    assert_usage_error(run(project, "scan", ".", "--format", "xml"), "xml")
    assert_usage_error(run(project, "rules", "show", "NOPE9"), "NOPE9")
