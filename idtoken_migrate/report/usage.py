"""Render a `UsageReport` (and a `Readiness` verdict) as text with a per-day chart, markdown for
the strict pull request, or the JSON contract. Strings only: the CLI prints them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from idtoken_migrate.gate.usage import ClientUsage, Readiness, UsageReport, iso
from idtoken_migrate.report.markdown import md_escape

MAX_CHART_DAYS = 60  # a terminal row; older days are in the JSON
UNICODE_LEVELS = "▁▂▃▄▅▆▇█"
ASCII_LEVELS = ":-=+*%#@"
_NONE = {True: "·", False: "."}
MAX_DAY_ROWS = 31  # markdown's per-day table


def render_usage(
    report: UsageReport, fmt: str, verdict: Readiness | None = None, *, unicode: bool = True
) -> str:
    renderers: dict[str, Callable[[], str]] = {
        "text": lambda: usage_text(report, verdict, unicode=unicode),
        "markdown": lambda: usage_markdown(report, verdict),
        "json": lambda: json.dumps(report.to_json(), indent=2) + "\n",
    }
    return renderers[fmt]()


def _stamp(moment: dt.datetime) -> str:
    return iso(moment).replace("T", " ")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def chart_days(report: UsageReport) -> list[dt.date]:
    """The days the chart shows: the span of the logs, the last MAX_CHART_DAYS of it."""
    firsts = [c.first_seen for c in report.clients] + ([report.since] if report.since else [])
    lasts = [c.last_seen for c in report.clients] + ([report.until] if report.until else [])
    if not firsts:
        return []
    first, last = min(firsts).date(), max(lasts).date()
    first = max(first, last - dt.timedelta(days=MAX_CHART_DAYS - 1))
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def sparkline(client: ClientUsage, days: list[dt.date], *, unicode: bool = True) -> str:
    """One character per day: none, or a level scaled to the client's busiest day. A day with
    any acceptance shows at least the lowest level, so one ID token is never lost to rounding."""
    levels = UNICODE_LEVELS if unicode else ASCII_LEVELS
    counts = dict(client.per_day)
    values = [counts.get(day.isoformat(), 0) for day in days]
    peak = max(values, default=0)
    cells = []
    for value in values:
        if value == 0:
            cells.append(_NONE[unicode])
        else:
            level = max(1, -(-value * len(levels) // peak))  # ceil: 1..len(levels)
            cells.append(levels[level - 1])
    return "".join(cells)


def _summary(report: UsageReport) -> str:
    text = (
        f"{_plural(report.records, 'record')} in {_plural(len(report.sources), 'log')}; "
        f"{_plural(report.skipped_lines, 'other line')} skipped"
    )
    if report.malformed_count:
        text += f"; {_plural(report.malformed_count, 'malformed record')}"
    return text


def _span(report: UsageReport) -> str:
    if report.since is None or report.until is None:
        return "no timestamps"
    return f"{_stamp(report.since)} .. {_stamp(report.until)}"


def usage_text(
    report: UsageReport, verdict: Readiness | None = None, *, unicode: bool = True
) -> str:
    out = [f"Legacy ID tokens accepted, per client (UTC): {_span(report)}", _summary(report), ""]
    out += _client_table(report, unicode=unicode)
    if report.malformed:
        shown = report.malformed[:5]
        out.append("Malformed records:")
        out += [f"  {record}" for record in shown]
        if report.malformed_count > len(shown):
            out.append(f"  ... {report.malformed_count - len(shown):,} more")
        out.append("")
    if verdict is not None:
        out += readiness_text(verdict)
    return "\n".join(out).rstrip() + "\n"


def _client_table(report: UsageReport, *, unicode: bool = True) -> list[str]:
    """Per client: count, users, first and last seen, and the per-day chart; then a blank."""
    if not report.clients:
        return ["No legacy ID token accepted in these logs.", ""]
    days = chart_days(report)
    rows = [
        (
            c.client_id,
            f"{c.count:,}",
            f"{c.users:,}",
            _stamp(c.first_seen),
            _stamp(c.last_seen),
            sparkline(c, days, unicode=unicode),
            f"peak {max(n for _, n in c.per_day):,}/day",
        )
        for c in report.clients
    ]
    header = ("client", "count", "users", "first seen", "last seen", "per day", "")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    right = {1, 2}

    def line(row: tuple[str, ...]) -> str:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    indent = " " * (sum(widths[:5]) + 2 * 5)
    axis = f"{indent}{days[0].isoformat()} .. {days[-1].isoformat()}, {_NONE[unicode]} = none"
    return [line(header), *[line(row) for row in rows], axis, ""]


def _window(verdict: Readiness) -> str:
    if verdict.now is None:
        return f"in the last {_plural(verdict.days, 'day')}"
    return f"in the {_plural(verdict.days, 'day')} before {_stamp(verdict.now)}"


def readiness_text(verdict: Readiness) -> list[str]:
    """The verdict, a headline and one line per client still sending or per gap in the logs."""
    if verdict.ready:
        return [f"Ready for strict: no legacy ID token accepted {_window(verdict)}."]
    out = [f"Not ready for strict: {_reason(verdict)}"]
    first_day = verdict.window_start.date().isoformat() if verdict.window_start else "?"
    out += [
        f"  {s.client_id}: last seen {_stamp(s.last_seen)}, "
        f"{_plural(s.count, 'acceptance')} since {first_day}"
        for s in verdict.still_sending
    ]
    out += [f"  {problem}" for problem in verdict.problems]
    return out


def _reason(verdict: Readiness) -> str:
    if verdict.still_sending:
        n = len(verdict.still_sending)
        return f"{_plural(n, 'client')} still sent ID tokens {_window(verdict)}:"
    return f"the logs cannot show {_window(verdict)}:"


def readiness_line(verdict: Readiness) -> str:
    """One line for stderr: the verdict and the clients still sending, with when last seen."""
    if verdict.ready:
        return readiness_text(verdict)[0]
    parts = [f"{s.client_id} (last seen {iso(s.last_seen)})" for s in verdict.still_sending]
    return f"Not ready for strict: {'; '.join(parts + list(verdict.problems))}"


def usage_markdown(report: UsageReport, verdict: Readiness | None = None) -> str:
    out = ["### Legacy ID-token usage", ""]
    if verdict is not None:
        out += readiness_markdown(verdict) + [""]
    out += _markdown_body(report)
    return "\n".join(out).rstrip() + "\n"


def _markdown_body(report: UsageReport) -> list[str]:
    out = [
        f"Legacy ID tokens accepted per client (UTC), {md_escape(_span(report))}: "
        f"{md_escape(_summary(report))}.",
        "",
    ]
    if report.clients:
        days = chart_days(report)
        out += [
            f"| Client | Accepted | Users | First seen | Last seen | Per day "
            f"({days[0].isoformat()} to {days[-1].isoformat()}) |",
            "| --- | ---: | ---: | --- | --- | --- |",
        ]
        out += [
            f"| {md_escape(c.client_id)} | {c.count:,} | {c.users:,} | {_stamp(c.first_seen)} | "
            f"{_stamp(c.last_seen)} | `{sparkline(c, days)}` |"
            for c in report.clients
        ]
        out += ["", *_day_table(report), ""]
    if report.malformed:
        out += ["Malformed records:", ""]
        out += [f"- {md_escape(str(record))}" for record in report.malformed[:10]]
        out.append("")
    return out


def _day_table(report: UsageReport) -> list[str]:
    totals: dict[str, dict[str, int]] = {}
    for client in report.clients:
        for day, n in client.per_day:
            totals.setdefault(day, {})[client.client_id] = n
    days = sorted(totals)[-MAX_DAY_ROWS:]
    names = [c.client_id for c in report.clients]
    out = [
        f"<details><summary>Per day (the last {_plural(len(days), 'day')} with acceptances)"
        "</summary>",
        "",
        "| Day | " + " | ".join(md_escape(n) for n in names) + " |",
        "| --- |" + " ---: |" * len(names),
    ]
    out += [
        f"| {day} | " + " | ".join(f"{totals[day].get(n, 0):,}" for n in names) + " |"
        for day in days
    ]
    return out + ["", "</details>"]


def readiness_markdown(verdict: Readiness) -> list[str]:
    lines = readiness_text(verdict)
    head = f"**{md_escape(lines[0])}**"
    return [head] + (
        [""] + [f"- {md_escape(line.strip())}" for line in lines[1:]] if lines[1:] else []
    )


def plan_preface(plan_output: str, fmt: str, report: UsageReport, verdict: Readiness) -> str:
    """A rendered plan with the readiness summary at its top (`plan --phase strict --usage`);
    in JSON, the plan's object gains `usage`: the usage report and its `readiness`."""
    if fmt == "json":
        data = json.loads(plan_output)
        data["usage"] = {**report.to_json(), "readiness": verdict.to_json()}
        return json.dumps(data, indent=2) + "\n"
    if fmt == "markdown":
        title, _, rest = plan_output.partition("\n\n")
        summary = ["### Readiness (the dual verifier's logs)", "", *readiness_markdown(verdict), ""]
        summary += _markdown_body(report)
        return title + "\n\n" + "\n".join(summary).rstrip() + "\n\n" + rest
    head = [f"Readiness (the dual verifier's logs, UTC): {_span(report)}; {_summary(report)}"]
    head += ["  " + line for line in readiness_text(verdict)]
    head += [""] + _client_table(report)
    return "\n".join(head) + "\n" + plan_output
