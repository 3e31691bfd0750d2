"""`idtoken-migrate scan`: find and classify token verification code."""

from __future__ import annotations

import os
from collections.abc import Sequence
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
        root=root,
    )


def config_root(targets: Sequence[Path]) -> Path:
    """Where the default config is looked for: the one folder scanned if it has one, else `.`."""
    if len(targets) == 1 and targets[0].is_dir():
        folder = targets[0]
        if (folder / "idtoken-migrate.yaml").is_file() or (folder / "pyproject.toml").is_file():
            return folder
    return Path(".")


def project_root(targets: Sequence[Path]) -> Path:
    """The folder finding paths are relative to: the working directory when every target is
    inside it (as ruff reports paths), so `scan .`, `check .` in CI and `check a.py b.py` from
    pre-commit give one finding one path and one fingerprint, and SARIF paths are
    repository-relative; else the targets' common folder."""
    from migrate.discover import scan_root

    cwd = Path.cwd().resolve()
    resolved = [t.resolve() for t in targets]
    if all(t == cwd or cwd in t.parents for t in resolved):
        return cwd
    return scan_root(targets)


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
    targets = list(paths or [Path(".")])
    for p in targets:
        if not p.exists():
            fail(f"{p}: no such file or directory")
    loaded = load_config_for(config, config_root(targets))
    options = scan_options(
        project_root(targets),
        exclude,
        jobs,
        rules,
        no_cache,
        cache_dir,
        max_file_size,
        no_prefilter,
        config_excludes=loaded.scan.exclude,
    )
    result = run_scan(targets, options)
    from migrate.report import render

    emit(render(result, format, color=use_color() and output is None), output)


def load_config_for(config: Path | None, root: Path):  # noqa: ANN201 - Config
    """The user's config (an explicit --config must exist), else the defaults."""
    from migrate.configfile import load_config

    return load_config(config, root)
