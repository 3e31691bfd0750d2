"""`idtoken-migrate scan`: find and classify token verification code."""

from __future__ import annotations

from pathlib import Path

from idtoken_migrate.cli.common import (
    emit,
    handles_usage_errors,
    load_config_for,
    note,
    project_root,
    report_outputs,
    require_paths,
    run_scan,
    scan_options,
    select_findings,
    suppression_notes,
    use_color,
)
from idtoken_migrate.cli.params import (
    CONFIG,
    EXCLUDE,
    IGNORE,
    NO_CACHE,
    OUTPUT,
    OUTPUT_FORMAT,
    QUIET,
    REPORT_UNUSED,
    RULES,
    SARIF_CATEGORY,
    SELECT,
    STATISTICS,
    Command,
    Param,
)
from idtoken_migrate.report import SCAN_FORMATS, render

PARAMS = (
    Param(
        "paths",
        (),
        Path,
        metavar="PATH",
        help="Files or folders to scan (default: the current folder).",
        multiple=True,
    ),
    Param(
        "format",
        ("--format", "-f"),
        str,
        "text",
        metavar="FORMAT",
        help="Report format: " + "|".join(SCAN_FORMATS) + ".",
    ),
    OUTPUT,
    OUTPUT_FORMAT,
    SARIF_CATEGORY,
    SELECT,
    IGNORE,
    QUIET,
    STATISTICS,
    REPORT_UNUSED,
    EXCLUDE,
    Param(
        "jobs",
        ("--jobs", "-j"),
        int,
        0,
        min=0,
        metavar="N",
        help="Worker processes; 0 = one per core.",
    ),
    RULES,
    CONFIG,
    NO_CACHE,
    Param(
        "cache_dir",
        ("--cache-dir",),
        Path,
        metavar="DIR",
        help="Cache folder (default: one per project in ~/.cache/idtoken-migrate/scan).",
    ),
    Param(
        "max_file_size",
        ("--max-file-size",),
        int,
        2 * 1024 * 1024,
        min=1,
        metavar="BYTES",
        help="Skip files larger than this (bytes).",
    ),
    Param(
        "no_prefilter",
        ("--no-prefilter",),
        bool,
        False,
        hidden=True,
        help="Parse every file (for testing).",
    ),
)


@handles_usage_errors
def scan(
    paths: list[Path] | None,
    format: str,
    output: Path | None,
    output_formats: list[str] | None,
    sarif_category: str | None,
    select: list[str] | None,
    ignore: list[str] | None,
    quiet: bool,
    statistics: bool,
    report_unused_suppressions: bool,
    exclude: list[str] | None,
    jobs: int,
    rules: list[Path] | None,
    config: Path | None,
    no_cache: bool,
    cache_dir: Path | None,
    max_file_size: int,
    no_prefilter: bool,
) -> int:
    """Find and classify ID-token and access-token verification code."""
    extra_outputs = report_outputs(format, statistics, output_formats or (), SCAN_FORMATS)
    targets = list(paths or [Path(".")])
    require_paths(targets)
    loaded = load_config_for(config, targets)
    options = scan_options(
        project_root(targets),
        exclude or (),
        jobs,
        rules or (),
        no_cache,
        cache_dir,
        max_file_size,
        no_prefilter,
        config_excludes=loaded.scan.exclude,
    )
    result, _selection = select_findings(run_scan(targets, options, loaded), select, ignore)
    notes = suppression_notes(report_unused_suppressions, targets, options, result)
    for extra_fmt, extra_file in extra_outputs:
        emit(render(result, extra_fmt, sarif_category=sarif_category), extra_file)
    color = use_color() and output is None
    report = render(
        result,
        format,
        color=color,
        sarif_category=sarif_category,
        quiet=quiet,
        statistics=statistics,
    )
    if format == "text" and output is None:
        report += "".join(line + "\n" for line in notes)
    else:
        for line in notes:
            note(line)
    emit(report, output)
    return 0


COMMAND = Command("scan", scan.__doc__ or "", PARAMS, scan)
