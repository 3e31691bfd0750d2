"""The text format: ruff-like lines in order, one line per finding, colour only when asked."""

from __future__ import annotations

import re

from report_samples import ACCESS, BEARER, FINDINGS, LOGIN, UNVERIFIED, in_order, make_result

from idtoken_migrate.model import ScanResult, ScanStats
from idtoken_migrate.report import BaselineDiff, render

HEAD = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<rule>\S+) \[(?P<kind>[a-z-]+)\] ")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def heads(text: str) -> list[re.Match[str]]:
    return [m for line in text.splitlines() if (m := HEAD.match(line))]


def test_one_head_line_per_finding_sorted_by_path_line_col() -> None:
    found = heads(render(make_result(), "text"))
    expected = in_order(FINDINGS)
    assert [(m["path"], int(m["line"]), int(m["col"])) for m in found] == [
        (f.path, f.line, f.column) for f in expected
    ]
    assert [(m["rule"], m["kind"]) for m in found] == [(f.rule, f.kind) for f in expected]


def test_newlines_in_messages_stay_on_the_finding_line() -> None:
    text = render(make_result(), "text")
    bearer = next(line for line in text.splitlines() if line.startswith(BEARER.path))
    assert bearer.endswith('AUTH0_CLIENT_ID\\n"fix" <now> & @ops | ünïcode ✓')
    unverified = next(line for line in text.splitlines() if "verify_signature=False" in line)
    assert "\\nclaims are trusted" in unverified
    assert "\r" not in text


def test_evidence_and_snippet_are_short_and_indented() -> None:
    lines = render(make_result(), "text").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(BEARER.path))
    assert lines[at + 1] == "    42 | " + BEARER.snippet.strip()
    assert lines[at + 2].startswith("    evidence: audience is a client id")
    assert lines[at + 2].endswith("; +1 more")  # four pieces of evidence, three shown
    assert all(len(line) < 250 for line in lines)


def test_no_colour_unless_asked_even_with_escapes_in_the_input() -> None:
    text = render(make_result(), "text")
    assert "\x1b" not in text
    assert "\\x1b[31mred" in text  # the escape from the scanned file is shown, not obeyed


def test_colour_when_asked_and_nothing_else_changes() -> None:
    plain = render(make_result(), "text")
    coloured = render(make_result(), "text", color=True)
    assert "\x1b[31m" in coloured and "\x1b[0m" in coloured
    assert ANSI.sub("", coloured) == plain


def test_summary_errors_and_counts() -> None:
    lines = render(make_result(), "text").splitlines()
    assert (
        "Found 6 findings (3 to migrate): 2 id-token-bearer, 1 unverified-decode, "
        "1 id-token-login, 1 access-token, 1 ambiguous." in lines
    )
    assert "bin/blob.py: error: binary file\\x00 skipped & ignored" in lines
    assert "legacy/broken, old.py:3: error: invalid syntax: unexpected <EOF>" in lines
    assert lines[-1] == (
        "Scanned 2000 files: 13 parsed, 1985 prefiltered, 0 cached, 2 suppressed, 2 errors."
    )


def test_errors_come_after_the_summary_in_path_order() -> None:
    lines = render(make_result(), "text").splitlines()
    summary = next(i for i, line in enumerate(lines) if line.startswith("Found "))
    error_lines = [i for i, line in enumerate(lines) if ": error: " in line]
    assert error_lines and all(i > summary for i in error_lines)
    assert lines[error_lines[0]].startswith("bin/blob.py")


def test_baseline_line_only_with_a_diff() -> None:
    diff = BaselineDiff(new=(BEARER,), fixed=(UNVERIFIED, ACCESS), unchanged_count=4)
    text = render(make_result(), "text", baseline_diff=diff)
    assert text.splitlines()[-1] == "Baseline: 1 new, 2 fixed, 4 unchanged."
    assert "Baseline" not in render(make_result(), "text")


def test_clean_scan() -> None:
    result = ScanResult(root=".", stats=ScanStats(files=1, parsed=0, prefiltered=1))
    assert render(result, "text") == (
        "No token verification found.\n"
        "Scanned 1 file: 0 parsed, 1 prefiltered, 0 cached, 0 suppressed, 0 errors.\n"
    )


def test_new_findings_are_marked_only_with_a_baseline() -> None:
    diff = BaselineDiff(new=(BEARER, LOGIN), unchanged_count=4)
    lines = render(make_result(), "text", baseline_diff=diff).splitlines()
    marked = [line for line in lines if " [new] " in line]
    assert {line.split(" [new] ")[1].split()[0] for line in marked} == {BEARER.rule, LOGIN.rule}
    assert " [new] " not in render(make_result(), "text")
