"""Install the tools the benchmark compares against, pinned, into bench/.work/venv (gitignored).

    python bench/setup_tools.py

semgrep ships its engine as a binary inside its wheel, so PyPI is all it needs. pyinstrument is
there for profiling a scan (`bench/.work/venv/bin/pyinstrument`).
"""

from __future__ import annotations

import subprocess
import venv
from pathlib import Path

VENV = Path(__file__).resolve().parent / ".work" / "venv"
PINNED = ("semgrep==1.182.0", "bandit==1.9.4", "ruff==0.17.6", "pyinstrument==5.1.3")


def main() -> None:
    if not (VENV / "bin" / "python").exists():
        venv.create(VENV, with_pip=True)
    python = str(VENV / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "--quiet", *PINNED], check=True)
    for tool in ("semgrep", "bandit", "ruff"):
        subprocess.run([str(VENV / "bin" / tool), "--version"], check=True)


if __name__ == "__main__":
    main()
