"""`plan [PATH]`: what `apply` would change at each site, and why, before anything changes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from idtoken_migrate.cli.common import emit, fail, handles_usage_errors
from idtoken_migrate.cli.typer_app import app
from idtoken_migrate.report.plan import PLAN_FORMATS


@app.command()
@handles_usage_errors
def plan(
    path: Annotated[Path, typer.Argument(help="Project folder (default: .).")] = Path("."),
    phase: Annotated[
        str | None,
        typer.Option("--phase", help="dual|strict (default: the config's phase)."),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="Report format: " + "|".join(PLAN_FORMATS) + ".",
        ),
    ] = "text",
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="Config file (default: idtoken-migrate.yaml, then pyproject.toml)."
        ),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", help="Write the plan to FILE.")] = None,
    usage: Annotated[
        list[str] | None,
        typer.Option(
            "--usage",
            metavar="LOG",
            help="The dual verifier's log (repeatable; with its rotated siblings; - for stdin): "
            "the readiness summary heads the plan.",
        ),
    ] = None,
    ready_after: Annotated[
        int,
        typer.Option(
            "--ready-after",
            metavar="DAYS",
            min=1,
            help="With --usage: days without a legacy acceptance that make strict safe.",
        ),
    ] = 14,
    resolve: Annotated[
        bool,
        typer.Option(
            "--resolve",
            help="Also run pip's resolver (a dry run, with its configured index: may use the "
            "network) on the migrated requirements.txt; a conflict is listed under the risks.",
        ),
    ] = False,
) -> None:
    """Show, per site, what will change and why: generated files, env and requirement changes,
    the claims the legacy code reads, risks (first) and manual steps. Writes nothing."""
    if fmt not in PLAN_FORMATS:
        fail(f"unknown format {fmt!r}; choose one of {', '.join(PLAN_FORMATS)}")
    if not path.is_dir():
        fail(f"{path}: not a folder")
    from idtoken_migrate.migration.plan import plan_project
    from idtoken_migrate.report.plan import render_plan

    readiness = None
    if usage:
        from idtoken_migrate.cli.usage import read_usage_logs
        from idtoken_migrate.gate.usage import readiness as judge

        report = read_usage_logs(usage)
        readiness = (report, judge(report, ready_after))
    _config, result = plan_project(path, config_path=config, phase=phase)
    if resolve and result.verifier_path is not None:
        import dataclasses

        from idtoken_migrate.migration.resolve import resolve_with_pip

        conflict = resolve_with_pip(path, result)
        if conflict:
            result = dataclasses.replace(result, risks=(*result.risks, conflict))
    emit(render_plan(result, fmt, readiness), output)
