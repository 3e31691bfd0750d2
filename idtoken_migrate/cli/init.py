"""`init [PATH]`: write a commented `idtoken-migrate.yaml` prefilled from what `scan` finds."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from idtoken_migrate.cli.common import fail, handles_usage_errors
from idtoken_migrate.cli.typer_app import app
from idtoken_migrate.config.file import CONFIG_FILENAME
from idtoken_migrate.config.starter import render_starter_config
from idtoken_migrate.model import ID_TOKEN_BEARER
from idtoken_migrate.scan.engine import ScanOptions, scan_paths


@app.command()
@handles_usage_errors
def init(
    path: Annotated[Path, typer.Argument(help="Project folder to scan (default: .).")] = Path("."),
    config: Annotated[
        Path | None,
        typer.Option("--config", help=f"File to write (default: PATH/{CONFIG_FILENAME})."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="Glob of paths to skip (repeatable).")
    ] = None,
) -> None:
    """Write a commented idtoken-migrate.yaml prefilled from what scan finds."""
    if not path.exists():
        fail(f"{path}: no such file or directory")
    folder = path if path.is_dir() else path.parent
    target = config if config is not None else folder / CONFIG_FILENAME
    if target.exists() and not force:
        fail(f"{target} already exists; use --force to overwrite it")
    if target.is_dir():
        fail(f"{target} is a directory")

    result = scan_paths([path], ScanOptions(excludes=tuple(exclude or ())))
    text = render_starter_config(result)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{target}: cannot write: {exc.strerror or exc}")

    sites = sum(1 for f in result.findings if f.kind == ID_TOKEN_BEARER)
    providers = sorted({f.provider for f in result.findings if f.provider})
    detected = f", provider {', '.join(providers)}" if providers else ""
    typer.echo(
        f"Wrote {os.path.normpath(target)}: {sites} ID-token site{'s' if sites != 1 else ''}"
        f"{detected}. Review the values marked TODO, then run `idtoken-migrate plan`."
    )
