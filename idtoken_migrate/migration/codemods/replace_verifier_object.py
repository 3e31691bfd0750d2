"""`replace-verifier-object`: a verifier object's `tv.verify(token)` becomes `verify_token(token)`.

Object verifiers (auth0-python's `TokenVerifier`, okta-jwt-verifier's `IDTokenVerifier`,
`JWTVerifier` / `BaseJWTVerifier`) are built once and called later. The site is either the
construction (`tv = TokenVerifier(...)`: every `tv.verify(...)` is migrated) or one method call
(`await v.verify_id_token(token)`: that call is). `await`, `asyncio.run(...)` and
`loop.run_until_complete(...)` around the call go with it: `verify_token` is synchronous and
returns the claims. The construction, and the signature verifier objects that only fed it, are
removed once nothing else uses them. A constructed object that escapes (imported by another
module, passed as an argument, stored on another object, assigned more than once) is refused
with the reason: its other users would keep verifying ID tokens.

Rule params (pack `fix: params:`, comma-separated): `methods` (the verifying methods),
`signature_verifiers` (qualified names of helper objects removed with the construction),
`refuse_keywords` (arguments of the call the generated verifier has no equivalent for),
`unsupported_modules` (an old API whose sites are refused: `auth0.v3`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import (
    GlobalScope,
    QualifiedNameProvider,
    Scope,
)

from idtoken_migrate.migration.codemods import Migrated, SiteEdit, SiteUnsafe, register
from idtoken_migrate.migration.codemods.legacy_exceptions import (
    ExceptionNames,
    QualifiedNames,
    check_handlers,
)
from idtoken_migrate.migration.codemods.replace_verify_call import (
    _callee_name,
    _Descendants,
    _Edit,
    _is_false,
    _names,
    _ReplaceVerifyCall,
    _Site,
    enclosing_handlers,
    handlers_catch,
    run_command,
)

_DEFAULT_METHODS = ("verify", "verify_id_token")
# Calls that run a coroutine to completion: the synchronous verify_token replaces them whole.
_RUNNERS = frozenset({"run", "run_until_complete"})


@register("replace-verifier-object")
def replace_verifier_object(source: bytes, edits: Sequence[SiteEdit]) -> Migrated:
    """The file with every site of `edits` migrated in one pass, or SiteUnsafe with the reason
    (and nothing edited)."""
    return run_command(_ReplaceVerifierObject, source, edits)


@dataclass
class _Binding:
    """Where a verifier object is bound: `name = Ctor(...)` as one statement of `scope` (no
    name and no statement for `Ctor(...).verify(token)`: only what fed the call can go)."""

    name: str
    scope: Scope
    statement: cst.SimpleStatementLine | None
    value: cst.BaseExpression
    must_go: bool  # the site is the construction: every use must be migrated
    calls: list[cst.Call] = field(default_factory=list)


class _ReplaceVerifierObject(_ReplaceVerifyCall):
    DESCRIPTION = "Replace a verifier object's verify calls with the generated verifier."

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        positions, parents, scopes = self.resolved()
        module_scope = scopes.get(tree)

        def qualified(node: cst.CSTNode) -> set:
            return self.get_metadata(QualifiedNameProvider, node, set())

        names = ExceptionNames.from_edits(self.edits)
        verify_name = self._import_name(module_scope)
        replace: dict[int, cst.CSTNode] = {}
        replaced: list[cst.CSTNode] = []
        remove: list[cst.CSTNode] = []
        bindings: dict[int, _Binding] = {}
        for edit in self.edits:
            _check_version(edit)
            site = _Site(edit, tree, positions, parents, scopes)
            calls, binding = _resolve(site, edit)
            if binding is not None:
                known = bindings.setdefault(id(binding.statement or binding.value), binding)
                known.must_go = known.must_go or binding.must_go
                known.calls += [c for c in calls if c not in known.calls]
            for call in calls:
                outer = _outermost(call, parents)
                _check_call(call, edit)
                handlers = enclosing_handlers(outer, parents)
                check_handlers(handlers, qualified, names)
                caught = [_dotted(t) for h in handlers for t in _types(h)]
                if handlers and not handlers_catch(caught, edit):
                    raise SiteUnsafe(
                        f"the surrounding `except {', '.join(caught) or ':'}` at line "
                        f"{_line(call, positions)} would not catch the verifier's TokenRejected "
                        "(a rejected token would become a 500)"
                    )
                new = cst.Call(func=cst.Name(verify_name), args=[_token_arg(call, edit)])
                if isinstance(outer, cst.Await):
                    new = new.with_changes(lpar=outer.lpar, rpar=outer.rpar)
                replace[id(outer)] = new
                replaced.append(outer)
                self._schedule_import_removal(module_scope, outer)
        gone = _Descendants()
        for node in replaced:
            node.visit(gone)
        for binding in bindings.values():
            removed = _removals(binding, gone, parents, self.edits, qualified, positions)
            remove += removed
            for node in removed:
                self._schedule_import_removal(module_scope, node)
        verifier = self.edit.verifier
        alias = "" if verify_name == verifier.name else f" as {verify_name}"
        statement = cst.parse_statement(f"{verifier.statement}{alias}\n")
        assert isinstance(statement, cst.SimpleStatementLine)
        self.import_statement = statement
        return tree.visit(_Edit(replace, {id(n) for n in remove}, parents))

    def transform_module(self, tree: cst.Module) -> cst.Module:
        return super().transform_module(tree).visit(_TidyImports(_import_counts(tree)))


def _resolve(site: _Site, edit: SiteEdit) -> tuple[list[cst.Call], _Binding | None]:
    """The verify calls this site migrates, and the binding of the object they are called on."""
    call = site.call
    methods = set(edit.param_list("methods", _DEFAULT_METHODS))
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in methods:
        return [call], _method_receiver(site, func.value)
    parent = site.parents.get(call)
    if isinstance(parent, cst.Attribute) and parent.value is call:  # TokenVerifier(...).verify(t)
        outer = site.parents.get(parent)
        if parent.attr.value in methods and isinstance(outer, cst.Call) and outer.func is parent:
            scope = site.scopes.get(call)
            assert scope is not None
            return [outer], _Binding("", scope, None, call, must_go=False)
    binding = _construction(site, call)
    binding.calls = _uses(binding, methods, site, edit)
    return binding.calls, binding


def _construction(site: _Site, call: cst.Call) -> _Binding:
    parents = site.parents
    parent = parents.get(call)
    if isinstance(parent, cst.Arg):
        raise SiteUnsafe(
            f"the {_callee_name(call.func)} object is passed as an argument; its receiver would "
            "keep verifying ID tokens"
        )
    if not isinstance(parent, cst.Assign) or parent.value is not call:
        raise SiteUnsafe(
            f"the {_callee_name(call.func)} object is not assigned to a name; cannot follow it"
        )
    statement = parents.get(parent)
    target = parent.targets[0].target if len(parent.targets) == 1 else None
    if isinstance(target, (cst.Attribute, cst.Subscript)):
        where = cst.Module(body=()).code_for_node(target)
        raise SiteUnsafe(
            f"the {_callee_name(call.func)} object is stored on another object (`{where}`); "
            "its users cannot be followed"
        )
    if not isinstance(target, cst.Name) or not isinstance(statement, cst.SimpleStatementLine):
        raise SiteUnsafe(f"the {_callee_name(call.func)} object is not bound to one name")
    scope = site.scopes.get(call)
    assert scope is not None
    assignments = list(scope.assignments[target.value])
    if len(assignments) != 1 or len(statement.body) != 1:
        raise SiteUnsafe(
            f"`{target.value}` is assigned {len(assignments)} times; which verifier a call uses "
            "cannot be told statically"
        )
    return _Binding(target.value, scope, statement, call, must_go=True)


def _method_receiver(site: _Site, receiver: cst.BaseExpression) -> _Binding | None:
    """The object's binding when it is a plain name assigned once from a call in this module;
    None otherwise (the call is migrated, the object left where it is)."""
    if not isinstance(receiver, cst.Name):
        return None
    scope = site.scopes.get(receiver)
    if scope is None or receiver.value not in scope:
        return None
    assignments = list(scope[receiver.value])
    if len(assignments) != 1:
        return None
    node = getattr(assignments[0], "node", None)
    assign = site.parents.get(site.parents.get(node)) if node is not None else None
    statement = site.parents.get(assign) if assign is not None else None
    if (
        not isinstance(assign, cst.Assign)
        or len(assign.targets) != 1
        or assign.targets[0].target is not node
        or not isinstance(assign.value, cst.Call)
        or not isinstance(statement, cst.SimpleStatementLine)
        or len(statement.body) != 1
    ):
        return None
    owner = site.scopes.get(assign.value)
    assert owner is not None
    return _Binding(receiver.value, owner, statement, assign.value, must_go=False)


def _uses(binding: _Binding, methods: set[str], site: _Site, edit: SiteEdit) -> list[cst.Call]:
    """Every `name.<method>(...)` of the object; SiteUnsafe for any other use of it."""
    escape = edit.importers.get(binding.name) if isinstance(binding.scope, GlobalScope) else None
    if escape:
        raise SiteUnsafe(
            f"`{binding.name}` is imported by {escape}; migrate that module's use first or "
            "replace the object there too"
        )
    calls: list[cst.Call] = []
    for assignment in binding.scope.assignments[binding.name]:
        for access in assignment.references:
            node = access.node
            attribute = site.parents.get(node)
            call = site.parents.get(attribute)
            if (
                isinstance(attribute, cst.Attribute)
                and attribute.value is node
                and attribute.attr.value in methods
                and isinstance(call, cst.Call)
                and call.func is attribute
            ):
                calls.append(call)
                continue
            raise SiteUnsafe(f"`{binding.name}` {_use(attribute)}; its users cannot be followed")
    return calls


def _use(parent: cst.CSTNode | None) -> str:
    if isinstance(parent, cst.Arg):
        return "is passed as an argument"
    if isinstance(parent, cst.Attribute):
        return (
            f"is used as `.{parent.attr.value}`, which the generated verifier has no equivalent for"
        )
    if isinstance(parent, (cst.Assign, cst.AnnAssign)):
        return "is stored under another name or on another object"
    if isinstance(parent, cst.Return):
        return "is returned"
    return "is used otherwise than by its verify method"


def _check_version(edit: SiteEdit) -> None:
    """SiteUnsafe for a library version the generated verifier cannot stand in for: its
    TokenRejected subclasses the current version's error, which the old one does not have."""
    qualname = edit.finding.facts.qualname or ""
    for prefix in edit.param_list("unsupported_modules"):
        if qualname.startswith(prefix + "."):
            raise SiteUnsafe(
                f"{qualname} is the library's old API ({prefix}); the generated verifier's "
                f"errors subclass the current one's: upgrade {edit.finding.library or 'it'} first"
            )


