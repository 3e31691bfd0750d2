"""`idtoken-migrate scan`: find and classify token verification code."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from migrate.cli.app import (
    app,
    emit,
    fail,
    handles_usage_errors,
    stderr_is_terminal,
    stdout_is_terminal,
)
from migrate.report import SCAN_FORMATS

PATHS = typer.Argument(None, help="Files or folders to scan (default: the current folder).")
FORMAT = typer.Option("text", "--format", "-f", help="text | json | sarif | github | junit")
OUTPUT = typer.Option(None, "--output", "-o", help="Write the report to FILE instead of stdout.")
EXCLUDE = typer.Option(
    [], "--exclude", help="Glob of paths to skip (repeatable; .gitignore syntax)."
)
JOBS = typer.Option(0, "--jobs", "-j", min=0, help="Worker processes; 0 = one per core.")
RULES = typer.Option([], "--rules", help="Folder of extra rule packs (repeatable).")
CONFIG = typer.Option(
    None, "--config", help="Config file (default idtoken-migrate.yaml, then pyproject.toml)."
)
NO_CACHE = typer.Option(False, "--no-cache", help="Do not read or write the scan cache.")
CACHE_DIR = typer.Option(
    None, "--cache-dir", help="Cache folder (default .idtoken-migrate-cache in the root)."
)
MAX_SIZE = typer.Option(
    2 * 1024 * 1024, "--max-file-size", min=1, help="Skip files larger than this (bytes)."
)
NO_PREFILTER = typer.Option(
    False, "--no-prefilter", hidden=True, help="Parse every file (for testing)."
)


def scan_options(
    root: Path,
    exclude: list[str],
    jobs: int,
    rules: list[Path],
    no_cache: bool,
    cache_dir: Path | None,
    max_file_size: int = 2 * 1024 * 1024,
    no_prefilter: bool = False,
    config_excludes: tuple[str, ...] = (),
):  # noqa: ANN201 - ScanOptions, imported lazily to keep start-up fast
    from migrate.scan import ScanOptions

    cache: Path | None = None
    if not no_cache:
        from migrate.cache import default_cache_dir

        cache = cache_dir or default_cache_dir(root)
    return ScanOptions(
        excludes=tuple(exclude) + config_excludes,
        jobs=jobs,
        rules_dirs=tuple(rules),
        prefilter=not no_prefilter,
        max_file_size=max_file_size,
        cache_dir=cache,
    )


def progress_bar():  # noqa: ANN201
    """A rich progress callback on a terminal; None when stderr is piped."""
    if not stderr_is_terminal() or os.environ.get("CI"):
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),  # stdout carries the report, maybe into a pipe
        transient=True,
    )
    task = bar.add_task("scanning", total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, update


def use_color() -> bool:
    return stdout_is_terminal() and not os.environ.get("NO_COLOR")


def run_scan(paths: list[Path], options):  # noqa: ANN001, ANN201
    from migrate.scan import scan_paths

    bar, update = progress_bar()
    if bar is None:
        return scan_paths(paths, options)
    with bar:
        return scan_paths(paths, options, progress=update)


@app.command()
@handles_usage_errors
def scan(
    paths: list[Path] = PATHS,
    format: str = FORMAT,
    output: Path | None = OUTPUT,
    exclude: list[str] = EXCLUDE,
    jobs: int = JOBS,
    rules: list[Path] = RULES,
    config: Path | None = CONFIG,
    no_cache: bool = NO_CACHE,
    cache_dir: Path | None = CACHE_DIR,
    max_file_size: int = MAX_SIZE,
    no_prefilter: bool = NO_PREFILTER,
) -> None:
    """Find and classify ID-token and access-token verification code."""
    if format not in SCAN_FORMATS:
        fail(f"--format: unknown format {format!r} (choose from {', '.join(SCAN_FORMATS)})")
    from migrate.discover import scan_root

    targets = list(paths or [Path(".")])
    for p in targets:
        if not p.exists():
            fail(f"{p}: no such file or directory")
    root = scan_root(targets)
    loaded = load_config_for(config, root)
    options = scan_options(
        root,
        exclude,
        jobs,
        rules,
        no_cache,
        cache_dir,
        max_file_size,
        no_prefilter,
        config_excludes=loaded.scan.exclude if loaded else (),
    )
    result = run_scan(targets, options)
    from migrate.report import render

    emit(render(result, format, color=use_color() and output is None), output)


def load_config_for(config: Path | None, root: Path):  # noqa: ANN201
    """The user's config if there is one (an explicit --config must exist), else None."""
    try:
        from migrate.configfile import load_config
    except ImportError:  # the loader lands separately
        if config is not None and not config.exists():
            fail(f"{config}: config file does not exist")
        return None
    return load_config(config, root)
