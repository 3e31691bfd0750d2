"""`check [PATH...]`: the CI gate. Exit 0 passed, 1 failed, 2 usage or input error."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from idtoken_migrate.cli.common import (
    emit,
    fail,
    handles_usage_errors,
    load_config_for,
    note,
    project_root,
    refuse_placeholders,
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
from idtoken_migrate.report import FORMATS, render

if TYPE_CHECKING:
    from idtoken_migrate.gate.verdict import Verdict


PARAMS = (
    Param(
        "paths",
        (),
        Path,
        multiple=True,
        metavar="PATH",
        help="Files or folders to check (default: .).",
    ),
    CONFIG,
    Param(
        "baseline",
        ("--baseline",),
        Path,
        metavar="FILE",
        help="Baseline file: findings it holds do not fail the gate.",
    ),
    Param(
        "update_baseline",
        ("--update-baseline",),
        bool,
        False,
        help="Write the current findings to --baseline FILE.",
    ),
    Param(
        "max_findings",
        ("--max-findings",),
        int,
        min=0,
        metavar="N",
        help="Fail when more findings to migrate remain (ratchet).",
    ),
    Param(
        "today",
        ("--today",),
        str,
        metavar="YYYY-MM-DD",
        help="Evaluate the sunset as of this date.",
    ),
    Param(
        "fmt",
        ("--format", "-f"),
        str,
        "text",
        metavar="FORMAT",
        help="Report format: " + "|".join(FORMATS) + ".",
    ),
    OUTPUT,
    OUTPUT_FORMAT,
    SARIF_CATEGORY,
    SELECT,
    IGNORE,
    QUIET,
    STATISTICS,
    REPORT_UNUSED,
    Param(
        "exit_zero",
        ("--exit-zero",),
        bool,
        False,
        help="Exit 0 even when the gate fails (usage and input errors still exit 2).",
    ),
    EXCLUDE,
    RULES,
    NO_CACHE,
)


@handles_usage_errors
def check(
    paths: list[Path] | None,
    config: Path | None,
    baseline: Path | None,
    update_baseline: bool,
    max_findings: int | None,
    today: str | None,
    fmt: str,
    output: Path | None,
    output_formats: list[str] | None,
    sarif_category: str | None,
    select: list[str] | None,
    ignore: list[str] | None,
    quiet: bool,
    statistics: bool,
    report_unused_suppressions: bool,
    exit_zero: bool,
    exclude: list[str] | None,
    rules: list[Path] | None,
    no_cache: bool,
) -> int:
    """CI gate: fail when ID-token usage remains that the policy and the baseline do not allow."""
    targets = list(paths or [Path(".")])
    require_paths(targets)
    extra_outputs = report_outputs(fmt, statistics, output_formats or (), FORMATS)
    if update_baseline and baseline is None:
        fail("--update-baseline needs --baseline FILE (where to write it)")
    as_of = None
    if today is not None:
        from idtoken_migrate.config.file import parse_date

        as_of = parse_date(today)
        if as_of is None:
            fail(f"--today: {today!r} is not a date YYYY-MM-DD")

    cfg = load_config_for(config, targets)
    refuse_placeholders(cfg, config, targets)
    root = project_root(targets)
    options = scan_options(
        root, exclude or (), 0, rules or (), no_cache, None, config_excludes=cfg.scan.exclude
    )
    result, selection = select_findings(run_scan(targets, options, cfg), select, ignore)
    selected = None if selection.everything else selection.includes
    notes = suppression_notes(report_unused_suppressions, targets, options, result)
    root = Path(result.root)
    in_scope = scope_of(targets, root)

    diff = None
    if baseline is not None:
        from idtoken_migrate.gate.baseline import (
            diff_baseline,
            load_baseline,
            save_baseline,
            updated_baseline,
        )

        # With --update-baseline an old file is optional: this run is what creates it.
        old = load_baseline(baseline) if baseline.exists() or not update_baseline else None
        if update_baseline:
            new_baseline = updated_baseline(old, result.findings, in_scope, selected)
            save_baseline(baseline, new_baseline)
            if not quiet:
                note(f"idtoken-migrate: wrote {baseline} ({_entries(len(new_baseline.entries))})")
            old = new_baseline
        assert old is not None
        diff = diff_baseline(old, result.findings, in_scope, selected)

    from idtoken_migrate.gate.verdict import evaluate, policy_from_config

    verdict = evaluate(
        result,
        policy_from_config(cfg, today=as_of, max_findings=max_findings),
        baseline_diff=diff,
    )
    if notes and report_unused_suppressions:  # else only unknown-rule warnings: they inform
        import dataclasses

        where = len({line.split(": ", 1)[0] for line in notes})
        word = "comment" if where == 1 else "comments"
        verdict = dataclasses.replace(
            verdict,
            passed=False,
            reasons=(*verdict.reasons, f"{where} suppression {word} to remove or fix"),
        )
    steps = next_steps(
        verdict, paths or [], config, baseline, exclude or [], rules or [], select, ignore
    )

    def report(fmt: str, color: bool = False, main: bool = False) -> str:
        text = render(
            result,
            fmt,
            color=color,
            baseline_diff=diff,
            sarif_category=sarif_category,
            quiet=quiet and main,
            statistics=statistics and main,
        )
        if fmt == "text":
            text += "".join(line + "\n" for line in notes)
        if fmt == "text" and not (quiet and main):
            text += "".join(line + "\n" for line in verdict_lines(verdict, steps))
        elif fmt == "markdown":
            text += markdown_verdict(verdict, steps)
        return text

    for extra_fmt, extra_file in extra_outputs:
        emit(report(extra_fmt), extra_file)
    emit(report(fmt, fmt == "text" and output is None and use_color(), main=True), output)
    if (fmt != "text" or output is not None) and not quiet:
        # Machine formats keep stdout parseable: the verdict goes to stderr.
        for line in [*(notes if fmt != "text" else ()), *verdict_lines(verdict, steps)]:
            note(line)
    return 0 if exit_zero else verdict.exit_code


COMMAND = Command("check", check.__doc__ or "", PARAMS, check)


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


DEFAULT_BASELINE = "idtoken-migrate-baseline.json"


@dataclass(frozen=True)
class Step:
    """One way to deal with the findings that failed the gate."""

    what: str  # "migrate"
    code: str  # the exact command (or comment) to use
    where: str = ""  # what follows it, in words
    subject: str = "finding to migrate"  # what each step is for


def next_steps(
    verdict: Verdict,
    paths: Sequence[Path],
    config: Path | None,
    baseline: Path | None,
    exclude: Sequence[str],
    rules: Sequence[Path],
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
) -> list[Step]:
    """What to do about the findings that failed the gate, with the exact commands."""
    if not verdict.gated:
        return []
    import shlex

    folder = str(paths[0]) if len(paths) == 1 and paths[0].is_dir() else "."
    config_args = ["--config", str(config)] if config is not None else []
    plan = ["idtoken-migrate", "plan", folder, *config_args]
    apply = ["idtoken-migrate", "apply", folder, "--phase", "dual", *config_args]
    accept = ["idtoken-migrate", "check", *(str(p) for p in paths), *config_args]
    for glob in exclude:
        accept += ["--exclude", glob]
    for folder_ in rules:
        accept += ["--rules", str(folder_)]
    for flag, values in (("--select", select), ("--ignore", ignore)):
        for value in values or ():
            accept += [flag, value]
    accept += ["--baseline", str(baseline or DEFAULT_BASELINE), "--update-baseline"]
    first = verdict.gated[0]
    subject = "new finding" if baseline is not None else "finding to migrate"
    return [
        Step("see what changes", shlex.join(plan), "", subject),
        Step("migrate", shlex.join([*apply, "--write"]), "", subject),
        Step("accept into the baseline", shlex.join(accept), "", subject),
        Step(
            "suppress one site",
            f"# idtoken-migrate: ignore[{first.rule}]",
            f" at the end of {first.path}:{first.line}, for example",
            subject,
        ),
    ]


def verdict_lines(verdict: Verdict, steps: Sequence[Step] = ()) -> list[str]:
    if verdict.passed:
        head = "check passed"
        if verdict.remaining:
            n = verdict.remaining
            head += f" ({n} finding{'s' if n != 1 else ''} to migrate, all held by the baseline)"
        lines = [head]
    else:
        lines = [f"check failed: {reason}" for reason in verdict.reasons]
    lines += [f"note: {text}" for text in verdict.notes]
    if steps:
        lines.append(f"next: migrate, accept or suppress each {steps[0].subject}:")
        width = max(len(step.what) for step in steps) + 1
        lines += [f"  {(s.what + ':').ljust(width)} {s.code}{s.where}" for s in steps]
    return lines


def markdown_verdict(verdict: Verdict, steps: Sequence[Step] = ()) -> str:
    from idtoken_migrate.report.markdown import md_escape

    mark = "✅ passed" if verdict.passed else "❌ failed"
    out = ["", f"**Gate: {mark}**", ""]
    out += [f"- {md_escape(reason)}" for reason in verdict.reasons]
    out += [f"- {md_escape(text)}" for text in verdict.notes]
    if steps:
        out += ["", f"**Next:** migrate, accept or suppress each {steps[0].subject}:", ""]
        out += [f"- {md_escape(s.what)}: {_md_code(s.code)}{md_escape(s.where)}" for s in steps]
    return "\n".join(out) + "\n"


def _md_code(text: str) -> str:
    """A code span fenced by more backticks than the text holds in a row: nothing in it renders."""
    import re

    text = re.sub(r"[\r\n]+", " ", text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def _entries(n: int) -> str:
    return f"{n} entr{'y' if n == 1 else 'ies'}"
