"""The `markdown` format: a summary for a pull-request comment or $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from idtoken_migrate.gate.diff import BaselineDiff, held_by
from idtoken_migrate.model import ACTIONABLE_KINDS, KINDS, Finding, ScanResult
from idtoken_migrate.report.order import sorted_errors, sorted_findings

# Past this many rows a table is cut: GitHub comments stop at 65,536 characters.
MAX_ROWS = 50
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def md_escape(text: str) -> str:
    """Literal text for a table cell: no markup, no HTML, no @-mentions, no line breaks."""
    text = _SPECIAL.sub(r"\\\1", text)
    text = text.replace("&", "&amp;").replace("@", "&#64;")
    return _CONTROL.sub("\ufffd", _NEWLINE.sub("<br>", text))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], *, align: str = "") -> list[str]:
    aligns = align or "l" * len(header)
    rule = ["---:" if a == "r" else "---" for a in aligns]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows[:MAX_ROWS]]
    if len(rows) > MAX_ROWS:
        lines += ["", f"_… and {len(rows) - MAX_ROWS} more._"]
    return lines


def _counts(title: str, counter: Counter[str], order: Iterable[str] = ()) -> list[str]:
    keys = [k for k in order if counter.get(k)] + sorted(k for k in counter if k not in order)
    rows = [[md_escape(k), str(counter[k])] for k in keys]
    return [f"### {title}", "", *_table([title.split()[-1], "findings"], rows, align="lr"), ""]


def _finding_rows(findings: Iterable[Finding]) -> list[list[str]]:
    return [
        [
            md_escape(f"{f.path}:{f.line}"),
            md_escape(f.rule),
            md_escape(f.kind),
            md_escape(f.confidence),
            md_escape(f.message),
        ]
        for f in sorted_findings(findings)
    ]


_FINDING_HEADER = ("location", "rule", "kind", "confidence", "message")


def _findings(n: int, word: str = "finding") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def render_markdown(result: ScanResult, *, baseline_diff: BaselineDiff | None = None) -> str:
    findings = result.findings
    actionable = [f for f in findings if f.kind in ACTIONABLE_KINDS]
    s = result.stats
    out = ["## idtoken-migrate", ""]
    held = held_by(baseline_diff)
    new_actionable = [f for f in actionable if not held(f)]
    if baseline_diff is not None and actionable:
        kept = len(actionable) - len(new_actionable)
        if new_actionable:
            out.append(
                f"**{_findings(len(new_actionable), 'new finding')} to migrate** "
                f"(not in the baseline; {kept} more held by it)."
            )
        else:
            out.append(
                f"**No new findings.** {_findings(len(actionable))} to migrate, all held by "
                "the baseline."
            )
    elif actionable:
        out.append(
            f"**{len(actionable)} of {len(findings)} findings to migrate** "
            "(ID tokens accepted as API credentials, or tokens decoded without verification)."
        )
    elif findings:
        out.append(f"**Nothing to migrate.** {len(findings)} findings for the inventory.")
    else:
        out.append("**No token verification found.**")
    out += [
        "",
        f"Files scanned: {s.files} ({s.parsed} parsed, {s.prefiltered} prefiltered, "
        f"{s.cached} cached); "
        f"findings suppressed: {s.suppressed}; files not scanned: {len(result.errors)}.",
        "",
    ]

    if baseline_diff is not None:
        out += [
            "### Change against the baseline",
            "",
            *_table(
                ["new", "fixed", "unchanged"],
                [
                    [
                        str(len(baseline_diff.new)),
                        str(len(baseline_diff.fixed)),
                        str(baseline_diff.unchanged_count),
                    ]
                ],
                align="rrr",
            ),
            "",
        ]
        if baseline_diff.new:
            out += ["#### New", "", *_table(_FINDING_HEADER, _finding_rows(baseline_diff.new)), ""]
        if baseline_diff.fixed:
            fixed_rows = _finding_rows(baseline_diff.fixed)
            out += ["#### Fixed", "", *_table(_FINDING_HEADER, fixed_rows), ""]

    if findings:
        out += _counts("By kind", Counter(f.kind for f in findings), KINDS)
        out += _counts("By library", Counter(f.library for f in findings))
        out += _counts("By provider", Counter(f.provider or "unknown" for f in findings))
    if actionable:
        out += ["### To migrate", "", *_table(_FINDING_HEADER, _finding_rows(actionable)), ""]

    errors = sorted_errors(result.errors)
    if errors:
        rows = [
            [md_escape(e.path if e.line is None else f"{e.path}:{e.line}"), md_escape(e.message)]
            for e in errors
        ]
        out += ["### Files not scanned", "", *_table(["file", "error"], rows), ""]
    return "\n".join(out).rstrip("\n") + "\n"
