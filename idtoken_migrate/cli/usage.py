"""`usage [LOG...|-]`: legacy ID tokens the dual verifier accepted, per client, from its logs;
`--ready-after DAYS` is the gate for the pull request that applies strict.

Exit 0: the report (and, with --ready-after, no legacy acceptance in those days); 1: clients still
sent ID tokens in those days, or the logs cannot show them; 2: a usage or input error.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from idtoken_migrate.cli.common import emit, fail, handles_usage_errors, note, stdout_is_terminal
from idtoken_migrate.cli.typer_app import app

if TYPE_CHECKING:
    from idtoken_migrate.gate.usage import UsageReport

FORMATS = ("text", "json", "markdown")


@app.command("usage")
@handles_usage_errors
def usage_command(
    logs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[LOG...|-]",
            help="Log files (plain or gzip; each with its rotated siblings), `-` for stdin.",
            show_default=False,
        ),
    ] = None,
    ready_after: Annotated[
        int | None,
        typer.Option(
            "--ready-after",
            metavar="DAYS",
            min=1,
            help="Exit 1 unless no legacy ID token was accepted in the last DAYS days.",
        ),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            metavar="YYYY-MM-DD",
            help="The window ends with this day (UTC); default: the end of the logs.",
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="Report format: " + "|".join(FORMATS) + ".")
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the report to FILE.")
    ] = None,
    timezone: Annotated[
        str,
        typer.Option(
            "--timezone",
            metavar="TZ",
            help="Zone of log timestamps written without an offset: UTC, +02:00, Europe/Paris.",
        ),
    ] = "UTC",
    no_rotated: Annotated[
        bool,
        typer.Option("--no-rotated", help="Read only the files named, not their rotated siblings."),
    ] = False,
) -> None:
    """Legacy ID tokens accepted per client (count, first and last seen, users, per day) from the
    dual verifier's logs; with --ready-after, whether it is safe to apply the strict phase."""
    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    from idtoken_migrate.gate.usage import readiness
    from idtoken_migrate.report.usage import readiness_line, render_usage

    as_of = parse_today(today)
    report = read_usage_logs(logs or [], timezone=timezone, rotated=not no_rotated)
    for record in report.malformed:
        note(f"idtoken-migrate: warning: {record}: malformed legacy-acceptance record")
    if report.malformed_count > len(report.malformed):
        note(f"idtoken-migrate: warning: {report.malformed_count} malformed records in all")
    verdict = readiness(report, ready_after, today=as_of) if ready_after is not None else None
    emit(render_usage(report, fmt, verdict, unicode=_unicode_output(output)), output)
    if verdict is not None:
        if fmt == "json" or output is not None:
            note(readiness_line(verdict))
        if not verdict.ready:
            raise typer.Exit(1)


def parse_today(today: str | None) -> dt.date | None:
    if today is None:
        return None
    from idtoken_migrate.config.file import parse_date

    as_of = parse_date(today)
    if as_of is None:
        fail(f"--today: {today!r} is not a date YYYY-MM-DD")
    return as_of


def read_usage_logs(logs: list[str], *, timezone: str = "UTC", rotated: bool = True) -> UsageReport:
    """Read the named logs (`-`: stdin) into a report; fails (exit 2) on bad input."""
    from idtoken_migrate.gate.usage import log_files, parse_timezone, read_logs

    if not logs:
        if sys.stdin.isatty():
            fail("name the log files to read, or - for stdin")
        logs = ["-"]
    if logs.count("-") > 1:
        fail("- (stdin) can be read only once")
    tz = parse_timezone(timezone)
    paths: list[Path | None] = list(
        log_files([Path(name) for name in logs if name != "-"], rotated=rotated)
    )
    if "-" in logs:
        paths.append(None)
    return read_logs(paths, naive_tz=tz, stdin=sys.stdin.buffer)


def _unicode_output(output: Path | None) -> bool:
    """The chart's block characters, unless stdout cannot encode them (a file is UTF-8)."""
    if output is not None:
        return True
    encoding = getattr(sys.stdout, "encoding", None) or ""
    return encoding.lower().replace("-", "") in ("utf8", "utf16", "utf32") or (
        not stdout_is_terminal() and not encoding
    )