def _check_call(call: cst.Call, edit: SiteEdit) -> None:
    refused = set(edit.param_list("refuse_keywords"))
    for arg in call.args:
        if arg.star:
            raise SiteUnsafe("the verify call unpacks its arguments; cannot tell what is checked")
        keyword = arg.keyword.value if arg.keyword else ""
        if keyword in refused and not _is_false(arg.value):
            raise SiteUnsafe(
                f"`{keyword}=` is passed to {_callee_name(call.func)}(); the generated verifier "
                "does not check it"
            )


def _token_arg(call: cst.Call, edit: SiteEdit) -> cst.Arg:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in ("token", *edit.token_keywords):
            return cst.Arg(value=arg.value)
    positional = [a for a in call.args if a.keyword is None]
    if not positional:
        raise SiteUnsafe("cannot tell which argument is the token")
    return cst.Arg(value=positional[0].value)


def _outermost(call: cst.Call, parents: dict) -> cst.BaseExpression:
    """`await call`, `asyncio.run(call)` or `loop.run_until_complete(call)` when the call is
    wrapped so; else the call."""
    parent = parents.get(call)
    if isinstance(parent, cst.Await):
        return parent
    if isinstance(parent, cst.Arg) and parent.keyword is None:
        runner = parents.get(parent)
        if (
            isinstance(runner, cst.Call)
            and len(runner.args) == 1
            and _callee_name(runner.func) in _RUNNERS
        ):
            return runner
    return call


