"""The `sarif` format: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from idtoken_migrate import REPOSITORY_URL, __version__
from idtoken_migrate.gate.diff import BaselineDiff, held_by
from idtoken_migrate.model import (
    ACCESS_TOKEN,
    AMBIGUOUS,
    ID_TOKEN_BEARER,
    ID_TOKEN_LOGIN,
    KINDS,
    UNVERIFIED_DECODE,
    Finding,
    RuleInfo,
    ScanResult,
)
from idtoken_migrate.report.order import severity, sorted_errors, sorted_findings

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://pypi.org/project/idtoken-migrate/"
FINGERPRINT_KEY = "idtokenMigrate/v1"
SRCROOT = "%SRCROOT%"
# docs/findings.md has one section per kind, whose anchor is the kind: every rule's helpUri.
FINDINGS_DOC = "docs/findings.md"


def docs_url(version: str = __version__) -> str:
    """The findings page of the docs at the tag of `version`."""
    return f"{REPOSITORY_URL}/blob/v{version}/{FINDINGS_DOC}"


@dataclass(frozen=True)
class KindProfile:
    """How code scanning should present one finding kind."""

    title: str  # what the kind means, in a few words
    level: str  # SARIF level: error | warning | note
    security_severity: str | None  # GitHub's CVSS-like score; None: not a security alert
    tags: tuple[str, ...]


# One SARIF rule per (rule, kind): a rule id covers a call pattern, the kind says what it means.
KIND_PROFILES: dict[str, KindProfile] = {
    ID_TOKEN_BEARER: KindProfile(
        "an ID token accepted as an API credential",
        "error",
        "8.1",
        ("security", "external/cwe/cwe-287"),
    ),
    UNVERIFIED_DECODE: KindProfile(
        "a bearer token decoded without verifying its signature",
        "error",
        "9.1",
        ("security", "external/cwe/cwe-345", "external/cwe/cwe-347"),
    ),
    AMBIGUOUS: KindProfile(
        "token verification whose kind cannot be decided statically",
        "warning",
        "5.0",
        ("security",),
    ),
    ID_TOKEN_LOGIN: KindProfile(
        "an ID token verified at login (inventory)", "note", None, ("inventory",)
    ),
    ACCESS_TOKEN: KindProfile("access-token validation (inventory)", "note", None, ("inventory",)),
}
_UNKNOWN_KIND = KindProfile("a finding", "warning", None, ())


def sarif_rule_id(rule: str, kind: str) -> str:
    """`IDT101/id-token-bearer`: SARIF's hierarchical rule id, the stable rule id first."""
    return f"{rule}/{kind}"


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


def _rule_descriptor(rule: RuleInfo, kind: str, tool_version: str) -> dict[str, Any]:
    profile = KIND_PROFILES.get(kind, _UNKNOWN_KIND)
    summary = rule.summary or rule.name or rule.id
    short = f"{summary}: {profile.title}"
    help_text = rule.help or summary
    help_uri = f"{docs_url(tool_version)}#{kind}"
    markdown = f"**{short}**\n\n{help_text}\n\n[What `{kind}` means and what to do]({help_uri})"
    if rule.docs_url:
        markdown += f"; [library documentation]({rule.docs_url})"
    tags = sorted({*profile.tags, "idtoken-migrate", kind, rule.library} - {""})
    properties: dict[str, Any] = {"tags": tags, "rule": rule.id, "kind": kind}
    if profile.security_severity is not None:
        properties["security-severity"] = profile.security_severity
    properties.update(
        {key: value for key, value in (("library", rule.library), ("pack", rule.pack)) if value}
    )
    return {
        "id": sarif_rule_id(rule.id, kind),
        "name": f"{rule.name or rule.id}/{kind}",
        "shortDescription": {"text": short},
        "fullDescription": {"text": help_text},
        "help": {"text": f"{help_text}\n\n{help_uri}", "markdown": markdown},
        "helpUri": help_uri,
        "defaultConfiguration": {"level": profile.level},
        "properties": properties,
    }


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
        "ruleId": sarif_rule_id(f.rule, f.kind),
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
            "rule": f.rule,
            "tags": [f.kind],
        },
    }
    if f.symbol:
        entry["locations"][0]["logicalLocations"] = [{"fullyQualifiedName": f.symbol}]
    if baseline is not None:
        entry["baselineState"] = "unchanged" if held else "new"
    return entry


def build_sarif(
    result: ScanResult,
    *,
    tool_version: str,
    baseline_diff: BaselineDiff | None = None,
    category: str | None = None,
) -> dict[str, Any]:
    """The SARIF log as a dict (render_sarif dumps it; tests validate it against the schema).

    category: code scanning's analysis category (`runs[0].automationDetails.id`), so that
    several idtoken-migrate runs of one repository (a monorepo's services) keep apart."""
    findings = sorted_findings(result.findings)
    known = {rule.id: rule for rule in reversed(result.rules)}  # the first of an id wins
    order = {rule_id: n for n, rule_id in enumerate(dict.fromkeys(r.id for r in result.rules))}
    kind_order = {kind: n for n, kind in enumerate(KINDS)}
    # One descriptor per (rule, kind) the findings use, in rule-pack order then kind order.
    pairs = sorted(
        {(f.rule, f.kind) for f in findings},
        key=lambda p: (order.get(p[0], len(order)), p[0], kind_order.get(p[1], len(KINDS)), p[1]),
    )
    examples = {f.rule: f for f in reversed(findings)}
    descriptors = [
        _rule_descriptor(known.get(rule) or _unknown_rule(rule, examples[rule]), kind, tool_version)
        for rule, kind in pairs
    ]
    index = {pair: n for n, pair in enumerate(pairs)}

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
                "rules": descriptors,
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
        "results": [_result(f, index[(f.rule, f.kind)], baseline_diff, held(f)) for f in findings],
        "properties": {"stats": result.stats.to_json()},
    }
    if category:
        run["automationDetails"] = {"id": category if category.endswith("/") else category + "/"}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(
    result: ScanResult,
    *,
    tool_version: str,
    baseline_diff: BaselineDiff | None = None,
    category: str | None = None,
) -> str:
    log = build_sarif(
        result, tool_version=tool_version, baseline_diff=baseline_diff, category=category
    )
    return json.dumps(log, indent=2) + "\n"
