"""The markdown format: a pull-request summary: counts, findings to migrate, the baseline."""

from __future__ import annotations

import re

from report_samples import ACCESS, BEARER, FINDINGS, LOGIN, RULES, UNVERIFIED, make_result

from idtoken_migrate.model import Finding, ScanResult
from idtoken_migrate.report import BaselineDiff, render
from idtoken_migrate.report.markdown import MAX_ROWS, md_escape

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(title)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines))
    return lines[start + 1 : end]


def rows(text: str, title: str) -> list[list[str]]:
    table = [line for line in section(text, title) if line.startswith("|")][2:]
    return [[c.strip() for c in UNESCAPED_PIPE.split(line)[1:-1]] for line in table]


def test_headline_and_counts() -> None:
    text = render(make_result(), "markdown")
    assert text.startswith("## idtoken-migrate\n")
    assert "**3 of 6 findings to migrate**" in text
    assert rows(text, "### By kind") == [
        ["id-token-bearer", "2"],
        ["unverified-decode", "1"],
        ["id-token-login", "1"],
        ["access-token", "1"],
        ["ambiguous", "1"],
    ]
    assert dict(map(tuple, rows(text, "### By library"))) == {
        "authlib": "1",
        "custom": "1",
        "google-auth": "1",
        "okta-jwt-verifier": "1",
        "pyjwt": "2",
    }
    assert dict(map(tuple, rows(text, "### By provider"))) == {
        "auth0": "1",
        "google": "1",
        "keycloak": "1",
        "okta": "1",
        "unknown": "2",
    }


def test_the_table_lists_only_actionable_findings_with_five_cells() -> None:
    table = rows(render(make_result(), "markdown"), "### To migrate")
    assert [r[1] for r in table] == [
        "pyjwt-id-token-bearer",
        "pyjwt-unverified-decode",
        "custom-rule:x",
    ]
    assert all(len(r) == 5 for r in table)  # the '|' in a message does not open a column
    assert table[0][0] == "api/auth, v2/verify: 100% token.py:42"
    assert table[0][2:4] == ["id-token-bearer", "high"]


def test_messages_cannot_inject_markup_mentions_or_line_breaks() -> None:
    text = render(make_result(), "markdown")
    cell = rows(text, "### To migrate")[0][4]
    assert cell == (
        "ID token verified as API credential: audience is AUTH0\\_CLIENT\\_ID<br>"
        '"fix" \\<now\\> &amp; &#64;ops \\| ünïcode ✓'
    )
    assert "@ops" not in text and "<now>" not in text
    assert md_escape("**bold** [link](x) `code` #1") == (
        "\\*\\*bold\\*\\* \\[link\\]\\(x\\) \\`code\\` \\#1"
    )
    assert md_escape("a\r\nb\x00") == "a<br>b\ufffd"


def test_errors_section() -> None:
    text = render(make_result(), "markdown")
    assert rows(text, "### Files not scanned") == [
        ["bin/blob.py", "binary file\ufffd skipped &amp; ignored"],
        ["legacy/broken, old.py:3", "invalid syntax: unexpected \\<EOF\\>"],
    ]


def test_baseline_section_only_with_a_diff() -> None:
    assert "baseline" not in render(make_result(), "markdown").lower()
    diff = BaselineDiff(new=(BEARER,), fixed=(UNVERIFIED, LOGIN), unchanged_count=4)
    text = render(make_result(), "markdown", baseline_diff=diff)
    assert rows(text, "### Change against the baseline") == [["1", "2", "4"]]
    assert [r[1] for r in rows(text, "#### New")] == [BEARER.rule]
    assert [r[0] for r in rows(text, "#### Fixed")] == [
        md_escape(f"{LOGIN.path}:{LOGIN.line}"),
        md_escape(f"{UNVERIFIED.path}:{UNVERIFIED.line}"),
    ]


def test_nothing_to_migrate() -> None:
    text = render(make_result(findings=(ACCESS, LOGIN), errors=()), "markdown")
    assert "**Nothing to migrate.**" in text
    assert "### To migrate" not in text and "### Files not scanned" not in text
    assert "**No token verification found.**" in render(ScanResult(root="."), "markdown")


def test_long_tables_are_cut() -> None:
    many = tuple(
        Finding(**{**BEARER.__dict__, "line": i, "fingerprint": f"fp{i}"}) for i in range(1, 81)
    )
    text = render(ScanResult(root=".", findings=many, rules=RULES), "markdown")
    assert len(rows(text, "### To migrate")) == MAX_ROWS
    assert f"_… and {80 - MAX_ROWS} more._" in text
    assert "| pyjwt | 80 |" in text  # counts still cover everything
    assert len(FINDINGS) < MAX_ROWS


def test_headline_with_a_baseline_counts_only_new_findings() -> None:
    text = render(make_result(), "markdown", baseline_diff=BaselineDiff(new=(BEARER,)))
    assert "**1 new finding to migrate** (not in the baseline; 2 more held by it)." in text
    text = render(make_result(), "markdown", baseline_diff=BaselineDiff(unchanged_count=6))
    assert "**No new findings.** 3 findings to migrate, all held by the baseline." in text


def test_scan_counts_include_cached_files() -> None:
    assert "parsed, " in render(make_result(), "markdown")
    stats = make_result().stats
    assert f"{stats.prefiltered} prefiltered, {stats.cached} cached)" in render(
        make_result(), "markdown"
    )
