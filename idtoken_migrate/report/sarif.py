"""The `sarif` format: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from idtoken_migrate.model import Finding, RuleInfo, ScanResult
from idtoken_migrate.report.baseline_diff import BaselineDiff, held_by
from idtoken_migrate.report.order import severity, sorted_errors, sorted_findings

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://pypi.org/project/idtoken-migrate/"
FINGERPRINT_KEY = "idtokenMigrate/v1"
SRCROOT = "%SRCROOT%"


def _uri(path: str) -> str:
    # Percent-encode everything but '/': spaces, '%', and a ':' that would read as a URI scheme.
    return quote(path, safe="/")


def _root_uri(root: str) -> dict[str, Any]:
    for flavour in (PurePosixPath, PureWindowsPath):
        candidate = flavour(root)
        if candidate.is_absolute():
            uri = candidate.as_uri()
            return {"uri": uri if uri.endswith("/") else uri + "/"}
    # SARIF wants an absolute URI here; a relative root can only be described.
    return {"description": {"text": f"The scanned root: {root}"}}


def _rule_descriptor(rule: RuleInfo) -> dict[str, Any]:
    short = rule.summary or rule.name or rule.id
    help_text = rule.help or short
    markdown = f"**{short}**\n\n{help_text}"
    if rule.docs_url:
        markdown += f"\n\n[Documentation]({rule.docs_url})"
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name or rule.id,
        "shortDescription": {"text": short},
        "fullDescription": {"text": help_text},
        "help": {"text": help_text, "markdown": markdown},
        "properties": {"tags": sorted({"security", "idtoken-migrate", rule.library} - {""})},
    }
    if rule.docs_url:
        descriptor["helpUri"] = rule.docs_url
    extra = {"library": rule.library, "pack": rule.pack}
    descriptor["properties"].update({key: value for key, value in extra.items() if value})
    return descriptor


def _unknown_rule(rule_id: str, example: Finding) -> RuleInfo:
    # A finding whose rule the result does not describe still needs a descriptor for ruleIndex.
    return RuleInfo(id=rule_id, name=rule_id, library=example.library, summary=rule_id)


def _region(f: Finding) -> dict[str, Any]:
    end_line = max(f.end_line, f.line)
    end_column = max(f.end_column, 1)
    if end_line == f.line:
        end_column = max(end_column, f.column)
    region: dict[str, Any] = {
        "startLine": max(f.line, 1),
        "startColumn": max(f.column, 1),
        "endLine": max(end_line, 1),
        "endColumn": end_column,
    }
    if f.snippet:
        region["snippet"] = {"text": f.snippet}
    return region


def _result(f: Finding, index: int, baseline: BaselineDiff | None, held: bool) -> dict[str, Any]:
    message = f.message
    if f.evidence:
        message += "\nEvidence: " + "; ".join(f.evidence)
    entry: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": severity(f.kind, held=held),
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(f.path), "uriBaseId": SRCROOT},
                    "region": _region(f),
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {
            "kind": f.kind,
            "confidence": f.confidence,
            "library": f.library,
            "provider": f.provider,
            "evidence": list(f.evidence),
            "symbol": f.symbol,
            "tags": [f.kind],
        },
    }
    if f.symbol:
        entry["locations"][0]["logicalLocations"] = [{"fullyQualifiedName": f.symbol}]
    if baseline is not None:
        entry["baselineState"] = "unchanged" if held else "new"
    return entry


def build_sarif(
    result: ScanResult, *, tool_version: str, baseline_diff: BaselineDiff | None = None
) -> dict[str, Any]:
    """The SARIF log as a dict (render_sarif dumps it; tests validate it against the schema)."""
    findings = sorted_findings(result.findings)
    rules: list[RuleInfo] = []
    index: dict[str, int] = {}
    for rule in result.rules:
        if rule.id not in index:
            index[rule.id] = len(rules)
            rules.append(rule)
    for f in findings:
        if f.rule not in index:
            index[f.rule] = len(rules)
            rules.append(_unknown_rule(f.rule, f))

    held = held_by(baseline_diff)
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{e.path}: {e.message}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(e.path), "uriBaseId": SRCROOT},
                        **({"region": {"startLine": e.line}} if e.line else {}),
                    }
                }
            ],
            "descriptor": {"id": "file-error"},
        }
        for e in sorted_errors(result.errors)
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "idtoken-migrate",
                "version": tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(r) for r in rules],
            }
        },
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": notifications,
            }
        ],
        "originalUriBaseIds": {SRCROOT: _root_uri(result.root)},
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index[f.rule], baseline_diff, held(f)) for f in findings],
        "properties": {"stats": result.stats.to_json()},
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(
    result: ScanResult, *, tool_version: str, baseline_diff: BaselineDiff | None = None
) -> str:
    log = build_sarif(result, tool_version=tool_version, baseline_diff=baseline_diff)
    return json.dumps(log, indent=2) + "\n"
