"""The flags ruff and semgrep users reach for: --quiet, --exit-zero, --statistics, --select,
--ignore, FORCE_COLOR, -f everywhere, one-line usage errors and readable --help."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cli_process import run_cli as run

LEGACY = """\
import jwt
from flask import request


def current_user():
    token = request.headers["Authorization"].split()[1]
    return jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)


def callback(oauth):
    token = oauth.authorize_access_token()
    return jwt.decode(token["id_token"], KEY, algorithms=["RS256"], audience=CLIENT_ID)


def peek():
    token = request.headers["Authorization"].split()[1]
    return jwt.decode(token, options={"verify_signature": False})
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("flags")
    (root / "app.py").write_text(LEGACY, encoding="utf-8")
    return root


def kinds(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [
        line.split("[")[1].split("]")[0] for line in proc.stdout.splitlines() if ": IDT" in line
    ]


def test_the_project_has_three_kinds(project: Path) -> None:
    assert sorted(kinds(run(project, "scan", "--no-cache"))) == [
        "id-token-bearer",
        "id-token-login",
        "unverified-decode",
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--select", "id-token-bearer"], ["id-token-bearer"]),
        (
            ["--select", "id-token-bearer,unverified-decode"],
            ["id-token-bearer", "unverified-decode"],
        ),
        (["--ignore", "id-token-login", "--ignore", "unverified-decode"], ["id-token-bearer"]),
        (
            ["--select", "IDT1", "--ignore", "IDT101/id-token-login"],
            ["id-token-bearer", "unverified-decode"],
        ),
        (["--ignore", "IDT101"], []),
    ],
)
def test_select_and_ignore(project: Path, args: list[str], expected: list[str]) -> None:
    proc = run(project, "scan", *args)
    assert proc.returncode == 0, proc.stderr
    assert sorted(kinds(proc)) == expected


def test_ignored_kinds_do_not_fail_the_gate(project: Path) -> None:
    assert run(project, "check", "--select", "id-token-login").returncode == 0
    assert run(project, "check", "--ignore", "id-token-bearer").returncode == 1


def test_an_unknown_selector_is_a_usage_error(project: Path) -> None:
    proc = run(project, "check", "--select", "IDT999")
    assert proc.returncode == 2
    [line] = proc.stderr.splitlines()
    assert line.startswith("idtoken-migrate: error: --select: 'IDT999' is no rule id")


def test_quiet_prints_findings_and_nothing_else(project: Path) -> None:
    proc = run(project, "check", "-q")
    assert proc.returncode == 1
    assert proc.stderr == ""
    assert all(line.startswith(("app.py:", "    ")) for line in proc.stdout.splitlines()), (
        proc.stdout
    )
    assert len(kinds(proc)) == 3


def test_exit_zero(project: Path) -> None:
    assert run(project, "check").returncode == 1
    proc = run(project, "check", "--exit-zero")
    assert proc.returncode == 0 and "check failed" in proc.stdout
    assert run(project, "check", "--exit-zero", "--today", "nope").returncode == 2


def test_statistics(project: Path) -> None:
    proc = run(project, "scan", "--statistics")
    lines = proc.stdout.splitlines()
    counts = [line.split() for line in lines[:3]]
    assert sorted((c[0], c[1], c[2]) for c in counts) == [
        ("1", "IDT101", "[id-token-bearer]"),
        ("1", "IDT101", "[id-token-login]"),
        ("1", "IDT101", "[unverified-decode]"),
    ]
    assert not any(line.startswith("app.py:") for line in lines)
    assert any(line.startswith("Found 3 findings") for line in lines)
    bad = run(project, "scan", "--statistics", "-f", "json")
    assert bad.returncode == 2 and "--statistics" in bad.stderr


@pytest.mark.parametrize(
    ("env", "colour"),
    [({}, False), ({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False)],
)
def test_force_color(project: Path, env: dict[str, str], colour: bool) -> None:
    proc = run(project, "scan", **env)  # stdout is a pipe: no colour unless forced
    assert ("\x1b[" in proc.stdout) is colour


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--formt", "json"],
        ["scan", "--jobs", "two"],
        ["check", "--max-findings", "-1"],
        ["plan", "--bogus"],
        ["nonsense"],
    ],
)
def test_usage_errors_are_one_line(project: Path, args: list[str]) -> None:
    proc = run(project, *args)
    assert proc.returncode == 2
    [line] = proc.stderr.splitlines()
    assert line.startswith("idtoken-migrate: error: ") and "--help" in line


@pytest.mark.parametrize("command", ["scan", "check", "plan", "inspect-token", "rules list"])
def test_every_format_option_has_f(project: Path, command: str) -> None:
    help_text = run(project, *command.split(), "--help").stdout
    assert "-f, --format" in help_text


@pytest.mark.parametrize("command", ["scan", "check", "plan", "apply", "init", "demo"])
def test_help_shows_readable_metavars(project: Path, command: str) -> None:
    help_text = run(project, command, "--help").stdout
    assert "<" not in help_text and "list[" not in help_text, help_text
    if command in ("scan", "check"):
        assert "[PATH]..." in help_text and "--config FILE" in help_text


def test_a_selection_keeps_the_baseline_entries_it_leaves_out(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(LEGACY, encoding="utf-8")
    assert run(tmp_path, "check", "--baseline", "b.json", "--update-baseline").returncode == 0
    entries = (tmp_path / "b.json").read_text()
    proc = run(
        tmp_path,
        "check",
        "--select",
        "id-token-bearer",
        "--baseline",
        "b.json",
        "--update-baseline",
    )
    assert proc.returncode == 0
    assert (tmp_path / "b.json").read_text() == entries  # the other two are not forgotten
    proc = run(tmp_path, "check", "--select", "id-token-bearer", "--baseline", "b.json")
    assert "Baseline: 0 new, 0 fixed, 1 unchanged." in proc.stdout  # nor reported fixed
