"""What every command shares, free of typer: errors, output, terminal checks, the scan set-up.

Typer-free so that `scan` and `check`, the commands pre-commit and CI run on every push, can
start without it (see `idtoken_migrate.cli.params`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from idtoken_migrate.model import UsageError

if TYPE_CHECKING:
    from idtoken_migrate.config import Config
    from idtoken_migrate.model import ScanResult
    from idtoken_migrate.report.selection import Selection
    from idtoken_migrate.scan.engine import ScanOptions
    from idtoken_migrate.scan.suppress import SuppressionNote

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str) -> NoReturn:
    """Usage or input error: one line on stderr, exit 2."""
    print(f"idtoken-migrate: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def note(message: str) -> None:
    """A line for the person at the terminal, on stderr (stdout carries reports)."""
    print(message, file=sys.stderr)


def handles_usage_errors(func: F) -> F:
    """Turn a UsageError raised by the engine into the one-line, exit-2 contract."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UsageError as exc:
            fail(str(exc))

    return wrapper  # type: ignore[return-value]


def emit(text: str, output: Path | None) -> None:
    """Write a report to --output FILE, or to stdout."""
    if output is None:
        sys.stdout.write(text)
        if text and not text.endswith("\n"):
            sys.stdout.write("\n")
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as exc:
        fail(f"{output}: cannot write: {exc.strerror or exc}")


def report_outputs(
    fmt: str, statistics: bool, specs: Sequence[str], formats: Sequence[str]
) -> list[tuple[str, Path]]:
    """Check `--format`, `--statistics` and `--output-format` (scan, check): the extra outputs."""
    if fmt not in formats:
        fail(f"--format: unknown format {fmt!r} (choose from {', '.join(formats)})")
    if statistics and fmt != "text":
        fail(f"--statistics counts findings in the text format, not in {fmt}")
    return output_specs(specs, formats)


def output_specs(specs: Sequence[str], formats: Sequence[str]) -> list[tuple[str, Path]]:
    """`--output-format FORMAT=FILE` values as (format, path) pairs; one-line error when bad."""
    pairs: list[tuple[str, Path]] = []
    for spec in specs:
        fmt, sep, file = spec.partition("=")
        if not sep or not file:
            fail(f"--output-format: {spec!r} is not FORMAT=FILE (e.g. sarif=results.sarif)")
        if fmt not in formats:
            fail(f"--output-format: unknown format {fmt!r} (choose from {', '.join(formats)})")
        pairs.append((fmt, Path(file)))
    return pairs


def select_findings(
    result: ScanResult, select: Sequence[str] | None, ignore: Sequence[str] | None
) -> tuple[ScanResult, Selection]:
    """The result with only the findings `--select`/`--ignore` keep, and the selection."""
    from idtoken_migrate.report.selection import apply_selection, make_selection

    selection = make_selection(select or (), ignore or (), (rule.id for rule in result.rules))
    return apply_selection(result, selection), selection


def suppression_notes(
    enabled: bool, targets: Sequence[Path], options: ScanOptions, result: ScanResult
) -> list[str]:
    """Lines about suppression comments. Always: a comment naming an unknown rule in a file with a
    finding (the typo is why the finding shows). With `--report-unused-suppressions` (ruff's
    RUF100): every dead or mistaken suppression comment in the scanned files."""
    known = [rule.id for rule in result.rules]
    if enabled:
        from idtoken_migrate.scan.suppress_audit import audit_suppressions

        notes = audit_suppressions(targets, options, known)
    else:
        notes = _unknown_suppressions(Path(result.root), result, known)
    return [f"{n.path}:{n.line}: {n.message}" for n in notes]


def _unknown_suppressions(
    root: Path, result: ScanResult, known: list[str]
) -> list[SuppressionNote]:
    from idtoken_migrate.scan.engine import decode_source
    from idtoken_migrate.scan.suppress import MARKER, parse_suppressions, unknown_rules

    notes: list[SuppressionNote] = []
    for relpath in sorted({f.path for f in result.findings}):
        try:
            data = (root / relpath).read_bytes()
            if MARKER.encode() in data.lower():
                notes += unknown_rules(parse_suppressions(decode_source(data)), relpath, known)
        except (OSError, ValueError):
            continue  # the scan saw the file; a file gone or undecodable since has nothing to say
    return notes


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def use_color() -> bool:
    """Colour on a terminal; NO_COLOR (no-color.org) turns it off, FORCE_COLOR
    (force-color.org) on where there is no terminal (CI logs). A non-empty NO_COLOR wins."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stdout_is_terminal()


def require_paths(targets: Sequence[Path]) -> None:
    for target in targets:
        if not target.exists():
            fail(f"{target}: no such file or directory")


# -- the scan both `scan` and `check` run ------------------------------------------------------


def scan_options(
    root: Path,
    exclude: Sequence[str],
    jobs: int,
    rules: Sequence[Path],
    no_cache: bool,
    cache_dir: Path | None,
    max_file_size: int = 2 * 1024 * 1024,
    no_prefilter: bool = False,
    config_excludes: tuple[str, ...] = (),
) -> ScanOptions:
    from idtoken_migrate.scan.engine import ScanOptions

    cache: Path | None = None
    if not no_cache:
        from idtoken_migrate.scan.cache import default_cache_dir

        cache = cache_dir or default_cache_dir(root)  # None without a home folder
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
    """Where the config is read from: the nearest folder at or above the targets (their common
    folder) that has one, up to the repository root (`configfile.discover_config`); else the same
    search from the working directory; else `.` (the defaults)."""
    from idtoken_migrate.config.file import discover_config
    from idtoken_migrate.scan.discover import scan_root

    for start in (scan_root(targets) if targets else Path("."), Path(".")):
        found = discover_config(start)
        if found is not None:
            return found.parent
    return Path(".")


def load_config_for(config: Path | None, targets: Sequence[Path]) -> Config:
    """The user's config (an explicit --config must exist), else the defaults."""
    from idtoken_migrate.config.file import load_config

    return load_config(config, config_root(targets))


def refuse_placeholders(cfg: Config, config: Path | None, targets: Sequence[Path]) -> None:
    """ConfigError when the config still holds a placeholder `init` wrote."""
    from idtoken_migrate.config.file import check_placeholders, find_config_file

    check_placeholders(cfg, config or find_config_file(config_root(targets)))


def project_root(targets: Sequence[Path]) -> Path:
    """The folder finding paths are relative to: the working directory when every target is
    inside it (as ruff reports paths), so `scan .`, `check .` in CI and `check a.py b.py` from
    pre-commit give one finding one path and one fingerprint, and SARIF paths are
    repository-relative; else the targets' common folder."""
    from idtoken_migrate.scan.discover import scan_root

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


def run_scan(
    paths: Sequence[Path], options: ScanOptions, config: Config | None = None
) -> ScanResult:
    """Scan with a progress bar on a terminal; the result names `config`'s file, if any."""
    from dataclasses import replace

    from idtoken_migrate.scan.engine import scan_paths

    bar, update = progress_bar()
    if bar is None:
        result = scan_paths(paths, options)
    else:
        with bar:
            result = scan_paths(paths, options, progress=update)
    if config is not None and config.source:
        result = replace(result, config=_shown(config.source))
    return result


def _shown(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
