"""The junit format is well-formed XML that CI report viewers read: suites per file, failures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from report_samples import BEARER, FINDINGS, UNVERIFIED, in_order, make_result

from idtoken_migrate.model import ScanResult
from idtoken_migrate.report import BaselineDiff, render


def parse(result: ScanResult | None = None) -> ET.Element:
    text = render(result or make_result(), "junit")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def test_counts_add_up() -> None:
    root = parse()
    assert root.tag == "testsuites"
    assert root.get("name") == "idtoken-migrate"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("8", "3", "2")
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        assert suite.get("tests") == str(len(cases))
        assert suite.get("failures") == str(sum(c.find("failure") is not None for c in cases))
        assert suite.get("errors") == str(sum(c.find("error") is not None for c in cases))


def test_one_suite_per_file_in_path_order() -> None:
    names = [s.get("name") for s in parse().iter("testsuite")]
    assert names == sorted({f.path for f in FINDINGS} | {"bin/blob.py", "legacy/broken, old.py"})


def test_failures_only_for_actionable_kinds() -> None:
    cases = [c for c in parse().iter("testcase") if c.find("error") is None]
    assert len(cases) == len(FINDINGS)
    for case, f in zip(cases, in_order(FINDINGS), strict=True):
        assert case.get("classname") == f.path
        assert case.get("line") == str(f.line)
        assert f.rule in case.get("name", "")
        failure = case.find("failure")
        if f.kind in ("id-token-bearer", "unverified-decode"):
            assert failure is not None
            assert failure.get("type") == f.kind
        else:
            assert failure is None
            assert f.kind in (case.findtext("system-out") or "")


def test_special_characters_survive_the_round_trip() -> None:
    root = parse()
    bearer = next(c for c in root.iter("testcase") if c.get("classname") == BEARER.path)
    failure = bearer.find("failure")
    assert failure is not None
    assert failure.get("message") == BEARER.message  # '<', '&', '"', newline, unicode
    assert BEARER.message in (failure.text or "")
    assert all(f"evidence: {e}" in (failure.text or "") for e in BEARER.evidence)
    unverified = next(
        c
        for c in root.iter("testcase")
        if c.get("line") == str(UNVERIFIED.line) and c.find("failure") is not None
    )
    message = unverified.find("failure").get("message")  # type: ignore[union-attr]
    assert "verify_signature=False" in message and "claims are trusted" in message


def test_file_errors_are_errors_and_control_characters_are_replaced() -> None:
    errors = [c.find("error") for c in parse().iter("testcase") if c.find("error") is not None]
    assert [e.get("message") for e in errors] == [  # type: ignore[union-attr]
        "binary file\ufffd skipped & ignored",
        "invalid syntax: unexpected <EOF>",
    ]
    assert errors[1].text == "legacy/broken, old.py:3: invalid syntax: unexpected <EOF>"  # type: ignore[union-attr]


def test_clean_scan_is_one_passing_case() -> None:
    root = parse(ScanResult(root="."))
    cases = list(root.iter("testcase"))
    assert len(cases) == 1 and not list(cases[0])
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "0")


def test_findings_the_baseline_holds_pass() -> None:
    # BEARER is new; UNVERIFIED (and the other actionable one) are held by the baseline.
    diff = BaselineDiff(new=(BEARER,), unchanged_count=5)
    root = ET.fromstring(render(make_result(errors=()), "junit", baseline_diff=diff))
    failed = [c.get("classname") for c in root.iter("testcase") if c.find("failure") is not None]
    assert failed == [BEARER.path]
    assert root.get("failures") == "1"
    held = next(c for c in root.iter("testcase") if c.get("name", "").startswith(UNVERIFIED.rule))
    assert "held by the baseline" in (held.findtext("system-out") or "")
