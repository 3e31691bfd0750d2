"""The `junit` format: JUnit XML, one testsuite per file, one testcase per finding."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from idtoken_migrate.gate.diff import BaselineDiff, held_by
from idtoken_migrate.model import ACTIONABLE_KINDS, FileError, Finding, ScanResult
from idtoken_migrate.report.order import sorted_errors, sorted_findings

SUITES_NAME = "idtoken-migrate"
# Characters XML 1.0 cannot carry at all, even escaped; ElementTree would write them anyway.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _detail(f: Finding, held: bool = False) -> str:
    lines = [f"{f.path}:{f.line}:{f.column}: {f.rule} [{f.kind}] {f.message}"]
    if held:
        lines.append("held by the baseline: accepted for now, not a failure")
    lines.append(f"confidence: {f.confidence}, library: {f.library}, provider: {f.provider or '-'}")
    if f.snippet:
        lines.append(f"code: {f.snippet.strip()}")
    lines.extend(f"evidence: {e}" for e in f.evidence)
    return _xml_safe("\n".join(lines))


def _testcase(suite: ET.Element, f: Finding, held: bool) -> bool:
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "name": _xml_safe(f"{f.rule} line {f.line} col {f.column}"),
            "classname": _xml_safe(f.path),
            "file": _xml_safe(f.path),
            "line": str(f.line),
        },
    )
    if f.kind in ACTIONABLE_KINDS and not held:
        failure = ET.SubElement(
            case, "failure", {"message": _xml_safe(f.message), "type": _xml_safe(f.kind)}
        )
        failure.text = _detail(f)
        return True
    ET.SubElement(case, "system-out").text = _detail(f, held and f.kind in ACTIONABLE_KINDS)
    return False


def _error_case(suite: ET.Element, e: FileError) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        {"name": "scan", "classname": _xml_safe(e.path), "file": _xml_safe(e.path)},
    )
    where = f"{e.path}:{e.line}" if e.line is not None else e.path
    error = ET.SubElement(case, "error", {"message": _xml_safe(e.message), "type": "file-error"})
    error.text = _xml_safe(f"{where}: {e.message}")


def render_junit(result: ScanResult, *, baseline_diff: BaselineDiff | None = None) -> str:
    held = held_by(baseline_diff)
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in sorted_findings(result.findings):
        by_path[f.path].append(f)
    errors_by_path: dict[str, list[FileError]] = defaultdict(list)
    for e in sorted_errors(result.errors):
        errors_by_path[e.path].append(e)

    root = ET.Element("testsuites", {"name": SUITES_NAME})
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for path in sorted(set(by_path) | set(errors_by_path)):
        suite = ET.SubElement(root, "testsuite", {"name": _xml_safe(path)})
        failures = sum(_testcase(suite, f, held(f)) for f in by_path[path])
        for e in errors_by_path[path]:
            _error_case(suite, e)
        counts = {
            "tests": len(by_path[path]) + len(errors_by_path[path]),
            "failures": failures,
            "errors": len(errors_by_path[path]),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    if not len(root):
        # CI report viewers show an empty report as missing; one passing case says the scan ran.
        suite = ET.SubElement(root, "testsuite", {"name": SUITES_NAME, "tests": "1"})
        suite.set("failures", "0")
        suite.set("errors", "0")
        ET.SubElement(suite, "testcase", {"name": "no findings", "classname": SUITES_NAME})
        totals["tests"] = 1
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
