"""Is the project's Python one the generated verifier runs on? Declared or detected, checked
before anything is written.

The verifier needs PyJWT >= 2.13, which needs Python >= 3.9 (and the verifier is Python 3 code).
Declared: `requires-python` (pyproject.toml), `python_requires` (setup.py, setup.cfg),
`python_version` (Pipfile), `.python-version`, `runtime.txt`. Detected: a file the scan could not
parse that is Python 2 (`print "..."`, `except Error, e:`, `exec "..."`). Text only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

MIN_PYTHON = (3, 9)
_VERSION = re.compile(r"(\d+)(?:\.(\d+))?")
_PY2_MARKERS = re.compile(
    "|".join(
        (
            r"""^[ \t]*print[ \t]+(?:["'\w]|>>)""",  # print "x"
            r"""^[ \t]*except[ \t]+[\w.]+[ \t]*,[ \t]*\w+[ \t]*:""",  # except Error, e:
            r"""^[ \t]*exec[ \t]+["']""",  # exec "code"
        )
    ),
    re.M,
)
# (file, pattern whose first group is a version specifier)
_DECLARATIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("pyproject.toml", re.compile(r"""^\s*requires-python\s*=\s*["']([^"']+)["']""", re.M)),
    ("setup.py", re.compile(r"""python_requires\s*=\s*["']([^"']+)["']""")),
    ("setup.cfg", re.compile(r"""^\s*python_requires\s*=\s*(\S.*)$""", re.M)),
    ("Pipfile", re.compile(r"""^\s*python_version\s*=\s*["']([^"']+)["']""", re.M)),
    (".python-version", re.compile(r"""^\s*(?:python-)?(\d[\d.]*)""", re.M)),
    ("runtime.txt", re.compile(r"""^\s*python-(\d[\d.]*)""", re.M)),
)


def python_refusal(
    root: Path, unparsed: Iterable[str] = (), minimum: tuple[int, int] = MIN_PYTHON
) -> str | None:
    """Why the migration cannot run on this project's Python, or None. `unparsed`: the files
    (relative to root) the scan could not parse; `minimum`: the verifier library's floor (its
    rule pack's `install.python`)."""
    for name, pattern in _DECLARATIONS:
        path = root / name
        if not path.is_file():
            continue
        found = pattern.search(_read(path))
        if found is None:
            continue
        lowest = _lowest(found.group(1))
        if lowest is not None and lowest < minimum:
            return (
                f"{name} declares Python {found.group(1).strip()}: the generated verifier needs "
                f"Python >= {'.'.join(map(str, minimum))} (PyJWT >= 2.13); move the project "
                "to it (and declare it) first"
            )
    for relpath in unparsed:
        if relpath.endswith(".py") and _PY2_MARKERS.search(_read(root / relpath)):
            return (
                f"{relpath} is Python 2 code: the generated verifier needs Python >= "
                f"{'.'.join(map(str, minimum))}; port the project to Python 3 first"
            )
    return None


def _lowest(specifier: str) -> tuple[int, int] | None:
    """The lowest Python a specifier allows (">=3.7,<4" -> 3.7, "~=2.7" -> 2.7, "3.8" -> 3.8);
    None when it sets no lower bound."""
    lows = []
    for part in specifier.split(","):
        part = part.strip()
        if part.startswith(("<", "!=")):
            continue
        version = _VERSION.search(part)
        if version:
            lows.append((int(version.group(1)), int(version.group(2) or 0)))
    return min(lows) if lows else None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
