"""Command-line parameters declared once, read by typer or, on the hot path, by `parse`.

`scan` and `check` run in pre-commit hooks and on every CI push, where start-up is most of the
run: typer (with click and pydantic) costs about 0.25 s before any work starts. So these two
commands declare their parameters here, free of typer. `cli.typer_app` turns a declaration
into a typer command, which owns `--help` and every error message; `parse` reads a plain command
line without typer and gives up on anything it is not sure of (an unknown option, a value it
cannot convert, `--help`), which then goes to typer. tests/cli/test_cli_fastpath.py holds the two
parsers to the same arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Param:
    name: str  # the keyword the command's function takes
    flags: tuple[str, ...]  # ("--format", "-f"); () for the positional paths
    type: type  # str, int, Path, or bool for a flag
    default: Any = None
    help: str = ""
    multiple: bool = False  # repeatable option, or any number of positionals
    min: int | None = None
    hidden: bool = False
    metavar: str | None = None


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    params: tuple[Param, ...]
    run: Callable[..., int]  # takes every param by name, returns the exit code


# The options `scan` and `check` share.
OUTPUT = Param(
    "output",
    ("--output", "-o"),
    Path,
    metavar="FILE",
    help="Write the report to FILE instead of stdout.",
)
EXCLUDE = Param(
    "exclude",
    ("--exclude",),
    str,
    multiple=True,
    metavar="GLOB",
    help="Glob of paths to skip (repeatable; .gitignore syntax; adds to scan.exclude).",
)
RULES = Param(
    "rules",
    ("--rules",),
    Path,
    multiple=True,
    metavar="DIR",
    help="Folder of extra rule packs (repeatable).",
)
CONFIG = Param(
    "config",
    ("--config",),
    Path,
    metavar="FILE",
    help="Config file (default: idtoken-migrate.yaml, then pyproject.toml).",
)
OUTPUT_FORMAT = Param(
    "output_formats",
    ("--output-format",),
    str,
    multiple=True,
    metavar="FORMAT=FILE",
    help="Also write the report in FORMAT to FILE, from the same scan (repeatable), "
    "e.g. sarif=results.sarif.",
)
SARIF_CATEGORY = Param(
    "sarif_category",
    ("--sarif-category",),
    str,
    metavar="NAME",
    help="Code scanning category of the SARIF report (runs[0].automationDetails.id).",
)
SELECT = Param(
    "select",
    ("--select",),
    str,
    multiple=True,
    metavar="RULE|KIND",
    help="Report only these rule ids, rule-id prefixes or kinds (comma-separated, repeatable).",
)
IGNORE = Param(
    "ignore",
    ("--ignore",),
    str,
    multiple=True,
    metavar="RULE|KIND",
    help="Leave out these rule ids, rule-id prefixes or kinds (comma-separated, repeatable).",
)
QUIET = Param(
    "quiet",
    ("--quiet", "-q"),
    bool,
    False,
    help="Print the findings and nothing else: no summary, no notes.",
)
STATISTICS = Param(
    "statistics",
    ("--statistics",),
    bool,
    False,
    help="Count the findings per rule and kind instead of listing them (text format).",
)
REPORT_UNUSED = Param(
    "report_unused_suppressions",
    ("--report-unused-suppressions",),
    bool,
    False,
    help="Report suppression comments that suppress nothing or name unknown rules (as ruff's "
    "RUF100); `check` fails on them.",
)
NO_CACHE = Param(
    "no_cache", ("--no-cache",), bool, False, help="Do not read or write the scan cache."
)


def parse(command: Command, argv: Sequence[str]) -> dict[str, Any] | None:
    """The keyword arguments `argv` gives `command.run`, or None to leave `argv` to typer."""
    options = {flag: p for p in command.params for flag in p.flags}
    positional = next((p for p in command.params if not p.flags), None)
    values: dict[str, Any] = {}
    args = list(argv)
    i = 0
    only_positional = False
    while i < len(args):
        token = args[i]
        i += 1
        if only_positional or not token.startswith("-"):
            if positional is None or not token:
                return None
            values.setdefault(positional.name, []).append(positional.type(token))
            continue
        if token == "--":
            only_positional = True
            continue
        if token.startswith("--"):
            flag, has_value, value = token.partition("=")
        elif len(token) == 2:  # click reads `-fjson` and `-f=json` as "json" and "=json"
            flag, has_value, value = token, "", ""
        else:
            return None
        param = options.get(flag)
        if param is None:
            return None  # --help, a typo, a combined short flag: typer says what is wrong
        if param.type is bool:
            if has_value:
                return None
            values[param.name] = True
            continue
        if not has_value:
            if i == len(args):
                return None
            value = args[i]
            i += 1
        converted = _convert(param, value)
        if converted is None:
            return None
        if param.multiple:
            values.setdefault(param.name, []).append(converted)
        else:
            values[param.name] = converted
    return {p.name: values.get(p.name, p.default) for p in command.params}


def _convert(param: Param, value: str) -> Any:
    if not value or value.startswith("-"):
        return None
    if param.type is int:
        try:
            number = int(value)
        except ValueError:
            return None
        if param.min is not None and number < param.min:
            return None
        return number
    return param.type(value)
