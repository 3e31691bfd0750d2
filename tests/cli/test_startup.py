"""Start-up stays light: the pre-commit case pays only for what a scan needs (no timing here;
`bench/` measures time). Loading the CLI must not import the parser or the template engine."""

from __future__ import annotations

import json
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


HELPER = """\
from google.auth.transport import requests
from google.oauth2 import id_token


def verify_credential(credential):
    return id_token.verify_oauth2_token(credential, requests.Request(), "client-id")
"""

WARM_SCAN = (
    "import sys; from idtoken_migrate.cli import app; "
    "app(['scan', sys.argv[1], '--cache-dir', sys.argv[2], '--format', 'json'], "
    "standalone_mode=False); "
    "print('libcst' in sys.modules, file=sys.stderr)"
)


def test_a_warm_scan_whose_callers_decide_nothing_never_loads_the_parser(tmp_path) -> None:
    """Every file comes from the cache; the project view still searches the other modules for
    the helper's callers (lexically), which needs no parser."""
    project = tmp_path / "app"
    (project / "identity").mkdir(parents=True)
    (project / "identity" / "google.py").write_text(HELPER)
    (project / "views.py").write_text("from identity import google\n\nprint(google)\n")
    cache = tmp_path / "cache"
    runs = [
        subprocess.run(
            [sys.executable, "-c", WARM_SCAN, str(project), str(cache)],
            capture_output=True,
            text=True,
            check=True,
        )
        for _ in range(2)
    ]
    cold, warm = (json.loads(run.stdout) for run in runs)
    assert [f["symbol"] for f in warm["findings"]] == ["verify_credential"]
    assert warm["findings"] == cold["findings"]
    assert (cold["stats"]["cached"], warm["stats"]["cached"]) == (0, 2)
    assert [run.stderr.strip().splitlines()[-1] for run in runs] == ["True", "False"]
