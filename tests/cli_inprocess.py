"""Run the typer application in this process (typer's CliRunner), as several test folders do."""

from __future__ import annotations

from dataclasses import dataclass

from typer.testing import CliRunner

from idtoken_migrate.cli.typer_app import app


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str, stdin: bytes | None = None) -> Run:
    result = CliRunner().invoke(app, list(args), input=stdin, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)
