"""Add one import where the project's isort / ruff (default settings) would put it.

After the module docstring, `from __future__` imports and module dunders (`__author__ = ...`),
in its section (future, standard library, third party, first party, local folder), sorted inside
it as isort's defaults sort (`import x` lines first, then `from x import y`, by module name,
case-insensitively; relative imports furthest first), with one blank line between sections and
the blank lines after the imports a top-level `def` or `class` needs. Nothing else moves.
"""

from __future__ import annotations

import sys
from collections.abc import Collection

import libcst as cst

SECTIONS = ("future", "stdlib", "third-party", "first-party", "local")
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | frozenset(sys.builtin_module_names)


def add_import(
    module: cst.Module, statement: cst.SimpleStatementLine, first_party: Collection[str]
) -> cst.Module:
    """`module` with `statement` (one `import` or `from ... import`) added in its place; as it
    was when an identical import is already there."""
    new = statement.body[0]
    assert isinstance(new, (cst.Import, cst.ImportFrom))
    body = list(module.body)
    header = _header_end(body)
    code = cst.Module(body=())
    if any(code.code_for_node(s).strip() == code.code_for_node(statement).strip() for s in body):
        return module
    section = _section(new, first_party)
    key = _sort_key(new)
    imports = [
        (i, _section(_import_of(body[i]), first_party)) for i in _import_indexes(body, header)
    ]
    same = [i for i, s in imports if s == section]
    if same:
        later = [i for i in same if _sort_key(_import_of(body[i])) > key]
        if later and later[0] == same[0]:  # first of its section: it takes the section's spacing
            first = body[later[0]]
            body[later[0]] = first.with_changes(leading_lines=())
            body.insert(later[0], statement.with_changes(leading_lines=first.leading_lines))
        else:
            at = later[0] if later else same[-1] + 1
            body.insert(at, statement.with_changes(leading_lines=()))
        return module.with_changes(body=body)
    rank = SECTIONS.index(section)
    before = [i for i, s in imports if SECTIONS.index(s) < rank]
    after = [i for i, s in imports if SECTIONS.index(s) > rank]
    if before:
        at = max(before[-1] + 1, header)  # after the dunders that follow `from __future__`
    elif after:
        at = after[0]
    else:
        at = header
    leading = (cst.EmptyLine(),) if at > 0 or module.header else ()
    if not before and after:  # it opens the imports: it takes their spacing, they get a blank
        first = body[at]
        leading = first.leading_lines
        body[at] = first.with_changes(leading_lines=(cst.EmptyLine(),))
    body.insert(at, statement.with_changes(leading_lines=leading))
    if at + 1 < len(body) and not [i for i, s in imports if s != "future"]:
        body[at + 1] = _spaced_after_imports(body[at + 1])
    return module.with_changes(body=body)


def _import_of(statement: cst.CSTNode) -> cst.Import | cst.ImportFrom:
    assert isinstance(statement, cst.SimpleStatementLine)
    small = statement.body[0]
    assert isinstance(small, (cst.Import, cst.ImportFrom))
    return small


def _is_import(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], (cst.Import, cst.ImportFrom))
    )


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _is_dunder(statement: cst.CSTNode) -> bool:
    """`__author__ = "..."` and the like: module metadata isort keeps above the imports."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    targets = (
        [t.target for t in small.targets]
        if isinstance(small, cst.Assign)
        else [small.target]
        if isinstance(small, cst.AnnAssign)
        else []
    )
    return bool(targets) and all(
        isinstance(t, cst.Name) and t.value.startswith("__") and t.value.endswith("__")
        for t in targets
    )


def _header_end(body: list[cst.BaseStatement]) -> int:
    """Where imports may go when there are none: after docstring, __future__ and dunders."""
    index = 0
    if body and _is_docstring(body[0]):
        index = 1
    while index < len(body) and (
        _is_dunder(body[index])
        or (_is_import(body[index]) and _module_name(_import_of(body[index])) == "__future__")
    ):
        index += 1
    return index


def _import_indexes(body: list[cst.BaseStatement], start: int) -> list[int]:
    """The module's leading import block: the imports from the top, past the docstring, dunders
    and the __future__ imports, up to the first other statement."""
    out = [i for i in range(start) if _is_import(body[i])]
    index = start
    while index < len(body) and (_is_import(body[index]) or _is_dunder(body[index])):
        if _is_import(body[index]):
            out.append(index)
        index += 1
    return out


def _module_name(node: cst.Import | cst.ImportFrom) -> str:
    code = cst.Module(body=())
    if isinstance(node, cst.Import):
        return code.code_for_node(node.names[0].name)
    return code.code_for_node(node.module) if node.module is not None else ""


def _section(node: cst.Import | cst.ImportFrom, first_party: Collection[str]) -> str:
    if isinstance(node, cst.ImportFrom) and node.relative:
        return "local"
    top = _module_name(node).split(".")[0]
    if top == "__future__":
        return "future"
    if top in _STDLIB:
        return "stdlib"
    return "first-party" if top in first_party else "third-party"


def _sort_key(node: cst.Import | cst.ImportFrom) -> tuple[int, int, str]:
    """isort's default order in a section: `import x` first, then `from x import`, by module
    name ignoring case; relative ones furthest first (`from .. import` before `from . import`)."""
    if isinstance(node, cst.Import):
        return (0, 0, _module_name(node).lower())
    return (1, -len(node.relative), _module_name(node).lower())


def _spaced_after_imports(statement: cst.BaseStatement) -> cst.BaseStatement:
    """The statement after a new import block: two blank lines before a def or class, one else."""
    wanted = 2 if isinstance(statement, (cst.FunctionDef, cst.ClassDef)) else 1
    blank = 0
    for line in statement.leading_lines:
        if line.comment is not None:
            break
        blank += 1
    if blank >= wanted:
        return statement
    extra = tuple(cst.EmptyLine() for _ in range(wanted - blank))
    return statement.with_changes(leading_lines=(*extra, *statement.leading_lines))
