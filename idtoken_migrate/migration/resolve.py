"""`plan --resolve`: ask pip's resolver whether the migrated requirements install together.

The offline check (`dependencies`) knows what PyJWT itself needs; pip also knows what every other
pinned package needs. The migrated requirement files are written to a temporary folder (their
`-r` / `-c` includes keep working) and `pip install --dry-run --ignore-installed` runs on the root
`requirements.txt` with this Python's pip and its configured index: it may use the network, so it
runs only when asked. Nothing of the project is written.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from idtoken_migrate.migration.codemods.project_files import requirement_files
from idtoken_migrate.migration.dependencies import migrated_requirements
from idtoken_migrate.migration.plan import Plan

ROOT_REQUIREMENTS = "requirements.txt"
_TIMEOUT_SECONDS = 600


def resolve_with_pip(root: Path, plan: Plan) -> str | None:
    """Why pip cannot install the migrated requirements.txt, or None when it can (or when the
    project has none)."""
    if not (root / ROOT_REQUIREMENTS).is_file():
        return None
    with tempfile.TemporaryDirectory(prefix="idtoken-migrate-resolve-") as folder:
        for path in requirement_files(root):
            text = (root / path).read_text(encoding="utf-8", errors="replace")
            new = migrated_requirements(text, plan.install, add_missing=path == ROOT_REQUIREMENTS)
            target = Path(folder, path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(new, encoding="utf-8")
        command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed"]
        command += ["--disable-pip-version-check", "-r", ROOT_REQUIREMENTS]
        try:
            done = subprocess.run(
                command,
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=_TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"{ROOT_REQUIREMENTS}: pip's resolver could not run: {error}"
    if done.returncode == 0:
        return None
    reason = _reason(done.stdout + done.stderr)
    return f"{ROOT_REQUIREMENTS}: pip cannot install the migrated requirements: {reason}"


def _reason(output: str) -> str:
    """pip's own explanation, on one line: the conflict lines and the error."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    keep = [
        line
        for line in lines
        if line.startswith(("ERROR:", "The conflict is caused by", "The user requested"))
        or " depends on " in line
    ]
    return "; ".join(keep or lines[-3:]) or "no reason given"
