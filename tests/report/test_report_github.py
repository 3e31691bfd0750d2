"""The github format follows the workflow-command syntax of @actions/core, escaping included."""

from __future__ import annotations

import re

import pytest
from report_samples import BEARER, FINDINGS, in_order, make_result

from idtoken_migrate.report import BaselineDiff, render
from idtoken_migrate.report.github import escape_data, escape_property, workflow_command

COMMAND = re.compile(r"^::(?P<cmd>\w+)(?: (?P<props>[^:]*))?::(?P<data>.*)$")


def unescape(text: str) -> str:
    # The runner's order: the escape for '%' is undone last.
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def parse(line: str) -> tuple[str, dict[str, str], str]:
    m = COMMAND.match(line)
    assert m, line
    props = {}
    for pair in (m["props"] or "").split(","):
        key, _, value = pair.partition("=")
        props[key] = unescape(value)
    return m["cmd"], props, unescape(m["data"])


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("100%", "100%25", "100%25"),
        ("a\nb", "a%0Ab", "a%0Ab"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("x: y, z", "x: y, z", "x%3A y%2C z"),
        ("%0A", "%250A", "%250A"),  # an already-escaped-looking input is escaped again
        ("a::b", "a::b", "a%3A%3Ab"),
        ("ünï ✓", "ünï ✓", "ünï ✓"),
    ],
)
def test_escaping(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_workflow_command_shape() -> None:
    line = workflow_command("warning", "50%\ndone", file="a,b:c.py", line=3)
    assert line == "::warning file=a%2Cb%3Ac.py,line=3::50%25%0Adone"
    assert workflow_command("notice", "a\nb") == "::notice::a%0Ab"


def test_one_command_per_finding_and_error_in_order() -> None:
    lines = render(make_result(), "github").splitlines()
    assert len(lines) == len(FINDINGS) + 2
    files = [parse(line)[1]["file"] for line in lines[: len(FINDINGS)]]
    assert files == [f.path for f in in_order(FINDINGS)]


def test_levels_by_kind() -> None:
    expected = {
        "id-token-bearer": "error",
        "unverified-decode": "error",
        "ambiguous": "warning",
        "id-token-login": "notice",
        "access-token": "notice",
    }
    lines = render(make_result(errors=()), "github").splitlines()
    for f, line in zip(in_order(FINDINGS), lines, strict=True):
        assert parse(line)[0] == expected[f.kind]


def test_awkward_paths_and_messages_round_trip() -> None:
    lines = render(make_result(), "github").splitlines()
    line = next(li for li in lines if parse(li)[1]["file"] == BEARER.path)
    assert "file=api/auth%2C v2/verify%3A 100%25 token.py," in line
    cmd, props, data = parse(line)
    assert cmd == "error"
    assert props == {
        "file": BEARER.path,
        "line": "42",
        "col": "15",
        "endLine": "42",
        "endColumn": "61",
        "title": "idtoken-migrate pyjwt-id-token-bearer [id-token-bearer]",
    }
    assert data.startswith(BEARER.message + "\nEvidence: audience is a client id")


def test_carriage_returns_never_reach_the_log() -> None:
    text = render(make_result(), "github")
    assert "\r" not in text
    assert "Bearer token decoded with verify_signature=False%0D%0Aclaims" in text


def test_file_errors_are_warnings_on_the_file() -> None:
    lines = render(make_result(findings=()), "github").splitlines()
    assert [parse(line) for line in lines] == [
        (
            "warning",
            {"file": "bin/blob.py", "title": "idtoken-migrate: file not scanned"},
            "binary file\x00 skipped & ignored",
        ),
        (
            "warning",
            {
                "file": "legacy/broken, old.py",
                "line": "3",
                "title": "idtoken-migrate: file not scanned",
            },
            "invalid syntax: unexpected <EOF>",
        ),
    ]


def test_multi_line_findings_have_no_end_column() -> None:
    lines = render(make_result(errors=()), "github").splitlines()
    props = [parse(line)[1] for line in lines]
    unverified = next(p for p in props if p["file"] == "api/middleware.py" and p["col"] == "5")
    assert unverified["endLine"] == "9" and "endColumn" not in unverified


def test_findings_the_baseline_holds_are_warnings_not_errors() -> None:
    diff = BaselineDiff(new=(BEARER,), unchanged_count=5)
    lines = render(make_result(errors=()), "github", baseline_diff=diff).splitlines()
    errors = [parse(line)[1] for line in lines if parse(line)[0] == "error"]
    assert [e["file"] for e in errors] == [BEARER.path]
    assert errors[0]["title"].endswith("[new]")
    # The other findings to migrate are still annotated, as warnings.
    held = [parse(line) for line in lines if "(in the baseline)" in parse(line)[1]["title"]]
    migrate = [
        h for h in held if "[id-token-bearer]" in h[1]["title"] or "[unverified" in h[1]["title"]
    ]
    assert len(migrate) == 2 and {h[0] for h in migrate} == {"warning"}
