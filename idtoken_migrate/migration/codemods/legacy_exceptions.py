"""Exception names a patched file keeps catching must exist in the library the migration installs.

Code written for PyJWT 1.x catches aliases PyJWT 2 dropped (`except jwt.ExpiredSignature:`).
Under the PyJWT >= 2.13 the verifier needs, evaluating that clause raises AttributeError, so every
rejected token would become a 500. The library's rule pack says which names exist, per module
(`library: exceptions:`), which old names become which (`library: renames:`) and which version
that describes (`library: installs:`); a rule's `fix: params:` can still add to them
(`exceptions.<module>: Name, ...`, `exception_renames: Old=New, ...`, `exception_library`). The
codemod rewrites the old names everywhere in the file and refuses the site when a handler around it
names anything else that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import (
    ParentNodeProvider,
    PositionProvider,
    QualifiedName,
    QualifiedNameProvider,
)

from idtoken_migrate.migration.codemods import SiteEdit, SiteUnsafe
from idtoken_migrate.migration.codemods.parsed import all_nodes, parsed

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
            facts = edit.library
            if facts is not None:
                for module, found in facts.exceptions:
                    modules[module] = modules.get(module, frozenset()) | found
                renames.update(facts.renames)
                library = library or facts.installs
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


def _nodes(tree: cst.CSTNode, kind: type) -> list:
    """Every node of `kind` in `tree`, in source order."""
    return [node for node in all_nodes(tree) if isinstance(node, kind)]


@dataclass(frozen=True)
class Handler:
    """One `except` clause around a site, as the plan describes it."""

    caught: tuple[str, ...]  # qualified names, old aliases renamed ("jwt.ExpiredSignatureError")
    code: str  # the clause's types as written
    line: int
    answer: str  # "401" (the status the branch answers), "raises AuthError", "re-raised", ...


_HTTP_NAME = re.compile(r"HTTP_([45]\d\d)(?:_|$)")  # status.HTTP_401_UNAUTHORIZED


def site_handlers(source: bytes, line: int, column: int, names: ExceptionNames) -> list[Handler]:
    """The `except` clauses of every `try` around the call at `line`:`column` (1-based), innermost
    first, in its function; [] when the file does not parse or the call is not there."""
    try:
        wrapper = parsed(source)
    except cst.ParserSyntaxError:
        return []
    positions = wrapper.resolve(PositionProvider)
    parents = wrapper.resolve(ParentNodeProvider)
    qualified = wrapper.resolve(QualifiedNameProvider)
    call = next(
        (
            node
            for node, where in positions.items()
            if isinstance(node, cst.Call)
            and (where.start.line, where.start.column + 1) == (line, column)
        ),
        None,
    )
    found: list[Handler] = []
    node: cst.CSTNode | None = call
    while node is not None and not isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        parent = parents.get(node)
        if isinstance(parent, cst.Try) and node is parent.body:
            for handler in parent.handlers:
                found.append(_describe(handler, positions, qualified, names))
        node = parent
    return found


def _describe(
    handler: cst.ExceptHandler,
    positions: Mapping[cst.CSTNode, object],
    qualified: Mapping[cst.CSTNode, object],
    names: ExceptionNames,
) -> Handler:
    empty = cst.Module(body=())
    if handler.type is None:
        types: list[cst.BaseExpression] = []
    elif isinstance(handler.type, cst.Tuple):
        types = [element.value for element in handler.type.elements]
    else:
        types = [handler.type]
    caught: list[str] = []
    for expression in types:
        for qname in _names_of(qualified.get(expression)):
            caught.append(_current(qname, names))
    if handler.type is None:
        caught.append("BaseException")
    return Handler(
        tuple(dict.fromkeys(caught)),
        empty.code_for_node(handler.type) if handler.type is not None else "",
        positions[handler].start.line,  # type: ignore[attr-defined]
        _answer(handler.body),
    )


def _names_of(value: object) -> list[str]:
    if callable(value):  # QualifiedNameProvider's values load lazily
        value = value()
    return [q.name for q in value] if isinstance(value, (set, frozenset, list)) else []


def _current(qualified: str, names: ExceptionNames) -> str:
    qualified = qualified.removeprefix("builtins.")
    found = names.lookup(qualified)
    if found is not None and found[1] in names.renames and not names.exists(*found):
        return f"{found[0]}.{names.renames[found[1]]}"
    return qualified


def _answer(body: cst.BaseSuite) -> str:
    """The HTTP status the branch answers, when it names one; else what it does."""
    for node in _nodes(body, cst.CSTNode):
        if isinstance(node, cst.Integer) and 400 <= int(node.evaluated_value) <= 599:
            return str(node.evaluated_value)
        if isinstance(node, cst.Name) and _HTTP_NAME.search(node.value):
            return _HTTP_NAME.search(node.value).group(1)  # type: ignore[union-attr]
    for node in _nodes(body, cst.Raise):
        if node.exc is None:
            return "re-raised"
        target = node.exc.func if isinstance(node.exc, cst.Call) else node.exc
        return "raises " + cst.Module(body=()).code_for_node(target)
    return "handled"
