"""The `text` format: ruff-like lines, a summary by kind, errors, and the scan counts."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from idtoken_migrate.gate.diff import BaselineDiff, held_by
from idtoken_migrate.model import ACTIONABLE_KINDS, KINDS, FileError, Finding, ScanResult
from idtoken_migrate.report.order import severity, sorted_errors, sorted_findings

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_RED = "\x1b[31m"
_YELLOW = "\x1b[33m"
_CYAN = "\x1b[36m"
_SEVERITY_COLOR = {"error": _RED, "warning": _YELLOW, "note": _CYAN}

# Control characters (ANSI escapes included) from scanned files must not reach the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_MAX_DETAIL = 160
_MAX_EVIDENCE = 3


def _clean(text: str) -> str:
    text = _NEWLINE.sub("\\\\n", text)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _error_line(e: FileError, paint: Callable[..., str]) -> str:
    where = f"{_clean(e.path)}:{e.line}" if e.line is not None else _clean(e.path)
    return f"{paint(where + ':', _BOLD)} {paint('error:', _RED)} {_clean(e.message)}"


def _statistics(result: ScanResult, held: Callable[[Finding], bool]) -> list[str]:
    """ruff's --statistics: one line per rule and kind, the most frequent first."""
    counts = Counter((f.rule, f.kind) for f in result.findings)
    new = Counter((f.rule, f.kind) for f in result.findings if not held(f))
    summaries = {rule.id: rule.summary for rule in result.rules}
    width = max((len(rule) for rule, _kind in counts), default=0)
    kind_width = max((len(kind) for _rule, kind in counts), default=0) + 2
    lines = []
    for (rule, kind), n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        extra = f" ({new[rule, kind]} new)" if new[rule, kind] != n else ""
        label = f"[{kind}]".ljust(kind_width)
        summary = _clean(summaries.get(rule, ""))
        lines.append(f"{n:>5}  {_clean(rule).ljust(width)}  {label}{extra}  {summary}".rstrip())
    return lines


def render_text(
    result: ScanResult,
    *,
    color: bool = False,
    baseline_diff: BaselineDiff | None = None,
    quiet: bool = False,
    statistics: bool = False,
) -> str:
    def paint(text: str, *styles: str) -> str:
        return "".join(styles) + text + _RESET if color else text

    out: list[str] = []
    held = held_by(baseline_diff)
    if statistics:
        out += _statistics(result, held if baseline_diff is not None else lambda _f: False)
    for f in () if statistics else sorted_findings(result.findings):
        where = paint(f"{_clean(f.path)}:{f.line}:{f.column}:", _BOLD)
        rule = paint(f.rule, _BOLD, _SEVERITY_COLOR[severity(f.kind, held=held(f))])
        # With a baseline, what it does not hold is what needs attention.
        mark = paint("[new] ", _BOLD, _RED) if baseline_diff is not None and not held(f) else ""
        out.append(f"{where} {mark}{rule} [{f.kind}] {_clean(f.message)}")
        if f.snippet:
            out.append(paint(f"    {f.line} | {_clip(_clean(f.snippet.strip()))}", _DIM))
        if f.evidence:
            shown = "; ".join(_clean(e) for e in f.evidence[:_MAX_EVIDENCE])
            more = len(f.evidence) - _MAX_EVIDENCE
            if more > 0:
                shown += f"; +{more} more"
            out.append(paint(f"    evidence: {_clip(shown)}", _DIM))

    errors = sorted_errors(result.errors)
    if quiet:
        out += [_error_line(e, paint) for e in errors]
        return "".join(line + "\n" for line in out)
    if out:
        out.append("")
    counts = result.by_kind()
    total = len(result.findings)
    if total:
        actionable = sum(n for kind, n in counts.items() if kind in ACTIONABLE_KINDS)
        ordered = [k for k in KINDS if counts.get(k)] + sorted(
            k for k in counts if k not in KINDS and counts[k]
        )
        by_kind = ", ".join(f"{counts[k]} {k}" for k in ordered)
        head = f"Found {_plural(total, 'finding')} ({actionable} to migrate): {by_kind}."
        out.append(paint(head, _BOLD, _RED) if actionable else paint(head, _BOLD))
    else:
        out.append("No token verification found.")

    out += [_error_line(e, paint) for e in errors]

    s = result.stats
    out.append(
        f"Scanned {_plural(s.files, 'file')}: {s.parsed} parsed, {s.prefiltered} prefiltered, "
        f"{s.cached} cached, {s.suppressed} suppressed, {_plural(len(errors), 'error')}."
        + (f" Config: {result.config}." if result.config else "")
    )
    if baseline_diff is not None:
        out.append(
            f"Baseline: {len(baseline_diff.new)} new, {len(baseline_diff.fixed)} fixed, "
            f"{baseline_diff.unchanged_count} unchanged."
        )
    return "\n".join(out) + "\n"
