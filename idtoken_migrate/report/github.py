"""The `github` format: GitHub Actions workflow commands that annotate the pull request."""

from __future__ import annotations

from idtoken_migrate.gate.diff import BaselineDiff, held_by
from idtoken_migrate.model import ScanResult
from idtoken_migrate.report.order import severity, sorted_errors, sorted_findings

# Workflow command levels, by the severity the reporters share.
_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message, as @actions/core does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property value: the data escapes plus ':' and ','."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, message: str, **properties: str | int) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    head = f"{command} {props}" if props else command
    return f"::{head}::{escape_data(message)}"


def render_github(result: ScanResult, *, baseline_diff: BaselineDiff | None = None) -> str:
    lines: list[str] = []
    held = held_by(baseline_diff)
    for f in sorted_findings(result.findings):
        message = f.message
        if f.evidence:
            message += "\nEvidence: " + "; ".join(f.evidence)
        properties: dict[str, str | int] = {
            "file": f.path,
            "line": f.line,
            "col": f.column,
            "endLine": max(f.end_line, f.line),
        }
        if f.end_line <= f.line and f.end_column > f.column:
            # GitHub only honours endColumn on a single-line annotation.
            properties["endColumn"] = f.end_column
        title = f"idtoken-migrate {f.rule} [{f.kind}]"
        if baseline_diff is not None:
            title += " (in the baseline)" if held(f) else " [new]"
        properties["title"] = title
        level = severity(f.kind, held=held(f))
        lines.append(workflow_command(_COMMAND[level], message, **properties))
    for e in sorted_errors(result.errors):
        properties = {"file": e.path}
        if e.line is not None:
            properties["line"] = e.line
        properties["title"] = "idtoken-migrate: file not scanned"
        # A file that could not be read is worth a look, but it is no finding.
        lines.append(workflow_command("warning", e.message, **properties))
    return "".join(line + "\n" for line in lines)
