"""`replace-verify-call`: `jwt.decode(token, SECRET, ...)` becomes `verify_token(token)`.

The call's result stays where it was, so the surrounding code and its `except` clauses keep
working: the generated TokenRejected subclasses the legacy library's error. Also removed: the
code that only fed the old call, transitively (`feeders.py`: the header parsed for its kid, a
JWKS fetched, the key looked up, built or formatted, the helpers doing it, their guards; what
something else uses stays and the plan reports it; a `try` left with nothing to try goes),
checks of ID-token-only claims on the result (`claims["token_use"] != "id"`: the verifier now
decides the token kind), result methods the old library needed (`claims.validate()`), and the
imports that left unused. Rule params (pack `fix: params:`): `drop_result_calls` and
`kind_claims`, comma-separated.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import libcst as cst
from libcst.codemod import Codemod, CodemodCommand, CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import (
    GlobalScope,
    ImportAssignment,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
    Scope,
    ScopeProvider,
)

from idtoken_migrate.migration.codemods import Migrated, SiteEdit, SiteUnsafe, register
from idtoken_migrate.migration.codemods.feeders import feeding_chain, only_exits
from idtoken_migrate.migration.codemods.imports import add_import
from idtoken_migrate.migration.codemods.legacy_exceptions import (
    ExceptionNames,
    check_handlers,
    renamed,
    renamed_imports,
)
from idtoken_migrate.migration.codemods.parsed import parsed

_ALWAYS_CATCHING = frozenset({"Exception", "BaseException"})
# What code may still do with the verified claims: they are a plain dict now.
_DICT_ATTRIBUTES = frozenset(
    {"get", "keys", "items", "values", "copy", "setdefault", "pop", "update", "__getitem__"}
)
DEFAULT_KIND_CLAIMS: tuple[str, ...] = ("token_use", "typ")
_UNSAFE_KEYWORDS = {"complete": "complete=True returns the header and signature too"}


@register("replace-verify-call")
def replace_verify_call(source: bytes, edits: Sequence[SiteEdit]) -> Migrated:
    """The file with every site of `edits` (all in this file, located in `source` as scanned)
    migrated in one pass, and what fed the old calls but stays because something else uses it;
    raises SiteUnsafe instead of guessing, and then edits nothing."""
    return run_command(_ReplaceVerifyCall, source, edits)


def run_command(
    command: type[_ReplaceVerifyCall], source: bytes, edits: Sequence[SiteEdit]
) -> Migrated:
    """`source` transformed by `command(context, edits)`, with what the command kept: the body
    of every codemod of this package built on `_ReplaceVerifyCall` (SiteUnsafe when the file
    does not parse)."""
    if not edits:
        return Migrated(source)
    try:
        wrapper = parsed(source)
    except cst.ParserSyntaxError as error:
        raise SiteUnsafe(f"the file does not parse: {error.message}") from None
    context = CodemodContext(
        filename=edits[0].finding.path,
        full_module_name=_module_name(edits[0]),
        full_package_name=None,
    )
    transformer = command(context, edits)
    transformer.wrapper = wrapper
    after = transformer.transform_module(wrapper.module).bytes
    return Migrated(after, tuple(transformer.kept))


def handlers_catch(handlers: Sequence[str], edit: SiteEdit) -> bool:
    """Whether one of the `except` names catches the TokenRejected the edit's verifier raises
    (`edit.catching`: what its libraries' packs say catches it)."""
    catching = _ALWAYS_CATCHING | edit.catching
    return any(name.rsplit(".", 1)[-1] in catching for name in handlers)


def enclosing_handlers(node: cst.CSTNode, parents: dict) -> list[cst.ExceptHandler]:
    """The `except` clauses of every `try` around `node`, innermost first, in its function."""
    found: list[cst.ExceptHandler] = []
    parent = parents.get(node)
    while parent is not None and not isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        if isinstance(parent, cst.Try) and node is parent.body:
            found += parent.handlers
        node, parent = parent, parents.get(parent)
    return found


def _module_name(edit: SiteEdit) -> str:
    stem = edit.finding.path.rsplit("/", 1)[-1].removesuffix(".py")
    return f"{edit.package}.{stem}" if edit.package else stem


class _ReplaceVerifyCall(CodemodCommand):
    DESCRIPTION = "Replace an ID-token verification call with the generated verifier."
    METADATA_DEPENDENCIES = (
        PositionProvider,
        ParentNodeProvider,
        ScopeProvider,
        QualifiedNameProvider,
    )

    def __init__(self, context: CodemodContext, edits: Sequence[SiteEdit]) -> None:
        super().__init__(context)
        self.edits = edits
        self.edit = edits[0]  # they share the verifier import: one file, one project
        self.import_statement: cst.SimpleStatementLine | None = None
        self.kept: list[str] = []
        self.wrapper: MetadataWrapper | None = None  # the source's, shared (`parsed.py`)

    @contextmanager
    def _handle_metadata_reference(self, module: cst.Module) -> Iterator[cst.Module]:
        """libcst's (Codemod.transform_module calls it around transform_module_impl), with the
        source's shared wrapper instead of a copy of the tree resolved anew on every run."""
        if self.wrapper is None or module is not self.wrapper.module:
            with super()._handle_metadata_reference(module) as tree:
                yield tree
            return
        previous = self.context.wrapper
        with self.resolve(self.wrapper):
            self.context = replace(self.context, wrapper=self.wrapper)
            try:
                yield self.wrapper.module
            finally:
                self.context = replace(self.context, wrapper=previous)

    def _instantiate_and_run(self, transform: type[Codemod], tree: cst.Module) -> cst.Module:
        """libcst's (CodemodCommand.transform_module runs Add/RemoveImportsVisitor through it
        on the edited tree), skipping RemoveImportsVisitor (a copy, a scope analysis and four
        walks of the tree) when it would remove nothing: every import scheduled for removal is
        still read by a node the edit left in place."""
        if transform is RemoveImportsVisitor and self._removals_all_read(tree):
            return tree
        return super()._instantiate_and_run(transform, tree)

    def _removals_all_read(self, edited: cst.Module) -> bool:
        wrapper = self.wrapper
        if wrapper is None or AddImportsVisitor.CONTEXT_KEY in self.context.scratch:
            return False  # an added import could shadow one
        scopes = wrapper.resolve(ScopeProvider)
        module_scope = scopes.get(wrapper.module)
        if module_scope is None:
            return False
        declared: set[str] = set()  # `global x` / `nonlocal x`: a removed one could rebind x
        for node in wrapper.resolve(PositionProvider):
            if (
                isinstance(node, (cst.Import, cst.ImportFrom))
                and scopes.get(node) is not module_scope
            ):
                return False  # RemoveImportsVisitor would judge nested imports too
            if isinstance(node, (cst.Global, cst.Nonlocal)):
                declared |= {item.name.value for item in node.names}
        left = _Descendants()
        edited.visit(left)
        for module, obj, asname in self.context.scratch[RemoveImportsVisitor.CONTEXT_KEY]:
            names = _bound_names(module, obj, asname)
            if not any(
                name not in declared
                and name in module_scope
                and any(
                    isinstance(assignment, ImportAssignment)
                    and any(id(access.node) in left.ids for access in assignment.references)
                    for assignment in module_scope[name]
                )
                for name in names
            ):
                return False
        return True

    def resolved(self) -> tuple[Any, Any, Any]:
        """The positions, parents and scopes of the module being transformed."""
        wrapper = self.context.wrapper
        assert wrapper is not None
        return (
            wrapper.resolve(PositionProvider),
            wrapper.resolve(ParentNodeProvider),
            wrapper.resolve(ScopeProvider),
        )

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        positions, parents, scopes = self.resolved()

        def qualified(node: cst.CSTNode) -> set:
            return self.get_metadata(QualifiedNameProvider, node, set())

        exception_names = ExceptionNames.from_edits(self.edits)
        name = self._import_name(scopes.get(tree))
        # Old exception names (PyJWT 1.x aliases) become the ones the installed library has.
        replace: dict[int, cst.CSTNode] = {
            **renamed(tree, qualified, exception_names),
            **renamed_imports(tree, exception_names),
        }
        remove: set[int] = set()
        for edit in self.edits:
            site = _Site(edit, tree, positions, parents, scopes)
            check_handlers(site.handlers(), qualified, exception_names)
            removed = site.plan_removals()
            self.kept += site.kept
            replacement = cst.Call(func=cst.Name(name), args=[site.token_arg()])
            if isinstance(site.replaced, cst.Await):
                replacement = replacement.with_changes(
                    lpar=site.replaced.lpar, rpar=site.replaced.rpar
                )
            for node in (site.call, *removed):
                self._schedule_import_removal(scopes.get(tree), node)
            replace[id(site.replaced)] = replacement
            remove |= {id(n) for n in removed}
        verifier = self.edit.verifier
        alias = "" if name == verifier.name else f" as {name}"
        statement = cst.parse_statement(f"{verifier.statement}{alias}\n")
        assert isinstance(statement, cst.SimpleStatementLine)
        self.import_statement = statement
        return tree.visit(_Edit(replace, remove, parents))

    def transform_module(self, tree: cst.Module) -> cst.Module:
        """The edit, the unused imports removed, then the verifier's import placed (last, so
        that the blank lines between import sections stay right)."""
        edited = super().transform_module(tree)
        assert self.import_statement is not None
        return add_import(edited, self.import_statement, self.edit.first_party)

    def _schedule_import_removal(self, module_scope: Scope | None, node: cst.CSTNode) -> None:
        """Imports that `node` used: RemoveImportsVisitor drops those left unused. (What
        remove_unused_import_by_node does, without a matcher visitor per node: much faster.)"""
        if module_scope is None:
            return
        for name in set(_names(node)):
            if name not in module_scope:
                continue
            for assignment in module_scope[name]:
                statement = getattr(assignment, "node", None)
                if isinstance(statement, (cst.Import, cst.ImportFrom)):
                    self._schedule_alias(statement, name)

    def _schedule_alias(self, statement: cst.Import | cst.ImportFrom, name: str) -> None:
        if isinstance(statement.names, cst.ImportStar):
            return
        for alias in statement.names:
            bound = alias.evaluated_alias or alias.evaluated_name
            if isinstance(statement, cst.Import):
                if bound.split(".")[0] == name:
                    RemoveImportsVisitor.remove_unused_import(
                        self.context, alias.evaluated_name, asname=alias.evaluated_alias
                    )
            elif bound == name and not statement.relative and statement.module is not None:
                module = cst.Module(body=()).code_for_node(statement.module)
                RemoveImportsVisitor.remove_unused_import(
                    self.context, module, obj=alias.evaluated_name, asname=alias.evaluated_alias
                )

    def _import_name(self, module_scope: Scope | None) -> str:
        """`verify_token`, unless the module already binds that name to something else."""
        wanted = self.edit.verifier.name
        if module_scope is None or wanted not in module_scope:
            return wanted
        for assignment in module_scope[wanted]:
            node = getattr(assignment, "node", None)
            if isinstance(node, cst.ImportFrom) and _import_module(node) == (
                self.edit.verifier.module,
                self.edit.verifier.relative,
            ):
                continue
            return "idtoken_migrate_verify_token"
        return wanted


def _bound_names(module: str, obj: str | None, asname: str | None) -> list[str]:
    """The names a scheduled removal's import binds, as RemoveImportsVisitor judges their use:
    `import a.b` binds `a.b` and `a`."""
    if asname or obj:
        return [asname or obj or ""]
    dotted = module.split(".")
    return [".".join(dotted[:end]) for end in range(len(dotted), 0, -1)]


def _import_module(node: cst.ImportFrom) -> tuple[str, int]:
    module = cst.Module(body=()).code_for_node(node.module) if node.module else ""
    return module, len(node.relative)


class _Site:
    """The located call and what its removal takes with it."""

    def __init__(
        self,
        edit: SiteEdit,
        tree: cst.Module,
        positions: dict,
        parents: dict,
        scopes: dict,
    ) -> None:
        self.edit = edit
        self.tree = tree
        self.parents = parents
        self.scopes = scopes
        self.call = self._locate(positions)
        parent = parents.get(self.call)
        self.replaced: cst.BaseExpression = parent if isinstance(parent, cst.Await) else self.call
        self.statement = self._ancestor(self.replaced, cst.SimpleStatementLine)
        self.function = self._ancestor(self.replaced, cst.FunctionDef)
        self.scope = scopes.get(self.call)
        self.positions = positions
        self.kept: list[str] = []

    # --- locating ---------------------------------------------------------------------------

    def _locate(self, positions: dict) -> cst.Call:
        finding = self.edit.finding
        start = (finding.line, finding.column - 1)
        end = (finding.end_line, finding.end_column - 1)
        candidates = [
            (node, rng)
            for node, rng in positions.items()
            if isinstance(node, cst.Call) and (rng.start.line, rng.start.column) == start
        ]
        exact = [n for n, r in candidates if (r.end.line, r.end.column) == end]
        if exact:
            call = exact[0]
        elif candidates:  # the innermost call starting there: `jwt.decode(...)` of a chain
            call = min(candidates, key=lambda c: (c[1].end.line, c[1].end.column))[0]
        else:
            raise SiteUnsafe(f"no call at line {finding.line}, column {finding.column}; scan again")
        expected = (finding.facts.qualname or "").rsplit(".", 1)[-1]
        actual = _callee_name(call.func)
        if expected and actual != expected:
            raise SiteUnsafe(f"the call at line {finding.line} is {actual}(), not {expected}()")
        return call

    def _ancestor(self, node: cst.CSTNode, kind: type) -> cst.CSTNode | None:
        current = self.parents.get(node)
        while current is not None and not isinstance(current, kind):
            current = self.parents.get(current)
        return current

    def handlers(self) -> list[cst.ExceptHandler]:
        """The `except` clauses of every `try` around the call, innermost first, in its function."""
        return enclosing_handlers(self.replaced, self.parents)

    def token_arg(self) -> cst.Arg:
        positional = [a for a in self.call.args if a.keyword is None and not a.star]
        for arg in self.call.args:
            if arg.keyword is not None and arg.keyword.value in self.edit.token_keywords:
                return cst.Arg(value=arg.value)
        for index in self.edit.token_positions:
            if index < len(positional):
                return cst.Arg(value=positional[index].value)
        raise SiteUnsafe("cannot tell which argument is the token")

    # --- safety checks and what goes with the call --------------------------------------------

    def plan_removals(self) -> list[cst.CSTNode]:
        self.token_arg()
        for arg in self.call.args:
            keyword = arg.keyword.value if arg.keyword else ""
            if keyword in _UNSAFE_KEYWORDS and not _is_false(arg.value):
                raise SiteUnsafe(f"`{keyword}=` is passed: {_UNSAFE_KEYWORDS[keyword]}")
        handlers = self.edit.finding.facts.handlers or ()
        if handlers and not handlers_catch(handlers, self.edit):
            raise SiteUnsafe(
                f"the surrounding `except {', '.join(handlers)}` would not catch the "
                "verifier's TokenRejected (a rejected token would become a 500)"
            )
        if self.statement is None:
            raise SiteUnsafe("the call is not inside a simple statement")
        removed: list[cst.CSTNode] = []
        result = self._result_name()
        if result is not None and self.function is not None:
            removed += self._result_statements(result)
        if isinstance(self.function, cst.FunctionDef) and not isinstance(self.scope, GlobalScope):
            chain = feeding_chain(
                tree=self.tree,
                parents=self.parents,
                scopes=self.scopes,
                positions=self.positions,
                function=self.function,
                call=self.replaced,
                keep=self.token_arg().value,
                removed=removed,
                used_elsewhere=self.edit.importers,
            )
            removed += chain.removed
            self.kept = chain.kept
        return removed

    def _result_name(self) -> str | None:
        assert isinstance(self.statement, cst.SimpleStatementLine)
        for small in self.statement.body:
            if isinstance(small, cst.Assign) and small.value is self.replaced:
                targets = small.targets
                if len(targets) == 1 and isinstance(targets[0].target, cst.Name):
                    return targets[0].target.value
                if any(not isinstance(t.target, (cst.Name, cst.Attribute)) for t in targets):
                    raise SiteUnsafe("the result is unpacked; verify_token returns one dict")
            if (
                isinstance(small, cst.AnnAssign)
                and small.value is self.replaced
                and isinstance(small.target, cst.Name)
            ):
                return small.target.value
        return None

    def _result_statements(self, result: str) -> list[cst.CSTNode]:
        """Result method calls to drop and ID-token kind checks to drop, in the function."""
        drop_calls = set(self.edit.param_list("drop_result_calls"))
        kind_claims = set(self.edit.param_list("kind_claims", DEFAULT_KIND_CLAIMS))
        assert self.function is not None
        found: list[cst.CSTNode] = []
        uses = _Collector(result)
        self.function.visit(uses)
        for attribute in uses.attributes:
            name = attribute.attr.value
            if name in drop_calls:
                statement = self._ancestor(attribute, cst.SimpleStatementLine)
                if not _is_bare_call_of(statement, attribute):
                    raise SiteUnsafe(f"`{result}.{name}()` is used as a value; review by hand")
                found.append(statement)
            elif name not in _DICT_ATTRIBUTES:
                raise SiteUnsafe(
                    f"the code uses `{result}.{name}`; verify_token returns a plain dict of claims"
                )
        for claim, node in uses.claim_reads:
            if claim not in kind_claims:
                continue
            check = self._ancestor(node, cst.If)
            if check is None or not _is_kind_check(check, node):
                raise SiteUnsafe(
                    f"the code reads `{claim}` to tell ID tokens apart; the verifier does that "
                    "now, review this check by hand"
                )
            found.append(check)
        return found


class _Collector(cst.CSTVisitor):
    """Attribute uses of `name` and the claims read from it (`name["x"]`, `name.get("x")`)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.attributes: list[cst.Attribute] = []
        self.claim_reads: list[tuple[str, cst.CSTNode]] = []

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value == self.name:
            self.attributes.append(node)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value == self.name
            and func.attr.value == "get"
            and node.args
            and isinstance(node.args[0].value, cst.SimpleString)
        ):
            self.claim_reads.append((node.args[0].value.evaluated_value, node))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if (
            isinstance(node.value, cst.Name)
            and node.value.value == self.name
            and len(node.slice) == 1
            and isinstance(node.slice[0].slice, cst.Index)
            and isinstance(node.slice[0].slice.value, cst.SimpleString)
        ):
            self.claim_reads.append((node.slice[0].slice.value.evaluated_value, node))


class _Descendants(cst.CSTVisitor):
    def __init__(self) -> None:
        self.ids: set[int] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.ids.add(id(node))
        return True


class _NameCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: list[str] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)  # `x.attr`: attr is not a variable
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)  # keyword names are not variables
        return False


def _names(node: cst.CSTNode) -> list[str]:
    collector = _NameCollector()
    node.visit(collector)
    return collector.names


def _callee_name(func: cst.BaseExpression) -> str:
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return ""


def _is_false(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value in ("False", "None")


def _is_bare_call_of(statement: cst.CSTNode | None, attribute: cst.Attribute) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.Call)
        and statement.body[0].value.func is attribute
    )


def _is_kind_check(check: cst.If, read: cst.CSTNode) -> bool:
    """`if claims["token_use"] != "id": raise ...`, or `if idinfo["iss"] not in ("a", "b"):
    raise ...` (Google's sample): one comparison of the claim to a string, or to a literal list,
    tuple or set of strings."""
    test = check.test
    if not (
        only_exits(check)
        and isinstance(test, cst.Comparison)
        and test.left is read
        and len(test.comparisons) == 1
    ):
        return False
    operator, comparator = test.comparisons[0].operator, test.comparisons[0].comparator
    if isinstance(operator, (cst.Equal, cst.NotEqual)):
        return isinstance(comparator, cst.SimpleString)
    return (
        isinstance(operator, (cst.In, cst.NotIn))
        and isinstance(comparator, (cst.List, cst.Tuple, cst.Set))
        and bool(comparator.elements)
        and all(isinstance(e.value, cst.SimpleString) for e in comparator.elements)
    )


class _Edit(cst.CSTTransformer):
    """Replace and remove nodes of the original tree, by identity."""

    def __init__(
        self,
        replace: dict[int, cst.CSTNode],
        remove: set[int],
        parents: Mapping[cst.CSTNode, cst.CSTNode] | None = None,
    ) -> None:
        self.replace = replace
        self.remove = remove
        # With the tree's parents: only the nodes above an edit are rebuilt, the rest of the
        # tree is kept as it is (the same nodes, which _removals_all_read relies on).
        self.above: set[int] | None = None
        if parents is not None:
            nodes = {id(node): node for node in parents}
            self.above = set()
            for key in (*replace, *remove):
                node = nodes.get(key)
                if node is None:  # not in the tree's parents (the module itself): walk it all
                    self.above = None
                    break
                while node is not None and id(node) not in self.above:
                    self.above.add(id(node))
                    node = parents.get(node)

    def on_visit(self, node: cst.CSTNode) -> bool:
        return self.above is None or id(node) in self.above

    def on_leave(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        if isinstance(original_node, cst.Try) and self._emptied(original_node.body):
            # Nothing left to try: the handlers guarded removed code; `else`/`finally` still run.
            rest = [
                *(updated_node.orelse.body.body if updated_node.orelse else ()),
                *(updated_node.finalbody.body.body if updated_node.finalbody else ()),
            ]
            return cst.FlattenSentinel(rest) if rest else cst.RemoveFromParent()
        if id(original_node) in self.replace:
            return self.replace[id(original_node)]
        if id(original_node) in self.remove:
            return cst.RemoveFromParent()
        if isinstance(updated_node, cst.IndentedBlock) and not updated_node.body:
            return updated_node.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated_node

    def _emptied(self, block: cst.BaseSuite) -> bool:
        body = block.body if isinstance(block, cst.IndentedBlock) else ()
        return bool(body) and all(id(statement) in self.remove for statement in body)
