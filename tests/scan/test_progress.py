"""The scan's progress bar: drawn on a terminal's stderr, never in piped output."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

SITE = (
    "import jwt\n\ndef f(request):\n"
    '    return jwt.decode(request.headers["Authorization"], K, audience=CLIENT_ID)\n'
)


def _tree(root: Path, files: int = 60) -> Path:
    for i in range(files):
        (root / f"m{i}.py").write_text(SITE)
    return root


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")}
    env["COLUMNS"] = "100"
    return env


def test_progress_bar_draws_on_a_terminal_and_keeps_stdout_clean(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    main, secondary = pty.openpty()
    # stdout goes to a file: a pipe nobody reads while the terminal is drained would fill up
    # (a JSON report above 64 KiB) and block the scan forever.
    report = (tmp_path / "report.json").open("w+b")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "idtoken_migrate",
            "scan",
            str(tree),
            "--no-cache",
            "--format",
            "json",
        ],
        stdout=report,
        stderr=secondary,
        env=_env(),
    )
    os.close(secondary)
    drawn = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    proc.wait(timeout=120)
    os.close(main)
    report.seek(0)
    out = report.read()
    report.close()
    assert proc.returncode == 0
    assert b"scanning" in drawn  # the bar's label, drawn on the terminal
    assert out.lstrip().startswith(b"{") and b"scanning" not in out  # the report stays clean


def test_no_progress_bar_when_stderr_is_piped(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "idtoken_migrate", "scan", str(tree), "--no-cache"],
        capture_output=True,
        env=_env(),
        timeout=120,
    )
    assert proc.returncode == 0
    assert proc.stderr == b""
