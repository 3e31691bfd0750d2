"""How the app loads its settings, and whether the verifier (which reads `os.environ` only)
sees what the app's `.env` holds.

`load_dotenv()`, environs' `Env.read_env()` and django-environ's `read_env()` export `.env` into
`os.environ`; `dotenv_values()`, the old `dotenv` package's `Dotenv(path)`, pydantic-settings'
`env_file=` and python-decouple's `config()` read it into a dict or a settings object and export
nothing. When the app has only the second kind, a kill switch or legacy secret written to `.env`
never reaches the verifier: the plan says so, with the line that loads it and where to set the
variables instead. Text only: the app is never imported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# (kind, pattern, exports to os.environ, what it reads into)
_LOADERS: tuple[tuple[str, re.Pattern[bytes], bool, str], ...] = (
    ("load_dotenv", re.compile(rb"\bload_dotenv\s*\("), True, ""),
    ("read_env", re.compile(rb"\bread_env\s*\("), True, ""),
    ("dotenv_values", re.compile(rb"\bdotenv_values\s*\("), False, "a dict"),
    ("Dotenv", re.compile(rb"\bDotenv\s*\("), False, "a dict (the old `dotenv` package)"),
    (
        "pydantic-settings env_file",
        re.compile(rb"\benv_file\s*[=:]"),
        False,
        "its settings object (pydantic-settings `env_file`)",
    ),
    (
        "python-decouple",
        re.compile(rb"^\s*(?:from\s+decouple\s+import|import\s+decouple\b)", re.M),
        False,
        "python-decouple's `config()`",
    ),
)


@dataclass(frozen=True)
class SettingsLoader:
    path: str
    line: int
    kind: str
    exports: bool
    into: str

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"


def settings_loaders(files: Mapping[str, bytes]) -> list[SettingsLoader]:
    """Each place the app loads `.env` (or decouple's settings), sorted by file and line."""
    out = []
    for path, data in sorted(files.items()):
        if b"idtoken-migrate" in data[:200] and b"Do not edit by hand" in data[:400]:
            continue  # the generated verifier
        for kind, pattern, exports, into in _LOADERS:
            for match in pattern.finditer(data):
                line = data.count(b"\n", 0, match.start()) + 1
                if _commented(data, match.start()):
                    continue
                out.append(SettingsLoader(path, line, kind, exports, into))
    return sorted(out, key=lambda loader: (loader.path, loader.line))


def _commented(data: bytes, offset: int) -> bool:
    start = data.rfind(b"\n", 0, offset) + 1
    return data[start:offset].lstrip().startswith(b"#")


def unexported_env_note(
    loaders: Sequence[SettingsLoader], names: Sequence[str], where: str
) -> str | None:
    """What the plan says when the app reads `.env` without exporting it (and nothing else
    exports it): the loader's line, the variables, where to set them. None otherwise."""
    if not names or not loaders or any(loader.exports for loader in loaders):
        return None
    first = loaders[0]
    variables = ", ".join(f"`{name}`" for name in names)
    return (
        f"{first.location}: the app reads .env into {first.into}, not os.environ; the verifier "
        f"reads {variables} from os.environ only, so a value in .env never reaches it: set "
        f"{'them' if len(names) > 1 else 'it'} {where}"
    )
