"""`scan` and `check` name a finding alike, whichever folder or file they are pointed at:
one path and one fingerprint, so SARIF from `scan` and baselines from `check` agree."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

LEGACY = """\
import jwt
from flask import request


def current_user():
    token = request.headers["Authorization"].split()[1]
    return jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
"""


def _findings(cwd: Path, *args: str) -> list[tuple[str, str]]:
    out = subprocess.run(
        [sys.executable, "-m", "idtoken_migrate", *args, "--format", "json", "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    return [(f["path"], f["fingerprint"]) for f in json.loads(out)["findings"]]


def test_scan_and_check_agree_on_paths_and_fingerprints(tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "auth.py").write_text(LEGACY)
    runs = [
        _findings(tmp_path, "scan", "."),
        _findings(tmp_path, "scan", "svc"),
        _findings(tmp_path, "scan", "svc/auth.py"),
        _findings(tmp_path, "check", "."),
        _findings(tmp_path, "check", "svc"),
        _findings(tmp_path, "check", "svc/auth.py"),
    ]
    assert runs[0][0][0] == "svc/auth.py"
    assert all(run == runs[0] for run in runs)
