"""The engine is free of the presentation layers: no module outside `report/` and `cli/` imports
them (the gate builds a verdict, the reporters render it), so the stages run without a terminal."""

from __future__ import annotations

import ast
from pathlib import Path

import idtoken_migrate

PACKAGE = Path(idtoken_migrate.__file__).parent
PRESENTATION = ("idtoken_migrate.report", "idtoken_migrate.cli")
EDGES = {"report", "cli"}  # they may import everything
ENTRY_POINTS = {"__main__.py"}  # `python -m idtoken_migrate` starts the CLI


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _engine_modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in EDGES and path.name not in ENTRY_POINTS
    )


def test_no_engine_module_imports_the_report_or_cli_layer() -> None:
    modules = _engine_modules()
    assert any(p.parent.name == "gate" for p in modules)  # the one that used to
    offending = {
        str(path.relative_to(PACKAGE)): sorted(
            name for name in _imports(path) if name.startswith(PRESENTATION)
        )
        for path in modules
    }
    assert {path: names for path, names in offending.items() if names} == {}
