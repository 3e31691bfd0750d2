"""Suppression comments behave as `# noqa` and `# nosemgrep` do: on the line above, on any line
of a multi-line call, case-insensitive; --report-unused-suppressions names the dead ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_process import run_cli as run

from idtoken_migrate.scan.suppress import audit, parse_suppressions

HEAD = """\
import jwt
from flask import request


def current_user():
    token = request.headers["Authorization"].split()[1]
"""
# The call spans lines 7 to 12.
CALL = """\
    return jwt.decode(
        token,
        CLIENT_SECRET,
        algorithms=["HS256"],
        audience=CLIENT_ID,
    )
"""


def with_comment(comment: str, at: int) -> str:
    """The legacy module with `comment` on call line `at` (0-6); 0 puts it alone above the call."""
    lines = CALL.splitlines()
    if at == 0:
        lines.insert(0, f"    {comment}")
    else:
        lines[at - 1] += f"  {comment}"
    return HEAD + "\n".join(lines) + "\n"


def findings(root: Path) -> list[dict]:
    proc = run(root, "scan", "--no-cache", "-f", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["findings"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(HEAD + CALL, encoding="utf-8")
    return tmp_path


def test_the_call_is_found(project: Path) -> None:
    [finding] = findings(project)
    assert (finding["line"], finding["end_line"], finding["rule"]) == (7, 12, "IDT101")


@pytest.mark.parametrize("at", [0, 1, 2, 4, 6])
@pytest.mark.parametrize(
    "comment",
    [
        "# idtoken-migrate: ignore[IDT101]",
        "# IDTOKEN-MIGRATE: Ignore[idt101]",
        "# idtoken-migrate: ignore",
        "# noqa: E501  # idtoken-migrate: ignore[IDT999, IDT101]",
    ],
)
def test_every_line_of_the_call_and_the_line_above(project: Path, comment: str, at: int) -> None:
    (project / "app.py").write_text(with_comment(comment, at), encoding="utf-8")
    assert findings(project) == []


def test_another_rule_or_a_comment_two_lines_above_does_not_suppress(project: Path) -> None:
    (project / "app.py").write_text(with_comment("# idtoken-migrate: ignore[IDT102]", 3))
    assert len(findings(project)) == 1
    text = HEAD.replace("def current_user", "# idtoken-migrate: ignore\ndef current_user") + CALL
    (project / "app.py").write_text(text, encoding="utf-8")
    assert len(findings(project)) == 1  # it is about the `def` line, not the call


def test_audit_names_unknown_and_unused_codes() -> None:
    text = with_comment("# idtoken-migrate: ignore[IDT101, IDT102, IDT1O1]", 0)
    notes = audit(parse_suppressions(text), "app.py", [("IDT101", 7, 12)], ["IDT101", "IDT102"])
    assert [(n.line, n.message.split("`")[0]) for n in notes] == [
        (7, "unknown rule IDT1O1 in "),
        (7, "unused suppression "),
    ]
    assert notes[1].message.endswith("(unused: IDT102)")
    assert (
        audit(
            parse_suppressions(text.replace(", IDT102, IDT1O1", "")),
            "a",
            [("IDT101", 7, 12)],
            ["IDT101"],
        )
        == []
    )


def test_report_unused_suppressions(project: Path) -> None:
    (project / "app.py").write_text(with_comment("# idtoken-migrate: ignore[IDT101]", 1))
    (project / "other.py").write_text(
        "import jwt  # idtoken-migrate: ignore[IDT101]\nx = 1  # idtoken-migrate: ignore[IDT1O1]\n"
    )
    quiet = run(project, "check")
    assert quiet.returncode == 0 and "suppression" not in quiet.stdout + quiet.stderr
    proc = run(project, "check", "--report-unused-suppressions")
    assert proc.returncode == 1
    lines = [line for line in proc.stdout.splitlines() if line.startswith("other.py:")]
    assert lines == [
        "other.py:1: unused suppression `# idtoken-migrate: ignore[IDT101]`",
        "other.py:2: unknown rule IDT1O1 in `# idtoken-migrate: ignore[IDT1O1]`",
    ]
    assert "check failed: 2 suppression comments to remove or fix" in proc.stdout
    scan = run(project, "scan", "--report-unused-suppressions")
    assert scan.returncode == 0 and "other.py:1: unused suppression" in scan.stdout


def test_unknown_rule_in_a_suppression_is_always_warned(project: Path) -> None:
    # A typo suppresses nothing: the finding shows, and the warning says why, without the flag.
    source = with_comment("# idtoken-migrate: ignore[IDT1O1]", 1)
    (project / "app.py").write_text(source)
    (project / "clean.py").write_text("x = 1  # idtoken-migrate: ignore[IDT999]\n")
    line = next(n for n, text in enumerate(source.splitlines(), 1) if "IDT1O1" in text)
    warned = f"app.py:{line}: unknown rule IDT1O1 in `# idtoken-migrate: ignore[IDT1O1]`"
    for command in ("scan", "check"):
        proc = run(project, command)
        assert proc.returncode == (1 if command == "check" else 0), proc.stdout + proc.stderr
        assert warned in proc.stdout.splitlines()
        assert "IDT999" not in proc.stdout + proc.stderr  # no site in that file: nothing hidden
        assert "suppression comment" not in proc.stdout  # a warning, not a gate failure
    as_json = run(project, "check", "--format", "json")
    assert warned in as_json.stderr.splitlines()
    json.loads(as_json.stdout)
    (project / "app.py").write_text(with_comment("# idtoken-migrate: ignore[IDT101]", 1))
    fixed = run(project, "check")
    assert fixed.returncode == 0 and "unknown rule" not in fixed.stdout + fixed.stderr
