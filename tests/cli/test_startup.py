"""Start-up stays light: the pre-commit case pays only for what a scan needs (no timing here;
`bench/` measures time). Loading the CLI must not import the parser or the template engine."""

from __future__ import annotations

import subprocess
import sys

PROBE = (
    "import sys, idtoken_migrate.cli; "
    "heavy = sorted(m for m in ('libcst', 'jinja2', 'cryptography', 'rich.progress') "
    "if m in sys.modules); print(','.join(heavy))"
)


def test_loading_the_cli_imports_no_engine() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_help_lists_commands_in_workflow_order() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "idtoken_migrate", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # typer lists command groups (`rules`) after plain commands.
    commands = ["scan", "init", "plan", "apply", "usage", "check", "inspect-token", "demo", "rules"]
    positions = [out.index(f"  {name} ") for name in commands]
    assert positions == sorted(positions)
