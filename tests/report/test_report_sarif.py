"""The sarif format: valid against the official SARIF 2.1.0 schema, with what GitHub reads."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from report_samples import BEARER, FINDINGS, RULES, UNVERIFIED, in_order, make_result

from idtoken_migrate.report import BaselineDiff, render
from idtoken_migrate.report.sarif import FINGERPRINT_KEY

# The official schema, shipped with the tests (tests/schemas/README.md says where it is from).
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "sarif-schema-2.1.0.json"


# RFC 3986 characters; jsonschema checks "uri" formats only with optional extras, so we do.
_URI_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def is_uri_reference(value: object) -> bool:
    if not isinstance(value, str) or not _URI_CHARS.fullmatch(value):
        return False
    # A relative reference whose first segment holds ':' would read as a scheme.
    return bool(_SCHEME.match(value)) or ":" not in value.split("/")[0]


def is_uri(value: object) -> bool:
    return is_uri_reference(value) and bool(_SCHEME.match(str(value)))


@pytest.fixture(scope="module")
def validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)  # the draft the schema declares
    cls.check_schema(schema)
    formats = copy.deepcopy(cls.FORMAT_CHECKER)
    formats.checks("uri")(is_uri)
    formats.checks("uri-reference")(is_uri_reference)
    return cls(schema, format_checker=formats)


def sarif(**kwargs: Any) -> dict[str, Any]:
    return json.loads(render(kwargs.pop("result", make_result()), "sarif", **kwargs))


def assert_valid(validator: Any, log: dict[str, Any]) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_valid_against_the_official_schema(validator: Any) -> None:
    assert_valid(validator, sarif())
    assert_valid(validator, sarif(baseline_diff=BaselineDiff(new=(BEARER,), unchanged_count=5)))
    assert_valid(validator, sarif(result=make_result(findings=(), errors=(), root="relative/dir")))


def test_the_schema_check_can_fail(validator: Any) -> None:
    log = sarif()
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert list(validator.iter_errors(broken))
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert list(validator.iter_errors(broken))
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"
    ] = "api/a b.py"
    assert list(validator.iter_errors(broken))


@pytest.mark.parametrize(
    ("value", "reference", "absolute"),
    [
        ("api/auth%2C%20v2/x.py", True, False),
        ("file:///home/dev/legacy%20app/", True, True),
        ("https://example.com/rules/x", True, True),
        ("api/a b.py", False, False),
        ("c:x.py", True, True),  # reads as scheme 'c': why ':' must be encoded in paths
        ("dir%3Ax.py", True, False),
        ("100%.py", False, False),
    ],
)
def test_uri_format_checks(value: str, reference: bool, absolute: bool) -> None:
    assert is_uri_reference(value) is reference
    assert is_uri(value) is absolute


def test_driver_and_rules() -> None:
    driver = sarif(tool_version="9.8.7")["runs"][0]["tool"]["driver"]
    assert driver["name"] == "idtoken-migrate"
    assert driver["version"] == "9.8.7"
    assert driver["informationUri"].startswith("https://")
    by_id = {r["id"]: r for r in driver["rules"]}
    # One descriptor per (rule, kind) the findings use, the stable rule id first.
    assert sorted(by_id) == sorted({f"{f.rule}/{f.kind}" for f in FINDINGS})
    bearer = by_id["pyjwt-id-token-bearer/id-token-bearer"]
    assert bearer["name"] == "PyJwtIdTokenBearer/id-token-bearer"
    assert bearer["shortDescription"]["text"].startswith(RULES[0].summary + ": ")
    assert bearer["fullDescription"]["text"] == RULES[0].help
    assert bearer["help"]["text"].startswith(RULES[0].help)
    assert RULES[0].docs_url in bearer["help"]["markdown"]
    assert bearer["helpUri"].endswith("/v9.8.7/docs/findings.md#id-token-bearer")
    assert bearer["properties"]["rule"] == "pyjwt-id-token-bearer"
    assert "pyjwt" in bearer["properties"]["tags"]
    # A finding from a rule the result does not describe still gets a descriptor.
    assert by_id["custom-rule:x/id-token-bearer"]["shortDescription"]["text"]
    assert all(r["helpUri"].startswith("https://") for r in driver["rules"])


@pytest.mark.parametrize(
    ("kind", "level", "severity", "cwes"),
    [
        ("id-token-bearer", "error", 8.1, {"external/cwe/cwe-287"}),
        ("unverified-decode", "error", 9.1, {"external/cwe/cwe-345", "external/cwe/cwe-347"}),
        ("ambiguous", "warning", 5.0, set()),
        ("id-token-login", "note", None, set()),
        ("access-token", "note", None, set()),
    ],
)
def test_each_kind_has_its_level_severity_and_tags(
    kind: str, level: str, severity: float | None, cwes: set[str]
) -> None:
    rules = sarif()["runs"][0]["tool"]["driver"]["rules"]
    [rule] = [r for r in rules if r["properties"]["kind"] == kind and "custom" not in r["id"]]
    assert rule["defaultConfiguration"] == {"level": level}
    tags = set(rule["properties"]["tags"])
    assert {t for t in tags if "cwe" in t} == cwes
    if severity is None:  # inventory: not a security alert
        assert "security-severity" not in rule["properties"]
        assert "security" not in tags and "inventory" in tags
    else:
        assert float(rule["properties"]["security-severity"]) == severity
        assert "security" in tags


def test_every_help_uri_anchor_exists_in_the_docs() -> None:
    from idtoken_migrate.report.sarif import FINDINGS_DOC, KIND_PROFILES, docs_url

    page = Path(__file__).resolve().parents[2] / FINDINGS_DOC
    # GitHub's anchors: headings lower-cased, spaces to '-', punctuation but '-' dropped.
    anchors = {
        re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }
    assert set(KIND_PROFILES) <= anchors
    for rule in sarif()["runs"][0]["tool"]["driver"]["rules"]:
        base, anchor = rule["helpUri"].split("#")
        assert base == docs_url() and anchor in anchors


def test_category_sets_the_automation_id(validator: Any) -> None:
    log = sarif(sarif_category="backend")
    assert log["runs"][0]["automationDetails"] == {"id": "backend/"}
    assert_valid(validator, log)
    assert "automationDetails" not in sarif()["runs"][0]


def test_results_in_order_with_levels_and_rule_indexes() -> None:
    run = sarif()["runs"][0]
    results = run["results"]
    expected = in_order(FINDINGS)
    assert [r["partialFingerprints"][FINGERPRINT_KEY] for r in results] == [
        f.fingerprint for f in expected
    ]
    levels = {
        "id-token-bearer": "error",
        "unverified-decode": "error",
        "ambiguous": "warning",
        "id-token-login": "note",
        "access-token": "note",
    }
    for r, f in zip(results, expected, strict=True):
        assert r["ruleId"] == f"{f.rule}/{f.kind}"
        assert run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["properties"]["rule"] == f.rule
        assert r["level"] == levels[f.kind]
        assert r["properties"]["kind"] == f.kind
        assert r["properties"]["confidence"] == f.confidence
        assert r["properties"]["library"] == f.library
        assert r["properties"]["provider"] == f.provider
        assert r["properties"]["evidence"] == list(f.evidence)
        assert r["message"]["text"].startswith(f.message)
        assert "baselineState" not in r


def test_locations_are_relative_encoded_uris_with_a_region() -> None:
    run = sarif()["runs"][0]
    r = next(r for r in run["results"] if r["properties"]["rule"] == BEARER.rule)
    location = r["locations"][0]["physicalLocation"]
    uri = location["artifactLocation"]["uri"]
    assert uri == "api/auth%2C%20v2/verify%3A%20100%25%20token.py"
    assert unquote(uri) == BEARER.path
    assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert location["region"] == {
        "startLine": 42,
        "startColumn": 15,
        "endLine": 42,
        "endColumn": 61,
        "snippet": {"text": BEARER.snippet},
    }
    assert run["originalUriBaseIds"]["%SRCROOT%"] == {"uri": "file:///home/dev/legacy%20app/"}
    for result in run["results"]:
        path = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert " " not in path and not path.startswith("/")


def test_multi_line_region() -> None:
    results = sarif()["runs"][0]["results"]
    r = next(r for r in results if r["properties"]["rule"] == UNVERIFIED.rule)
    region = r["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["endLine"], region["endColumn"]) == (7, 9, 6)


def test_file_errors_become_tool_notifications() -> None:
    invocation = sarif()["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == [
        "bin/blob.py",
        "legacy/broken%2C%20old.py",
    ]
    assert notes[1]["message"]["text"].endswith("invalid syntax: unexpected <EOF>")
    assert notes[1]["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}
    assert all(n["level"] == "error" for n in notes)


def test_baseline_state() -> None:
    results = sarif(baseline_diff=BaselineDiff(new=(BEARER,), unchanged_count=5))["runs"][0][
        "results"
    ]
    states = {r["partialFingerprints"][FINGERPRINT_KEY]: r["baselineState"] for r in results}
    assert states.pop(BEARER.fingerprint) == "new"
    assert set(states.values()) == {"unchanged"}


def test_relative_root_is_described_not_given_as_uri() -> None:
    bases = sarif(result=make_result(root="."))["runs"][0]["originalUriBaseIds"]
    assert "uri" not in bases["%SRCROOT%"]
    assert bases["%SRCROOT%"]["description"]["text"]
