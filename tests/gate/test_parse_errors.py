"""`check` and files that cannot be parsed (issue 10, point 3): a file whose bytes name a token
library's verification API but that does not parse fails the gate by default, with the reason;
`gate.parse_errors: warn` relaxes it; a broken file that names no such API never counts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cli_process import run_cli

BROKEN_VERIFIER = """\
import jwt


def current_user(token):
    return jwt.decode(token, KEY, algorithms=["RS256"]
"""
BROKEN_OTHER = "def half(:\n    pass\n"
CLEAN = "def add(a, b):\n    return a + b\n"
NESTED = "import jwt\n\nX = jwt.decode(" + "[" * 3000 + "]" * 3000 + ")\n"


def check(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(cwd, "check", "--no-cache", *args)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "clean.py").write_text(CLEAN)
    return tmp_path


def test_a_broken_file_that_calls_jwt_decode_fails_the_gate(project: Path) -> None:
    (project / "app" / "broken.py").write_text(BROKEN_VERIFIER)
    for target in ("app/broken.py", "."):
        proc = check(project, target)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        (line,) = [x for x in proc.stdout.splitlines() if x.startswith("check failed:")]
        assert "1 file that names a token verification API could not be parsed" in line
        assert "app/broken.py:" in line and "syntax error" in line
        assert "gate.parse_errors: warn" in line


def test_a_file_that_would_crash_the_parser_fails_it_too(project: Path) -> None:
    (project / "app" / "table.py").write_text(NESTED)
    proc = check(project, ".")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "app/table.py: could not be parsed safely: brackets nested" in proc.stdout


def test_warn_lets_it_pass_with_a_note(project: Path) -> None:
    (project / "app" / "broken.py").write_text(BROKEN_VERIFIER)
    (project / "idtoken-migrate.yaml").write_text("gate:\n  parse_errors: warn\n")
    proc = check(project, ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert any(
        x.startswith("note: 1 file that names a token verification API could not be parsed")
        for x in proc.stdout.splitlines()
    ), proc.stdout


def test_the_same_key_in_pyproject(project: Path) -> None:
    (project / "app" / "broken.py").write_text(BROKEN_VERIFIER)
    (project / "pyproject.toml").write_text('[tool.idtoken-migrate.gate]\nparse_errors = "warn"\n')
    assert check(project, ".").returncode == 0


def test_a_broken_file_that_names_no_verification_api_does_not_count(project: Path) -> None:
    (project / "app" / "other.py").write_text(BROKEN_OTHER)
    proc = check(project, ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_bad_value_names_the_key(project: Path) -> None:
    (project / "idtoken-migrate.yaml").write_text("gate:\n  parse_errors: ignore\n")
    proc = check(project, ".")
    assert proc.returncode == 2
    assert "idtoken-migrate.yaml:2: gate.parse_errors: 'ignore' is not one of fail, warn" in (
        proc.stderr
    )
