"""Where the bundled rule packs and templates live: in the wheel, or beside the package."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    # An installed wheel carries the folder inside the package (hatch force-include);
    # a source checkout or editable install keeps it at the top of the repository.
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name


def rules_dir() -> Path:
    return _data_dir("rules")


def templates_dir() -> Path:
    return _data_dir("templates")


def schema_path(name: str) -> Path:
    """The JSON Schema `name` (`config`, `rule-pack`) shipped in the package, for editors."""
    return _PACKAGE / "schemas" / f"{name}.schema.json"
