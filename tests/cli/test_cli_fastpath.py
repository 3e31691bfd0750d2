"""`scan` and `check` start without typer (cli.params): the small parser must read every
command line it accepts exactly as typer does, and leave every other one to typer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from idtoken_migrate.cli import app
from idtoken_migrate.cli import check as check_cli
from idtoken_migrate.cli import scan as scan_cli
from idtoken_migrate.cli.params import Command, parse
from idtoken_migrate.cli.typer_app import add_command

COMMANDS = {"scan": scan_cli.COMMAND, "check": check_cli.COMMAND}

COMMON_LINES = [
    [],
    ["app.py"],
    ["app.py", "pkg", "other/mod.py"],
    ["--format", "json", "app.py"],
    ["--format=sarif", "app.py"],
    ["--format", "json", "--format", "text"],  # the last one wins
    ["--exclude", "a", "--exclude", "b/**", "."],
    ["app.py", "--no-cache", "pkg"],  # options between paths
    ["--rules", "r1", "--rules=r2", "--config", "c.yaml", "--output", "out/report.json"],
    ["--", "-odd-name.py", "--no-cache"],  # after --, everything is a path
    ["--output-format", "sarif=r.sarif", "--output-format=json=r.json", "--sarif-category", "x"],
    ["--select", "IDT1,id-token-bearer", "--ignore=IDT102", "--ignore", "IDT2", "-q"],
    ["--quiet", "--statistics"],
]
LINES = {
    "scan": COMMON_LINES
    + [
        ["-f", "github", "-o", "r.txt", "-j", "3"],
        ["--jobs", "0", "--cache-dir", "c", "--max-file-size", "10", "--no-prefilter"],
        ["--jobs=2", "--max-file-size=1"],
    ],
    "check": COMMON_LINES
    + [
        ["--baseline", "b.json", "--update-baseline", "--max-findings", "0"],
        ["--today", "2026-01-01", "--max-findings=7", "--format", "markdown"],
        ["-f", "junit", "-o", "r.xml"],
        ["--exit-zero", "--max-findings", "3"],
    ],
}
# Lines the small parser leaves alone; typer answers each (help, or a usage error).
DECLINED = [
    ["--help"],
    ["--formt", "json"],  # a typo
    ["--format"],  # no value
    ["--format", ""],
    ["--no-cache=1"],
    ["-x"],
]
DECLINED_SCAN = [
    ["--jobs", "-1"],
    ["--jobs", "two"],
    ["--max-file-size", "0"],
]
DECLINED_CHECK = [["--max-findings", "-1"], ["--max-findings", "x"]]


def typer_kwargs(command: Command, argv: list[str]) -> dict[str, Any]:
    """What typer hands the command for `argv`, through the same declaration."""
    seen: dict[str, Any] = {}
    probe = typer.Typer()

    @probe.callback()
    def _root() -> None:  # a group, so the command is named on the command line as for users
        pass

    def record(**kwargs: Any) -> int:
        seen.update(kwargs)
        return 0

    add_command(probe, Command(command.name, command.help, command.params, record))
    result = CliRunner().invoke(probe, [command.name, *argv], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return seen


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_small_parser_reads_lines_as_typer_does(name: str) -> None:
    command = COMMANDS[name]
    for argv in LINES[name]:
        assert parse(command, argv) == typer_kwargs(command, argv), argv


@pytest.mark.parametrize(
    ("name", "argv"),
    [("scan", a) for a in DECLINED + DECLINED_SCAN]
    + [("check", a) for a in DECLINED + DECLINED_CHECK],
)
def test_lines_it_is_unsure_of_go_to_typer(
    name: str, argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert parse(COMMANDS[name], argv) is None
    result = CliRunner().invoke(app, [name, *argv])
    if argv == ["--help"]:
        assert result.exit_code == 0 and "Usage:" in result.output
    else:
        assert result.exit_code == 2, (argv, result.output)  # typer's usage error


@pytest.mark.parametrize(
    ("name", "argv"),
    [
        ("scan", [""]),
        ("scan", ["-"]),
        ("scan", ["--jobs", "-"]),
        ("scan", ["-fjson"]),  # click: format "json"
        ("scan", ["-f=json"]),  # click: format "=json"
        ("scan", ["-o=r.txt"]),
        ("check", [""]),
        ("check", ["-"]),
        ("check", ["--max-findings", "-"]),
        ("check", ["-o=r.txt"]),
    ],
)
def test_odd_values_go_to_typer_too(name: str, argv: list[str]) -> None:
    # Path("") is "." to typer, "-" reads like an option, click reads whatever follows a short
    # flag as its value: typer decides what they mean.
    assert parse(COMMANDS[name], argv) is None


def test_every_flag_is_declared_once() -> None:
    for command in COMMANDS.values():
        flags = [f for p in command.params for f in p.flags]
        assert len(flags) == len(set(flags))
        assert sum(1 for p in command.params if not p.flags) == 1  # the paths


LEGACY = """\
import jwt
from flask import request


