"""Exception names a patched file keeps catching must exist in the library the migration installs.

Code written for PyJWT 1.x catches aliases PyJWT 2 dropped (`except jwt.ExpiredSignature:`).
Under the PyJWT >= 2.13 the verifier needs, evaluating that clause raises AttributeError, so every
rejected token would become a 500. The rule pack says which names exist, per module
(`fix: params: exceptions.<module>: Name, ...`), which old names become which
(`exception_renames: Old=New, ...`) and what it describes (`exception_library`). The codemod
rewrites the old names everywhere in the file and refuses the site when a handler around it
names anything else that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import QualifiedName

from idtoken_migrate.codemods import SiteEdit, SiteUnsafe

_PREFIX = "exceptions."
QualifiedNames = Callable[[cst.CSTNode], "set[QualifiedName]"]  # a node's qualified names


@dataclass(frozen=True)
class ExceptionNames:
    """What the rule pack says about one library's exception names."""

    modules: Mapping[str, frozenset[str]]  # module -> the exception names it has
    renames: Mapping[str, str]  # old name -> the name it has now
    library: str  # "PyJWT >= 2.13", for the reason a site is refused

    @classmethod
    def from_edits(cls, edits: Sequence[SiteEdit]) -> ExceptionNames:
        modules: dict[str, frozenset[str]] = {}
        renames: dict[str, str] = {}
        library = ""
        for edit in edits:
            for key, _value in edit.params:
                if key.startswith(_PREFIX):
                    module = key[len(_PREFIX) :]
                    modules[module] = modules.get(module, frozenset()) | frozenset(
                        edit.param_list(key)
                    )
            for pair in edit.param_list("exception_renames"):
                old, _, new = pair.partition("=")
                if old.strip() and new.strip():
                    renames[old.strip()] = new.strip()
            library = library or edit.param.get("exception_library", "")
        return cls(modules, renames, library or "the installed library")

    def lookup(self, qualified: str) -> tuple[str, str] | None:
        """(module, name) when `qualified` is an attribute of one of the modules."""
        module, _, name = qualified.rpartition(".")
        return (module, name) if module in self.modules else None

    def exists(self, module: str, name: str) -> bool:
        return name in self.modules.get(module, frozenset())


def renamed(
    module: cst.Module, qualified: QualifiedNames, names: ExceptionNames
) -> dict[int, cst.CSTNode]:
    """Replacements, by the original node's id, for every use of an old name in the module:
    `jwt.ExpiredSignature` -> `jwt.ExpiredSignatureError`; `from jwt import ExpiredSignature`
    -> `from jwt import ExpiredSignatureError as ExpiredSignature` (its uses stay valid)."""
    out: dict[int, cst.CSTNode] = {}
    if not names.renames:
        return out
    for node in _nodes(module, cst.Attribute):
        new = _new_name(qualified(node), names)
        if new is not None:
            out[id(node)] = node.with_changes(attr=cst.Name(new))
    return out


def renamed_imports(module: cst.Module, names: ExceptionNames) -> dict[int, cst.CSTNode]:
    """`from jwt import ExpiredSignature` and the like, by the original alias's id."""
    out: dict[int, cst.CSTNode] = {}
    if not names.renames:
        return out
    for statement in _nodes(module, cst.ImportFrom):
        if statement.relative or statement.module is None:
            continue
        source = cst.Module(body=()).code_for_node(statement.module)
        if source not in names.modules or isinstance(statement.names, cst.ImportStar):
            continue
        for alias in statement.names:
            old = alias.evaluated_name
            new = names.renames.get(old)
            if new is None or names.exists(source, old):
                continue
            asname = alias.asname or cst.AsName(name=cst.Name(old))
            out[id(alias)] = alias.with_changes(name=cst.Name(new), asname=asname)
    return out


def check_handlers(
    handlers: Sequence[cst.ExceptHandler], qualified: QualifiedNames, names: ExceptionNames
) -> None:
    """SiteUnsafe when an `except` around the site names an exception of the library that
    neither exists in the installed version nor has a rename."""
    for handler in handlers:
        if handler.type is None:
            continue
        types = (
            [element.value for element in handler.type.elements]
            if isinstance(handler.type, cst.Tuple)
            else [handler.type]
        )
        for expression in types:
            for qname in qualified(expression):
                found = names.lookup(qname.name)
                if found is None:
                    continue
                module, name = found
                if names.exists(module, name) or name in names.renames:
                    continue
                code = cst.Module(body=()).code_for_node(expression)
                raise SiteUnsafe(
                    f"`except {code}`: {module}.{name} does not exist in {names.library}, "
                    "which the migration installs; catch an exception it has"
                )


def _new_name(qnames: set[QualifiedName], names: ExceptionNames) -> str | None:
    for qname in qnames:
        found = names.lookup(qname.name)
        if found is None:
            continue
        module, name = found
        if name in names.renames and not names.exists(module, name):
            return names.renames[name]
    return None


def _nodes(module: cst.Module, kind: type) -> list:
    """Every node of `kind` in the module."""
    found: list = []

    class _Finder(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, kind):
                found.append(node)
            return True

    module.visit(_Finder())
    return found
