"""Odd input is a one-line error with exit 2, never an internal error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from idtoken_migrate.cli import app

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"


@pytest.mark.parametrize("now", ["nan", "inf", "-inf", "1e20"])
def test_inspect_token_rejects_impossible_times(now: str) -> None:
    result = CliRunner().invoke(app, ["inspect-token", "-", "--now", now], input=TOKEN)
    assert result.exit_code == 2
    assert "--now" in result.output and "internal error" not in result.output


def test_inspect_token_today_accepts_what_check_accepts() -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["inspect-token", "-", "--today", "2027-03-01"], input=TOKEN)
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["inspect-token", "-", "--today", "20270301"], input=TOKEN)
    assert bad.exit_code == 2 and "--today" in bad.output


def test_baseline_with_an_absurd_line_number_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("x = 1\n")
    entry = {"fingerprint": "f", "rule": "IDT101", "kind": "id-token-bearer", "path": "a.py"}
    (tmp_path / "b.json").write_text(
        '{"version": 1, "entries": [' + json.dumps(entry)[:-1] + ', "line": 1e400}]}'
    )
    result = CliRunner().invoke(
        app, ["check", str(tmp_path), "--baseline", str(tmp_path / "b.json")]
    )
    assert result.exit_code == 2
    assert "entries[0]: invalid entry" in result.output