def current_user():
    token = request.headers["Authorization"].split()[1]
    return jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["scan", "--format", "json", "--no-cache", "app.py"],
        ["scan", "--no-cache", "."],
        ["check", "--no-cache", "--format", "json", "."],
        ["check", "--no-cache", "app.py"],
        ["check", "--no-cache", "missing.py"],
        ["scan", "--format", "xml", "app.py"],
    ],
)
def test_the_console_script_answers_as_the_typer_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    (tmp_path / "app.py").write_text(LEGACY)
    fast = subprocess.run(
        [sys.executable, "-m", "idtoken_migrate", *argv],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    monkeypatch.chdir(tmp_path)
    slow = CliRunner().invoke(app, argv)
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        slow.exit_code,
        slow.stdout,
        slow.stderr,
    )
    if "json" in argv and fast.returncode != 2:
        assert json.loads(fast.stdout)["findings"]  # the comparison was of a real report


PROBE = """
import sys
from idtoken_migrate.cli import _run_fast
code = _run_fast(sys.argv[1:])
heavy = ("typer", "click", "pydantic", "rich", "yaml", "pathspec", "multiprocessing", "libcst")
print(code, ",".join(m for m in heavy if m in sys.modules))
"""


def probe(cwd: Path, *argv: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], cwd=cwd, capture_output=True, text=True, check=True
    )
    return out.stdout.splitlines()[-1]


def test_a_one_file_scan_loads_only_what_it_needs(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(LEGACY)
    (tmp_path / "plain.py").write_text("def add(a, b):\n    return a + b\n")
    probe(tmp_path, "scan", "--no-cache", "plain.py")  # the first start-up stores the rule packs
    # No typer, no YAML, no gitignore matcher, no worker pool: and no parser without a match.
    assert probe(tmp_path, "scan", "--no-cache", "plain.py") == "0 "
    assert probe(tmp_path, "check", "--no-cache", "plain.py") == "0 "
    assert probe(tmp_path, "scan", "--no-cache", "app.py") == "0 libcst"


def test_yaml_is_imported_only_for_a_yaml_config(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text("x = 1\n")
    probe(tmp_path, "scan", "--no-cache", "plain.py")  # stores the rule packs
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert probe(tmp_path, "check", "--no-cache", "plain.py") == "0 "
    (tmp_path / "pyproject.toml").write_text('[tool."idtoken\\u002dmigrate"]\nphase = "strict"\n')
    assert probe(tmp_path, "check", "--no-cache", "plain.py") == "0 "
    (tmp_path / "idtoken-migrate.yaml").write_text("phase: strict\n")
    assert probe(tmp_path, "check", "--no-cache", "plain.py") == "0 yaml"


def test_a_broken_pyproject_is_an_error_as_for_plan(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text("x = 1\n")
    (tmp_path / "pyproject.toml").write_text("[project\n")
    run = subprocess.run(
        [sys.executable, "-m", "idtoken_migrate", "check", "--no-cache", "plain.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert run.stderr.startswith("idtoken-migrate: error: pyproject.toml:1")