def _types(handler: cst.ExceptHandler) -> list[cst.BaseExpression]:
    if handler.type is None:
        return [cst.Name("BaseException")]
    if isinstance(handler.type, cst.Tuple):
        return [element.value for element in handler.type.elements]
    return [handler.type]


def _dotted(node: cst.BaseExpression) -> str:
    return cst.Module(body=()).code_for_node(node)


def _line(node: cst.CSTNode, positions: dict) -> int:
    return positions[node].start.line


def _removals(
    binding: _Binding,
    gone: _Descendants,
    parents: dict,
    edits: Sequence[SiteEdit],
    qualified: QualifiedNames,
    positions: dict,
) -> list[cst.CSTNode]:
    """The construction, when every use of the object is migrated, and the signature verifier
    objects (and, in a function, other locals) that only fed it."""
    live = [
        access.node
        for assignment in (binding.scope.assignments[binding.name] if binding.name else ())
        for access in assignment.references
        if id(access.node) not in gone.ids
    ]
    if live:
        if binding.must_go:  # _uses refused these already; defensive
            raise SiteUnsafe(f"`{binding.name}` is still used at line {_line(live[0], positions)}")
        return []
    if isinstance(binding.scope, GlobalScope) and any(
        binding.name in edit.importers for edit in edits
    ):
        return []
    removed: list[cst.CSTNode] = []
    if binding.statement is not None:
        removed.append(binding.statement)
        binding.statement.visit(gone)
    helpers = {q for edit in edits for q in edit.param_list("signature_verifiers")}
    candidates = list(_names(binding.value))
    seen: set[str] = set()
    while candidates:
        name = candidates.pop()
        if name in seen or name not in binding.scope.assignments:
            continue
        seen.add(name)
        assignments = list(binding.scope.assignments[name])
        if len(assignments) != 1:
            continue
        target = getattr(assignments[0], "node", None)
        assign = parents.get(parents.get(target)) if target is not None else None
        statement = parents.get(assign) if assign is not None else None
        if (
            not isinstance(assign, cst.Assign)
            or len(assign.targets) != 1
            or assign.targets[0].target is not target
            or not isinstance(statement, cst.SimpleStatementLine)
            or len(statement.body) != 1
        ):
            continue
        if any(id(a.node) not in gone.ids for a in assignments[0].references):
            continue
        if isinstance(binding.scope, GlobalScope):
            # module level: only the library's helper objects, never a setting others may read
            value = assign.value
            names = (
                {q.name for q in qualified(value.func)} if isinstance(value, cst.Call) else set()
            )
            if not names & helpers or any(name in e.importers for e in edits):
                continue
        removed.append(statement)
        statement.visit(gone)
        candidates += _names(assign.value)
    return removed


