"""Reporters: turn a ScanResult into text in one of the output formats. Nothing here prints."""

from __future__ import annotations

from idtoken_migrate import __version__
from idtoken_migrate.gate.diff import BaselineDiff
from idtoken_migrate.model import ScanResult, UsageError

# Every format `check` offers; `scan` offers the same but markdown (product.md).
FORMATS: tuple[str, ...] = ("text", "json", "sarif", "github", "junit", "markdown")
SCAN_FORMATS: tuple[str, ...] = ("text", "json", "sarif", "github", "junit")

__all__ = ["FORMATS", "SCAN_FORMATS", "BaselineDiff", "render"]


def render(
    result: ScanResult,
    fmt: str,
    *,
    color: bool = False,
    tool_version: str = __version__,
    baseline_diff: BaselineDiff | None = None,
    sarif_category: str | None = None,
    quiet: bool = False,
    statistics: bool = False,
) -> str:
    """The report for `result` in format `fmt`, ending with a newline (empty for `github` with
    nothing to annotate).

    color: ANSI colour in `text` only. baseline_diff: the change against a baseline. In every
    format but `json` (which stays exactly the contract) only new findings are failures or
    errors; those the baseline holds are warnings (`text` marks the new ones `[new]`, `sarif`
    adds baselineState). sarif_category: code scanning's category, in `sarif` only.
    quiet (`text`): the findings and file errors, no summary. statistics (`text`): counts per
    rule and kind instead of the findings.
    """
    # Each format's module is imported only when asked for: start-up time is the pre-commit budget.
    if fmt == "text":
        from idtoken_migrate.report.text import render_text

        return render_text(
            result,
            color=color,
            baseline_diff=baseline_diff,
            quiet=quiet,
            statistics=statistics,
        )
    if fmt == "json":
        from idtoken_migrate.report.json_report import render_json

        return render_json(result)
    if fmt == "sarif":
        from idtoken_migrate.report.sarif import render_sarif

        return render_sarif(
            result,
            tool_version=tool_version,
            baseline_diff=baseline_diff,
            category=sarif_category,
        )
    if fmt == "github":
        from idtoken_migrate.report.github import render_github

        return render_github(result, baseline_diff=baseline_diff)
    if fmt == "junit":
        from idtoken_migrate.report.junit import render_junit

        return render_junit(result, baseline_diff=baseline_diff)
    if fmt == "markdown":
        from idtoken_migrate.report.markdown import render_markdown

        return render_markdown(result, baseline_diff=baseline_diff)
    raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
