"""`check [PATH...]`: the CI gate. Exit 0 passed, 1 failed, 2 usage or input error."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

import typer

from migrate.baseline import diff_baseline, load_baseline, save_baseline, updated_baseline
from migrate.cli.app import app, emit, fail, handles_usage_errors, stdout_is_terminal
from migrate.cli.scan import config_root, project_root, run_scan, scan_options
from migrate.configfile import load_config, parse_date
from migrate.gate import Verdict, evaluate, find_generated_modules, policy_from_config
from migrate.report import FORMATS, render
from migrate.report.markdown import md_escape


@app.command()
@handles_usage_errors
def check(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders to check (default: .).")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="Config file (default: idtoken-migrate.yaml, then pyproject.toml)."
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="Baseline file: findings it holds do not fail the gate."),
    ] = None,
    update_baseline: Annotated[
        bool,
        typer.Option("--update-baseline", help="Write the current findings to --baseline FILE."),
    ] = False,
    max_findings: Annotated[
        int | None,
        typer.Option(
            "--max-findings", min=0, help="Fail when more findings to migrate remain (ratchet)."
        ),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option("--today", metavar="YYYY-MM-DD", help="Evaluate the sunset as of this date."),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="Report format: " + "|".join(FORMATS) + ".")
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the report to FILE.")
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help="Glob of paths to skip (repeatable; adds to scan.exclude)."),
    ] = None,
    rules: Annotated[
        list[Path] | None, typer.Option("--rules", help="Folder of extra rule packs (repeatable).")
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Do not read or write the scan cache.")
    ] = False,
) -> None:
    """CI gate: fail when ID-token usage remains that the policy and the baseline do not allow."""
    targets = list(paths or [Path(".")])
    for target in targets:
        if not target.exists():
            fail(f"{target}: no such file or directory")
    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if update_baseline and baseline is None:
        fail("--update-baseline needs --baseline FILE (where to write it)")
    as_of = None
    if today is not None:
        as_of = parse_date(today)
        if as_of is None:
            fail(f"--today: {today!r} is not a date YYYY-MM-DD")

    cfg = load_config(config, config_root(targets))
    root = project_root(targets)
    options = scan_options(
        root,
        list(exclude or ()),
        0,
        list(rules or ()),
        no_cache,
        None,
        config_excludes=cfg.scan.exclude,
    )
    result = run_scan(targets, options)
    root = Path(result.root)
    in_scope = scope_of(targets, root)

    diff = None
    if baseline is not None:
        # With --update-baseline an old file is optional: this run is what creates it.
        old = load_baseline(baseline) if baseline.exists() or not update_baseline else None
        if update_baseline:
            new_baseline = updated_baseline(old, result.findings, in_scope)
            save_baseline(baseline, new_baseline)
            typer.echo(
                f"idtoken-migrate: wrote {baseline} ({_entries(len(new_baseline.entries))})",
                err=True,
            )
            old = new_baseline
        assert old is not None
        diff = diff_baseline(old, result.findings, in_scope)

    generated = find_generated_modules(targets, root, options.excludes)
    verdict = evaluate(
        result,
        policy_from_config(cfg, today=as_of, max_findings=max_findings),
        baseline_diff=diff,
        generated=generated,
    )
    color = (
        fmt == "text" and output is None and stdout_is_terminal() and "NO_COLOR" not in os.environ
    )
    report = render(result, fmt, color=color, baseline_diff=diff)
    if fmt == "text":
        report += "".join(line + "\n" for line in verdict_lines(verdict))
    elif fmt == "markdown":
        report += markdown_verdict(verdict)
    emit(report, output)
    if fmt != "text" or output is not None:
        # Machine formats keep stdout parseable: the verdict goes to stderr.
        for line in verdict_lines(verdict):
            typer.echo(line, err=True)
    raise typer.Exit(verdict.exit_code)


def scope_of(targets: Sequence[Path], root: Path) -> Callable[[str], bool]:
    """Which finding paths (relative to the scan root) this run looked at: a baseline entry
    elsewhere is neither fixed nor unchanged, it was simply not checked."""
    base = root.resolve()
    prefixes: list[str] = []
    for target in targets:
        try:
            rel = os.path.relpath(target.resolve(), base).replace(os.sep, "/")
        except ValueError:
            continue
        if rel == ".":
            return lambda _path: True
        if rel.startswith("../"):
            continue
        prefixes.append(rel)
    exact = frozenset(prefixes)
    folders = tuple(p + "/" for p in prefixes)
    return lambda path: path in exact or path.startswith(folders)


def verdict_lines(verdict: Verdict) -> list[str]:
    if verdict.passed:
        head = "check passed"
        if verdict.remaining:
            n = verdict.remaining
            head += f" ({n} finding{'s' if n != 1 else ''} to migrate, all held by the baseline)"
        lines = [head]
    else:
        lines = [f"check failed: {reason}" for reason in verdict.reasons]
    lines += [f"note: {note}" for note in verdict.notes]
    return lines


def markdown_verdict(verdict: Verdict) -> str:
    mark = "✅ passed" if verdict.passed else "❌ failed"
    out = ["", f"**Gate: {mark}**", ""]
    out += [f"- {md_escape(reason)}" for reason in verdict.reasons]
    out += [f"- {md_escape(note)}" for note in verdict.notes]
    return "\n".join(out) + "\n"


def _entries(n: int) -> str:
    return f"{n} entr{'y' if n == 1 else 'ies'}"