class _TidyImports(cst.CSTTransformer):
    """A parenthesised `from m import (...)` the removal shortened: one name left goes on one
    line, more keep a trailing comma before the closing parenthesis."""

    def __init__(self, before: dict[str, int]) -> None:
        self.before = before

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        names = updated_node.names
        if updated_node.lpar is None or isinstance(names, cst.ImportStar):
            return updated_node
        if len(names) >= self.before.get(_import_key(original_node), 0):
            return updated_node
        if len(names) == 1:
            alias = names[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            return updated_node.with_changes(names=[alias], lpar=None, rpar=None)
        last = names[-1].with_changes(
            comma=cst.Comma(whitespace_after=names[0].comma.whitespace_after)
            if isinstance(names[0].comma, cst.Comma)
            else cst.MaybeSentinel.DEFAULT
        )
        return updated_node.with_changes(names=[*names[:-1], last])


def _import_key(node: cst.ImportFrom) -> str:
    module = cst.Module(body=()).code_for_node(node.module) if node.module else ""
    return "." * len(node.relative) + module


def _import_counts(tree: cst.Module) -> dict[str, int]:
    counts: dict[str, int] = {}
    for statement in tree.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.ImportFrom) and not isinstance(
                    small.names, cst.ImportStar
                ):
                    key = _import_key(small)
                    counts[key] = max(counts.get(key, 0), len(small.names))
    return counts
