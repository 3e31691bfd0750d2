"""The chain of code that only fed a replaced verification call, found transitively.

Real legacy verifiers surround the call with their own key machinery: the token header parsed for
its `kid`, the issuer's JWKS fetched (in the function, at import, or in a cached helper), the key
looked up by kid (`next(...)`, a `for` loop), built (`jwk.construct`, `RSAAlgorithm.from_jwk`) or
formatted (an x5c certificate wrapped in PEM lines), and guards that fail when it is missing. Once
the call is replaced, all of that is dead or, worse, still runs in front of the verifier (an
unknown kid stays the app's own error, and the verifier's key refresh is never reached).

`feeding_chain()` starts from the names the replaced call used (the token argument excepted) and
follows their bindings: local statements, `for` loops that only bind names, module-level
functions (undecorated, or behind a cache decorator) and module-level statements that compute
something (configuration read from the environment or written as a literal stays). A unit is
removed when every use of what it binds is in the replaced call or in other removed code; an `if`
that only raises or returns and tests a removed name goes with it. What something else still uses
is kept and reported with the line that uses it. Names other modules import (`used_elsewhere`,
the plan's `SiteEdit.imported_by`) and names listed in `__all__` are kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import CodeRange, GlobalScope, Scope

# Decorators that do not register a function anywhere: a helper behind one is still removable.
_CACHE_DECORATORS = frozenset({"lru_cache", "cache", "cached", "ttl_cache", "cachedmethod"})
# Calls that read configuration: a module-level value made only of these is a setting, kept.
_CONFIG_CALLS = frozenset({"getenv", "os.getenv", "config", "env", "str", "int", "bool", "float"})
_CONFIG_SUFFIXES = ("environ.get", "env.str", "env.int", "env.bool", "env.list")
# Calls that end the request by raising (werkzeug's and Flask's `abort`).
_EXIT_CALLS = frozenset({"abort"})
# Statements a removable `for`/`if` block may hold: it binds names and exits, nothing else.
_BLOCK_SMALL = (cst.Assign, cst.AnnAssign, cst.Break, cst.Continue, cst.Pass, cst.Raise)


@dataclass
class Chain:
    """The statements to remove with the call, and what was kept with the reason."""

    removed: list[cst.CSTNode] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # "`get_jwks` (line 14): also used at line 40"


@dataclass
class _Unit:
    node: cst.CSTNode  # the statement removed as a whole
    label: str  # the name it binds, for the report
    bindings: list[tuple[Scope, str]]  # what it binds (scope, name)
    machinery: bool  # worth reporting when kept (a helper, a fetch, a key built)
    guard: bool = False
    why_kept: str = ""


class _Ctx:
    def __init__(
        self,
        tree: cst.Module,
        parents: dict,
        scopes: dict,
        positions: dict,
        function: cst.FunctionDef,
        call: cst.CSTNode,
    ) -> None:
        self.tree, self.parents, self.scopes, self.positions = tree, parents, scopes, positions
        self.function, self.call = function, call

    def ancestors(self, node: cst.CSTNode) -> Iterable[cst.CSTNode]:
        current = self.parents.get(node)
        while current is not None:
            yield current
            current = self.parents.get(current)

    def contains(self, outer: cst.CSTNode, node: cst.CSTNode) -> bool:
        return node is outer or any(a is outer for a in self.ancestors(node))

    def line(self, node: cst.CSTNode) -> int:
        where = self.positions.get(node)
        return where.start.line if isinstance(where, CodeRange) else 0


def feeding_chain(
    *,
    tree: cst.Module,
    parents: dict,
    scopes: dict,
    positions: dict,
    function: cst.FunctionDef,
    call: cst.CSTNode,
    keep: cst.CSTNode,
    removed: Iterable[cst.CSTNode],
    used_elsewhere: Iterable[str] = (),
) -> Chain:
    """What goes with `call` (replaced; its subtree `keep`, the token, stays) in `function`,
    besides `removed` (already going)."""
    ctx = _Ctx(tree, parents, scopes, positions, function, call)
    exported = set(used_elsewhere) | _all_names(tree)
    roots = {id(call), *(id(n) for n in removed)}
    units: dict[int, _Unit] = {}
    blocked: set[tuple[int, str]] = set()  # (scope, name) whose bindings cannot all be removed
    for name in _name_nodes(keep):  # the token stays: so does what binds it
        scope = scopes.get(name)
        blocked |= (
            {(id(owner), name.value) for owner, _ in _bindings(scope, name.value)}
            if scope
            else set()
        )
    work = [n for n in _name_nodes(call) if not ctx.contains(keep, n)]
    seen: set[int] = set()
    while work:
        name = work.pop()
        if id(name) in seen:
            continue
        seen.add(id(name))
        scope = scopes.get(name)
        if scope is None:
            continue
        for owner, assignments in _bindings(scope, name.value):
            key = (id(owner), name.value)
            if key in blocked:
                continue
            found = []
            for assignment in assignments:
                node = getattr(assignment, "node", None)
                if node is None or any(ctx.contains(u.node, node) for u in units.values()):
                    continue  # bound inside code already going (a helper's own local)
                unit = _unit_of(ctx, node, owner, name.value, exported)
                if unit is None:
                    found = None
                    break
                found.append(unit)
            if found is None:
                blocked.add(key)
                continue
            for unit in found:
                if id(unit.node) in units:
                    continue
                units[id(unit.node)] = unit
                work += _name_nodes(_fed_by(unit.node))
    for unit in list(units.values()):
        for guard in _guards(ctx, unit):
            units.setdefault(id(guard.node), guard)
    _settle(ctx, units, roots, keep)
    chain = Chain()
    for unit in units.values():
        if not unit.why_kept:
            chain.removed.append(unit.node)
        elif unit.machinery and not unit.guard:
            chain.kept.append(f"`{unit.label}` (line {ctx.line(unit.node)}): {unit.why_kept}")
    chain.kept.sort()
    return chain


def _bindings(scope: Scope, name: str) -> list[tuple[Scope, list]]:
    """The scope that binds `name` as seen from `scope` (local, enclosing or global)."""
    current: Scope | None = scope
    while current is not None:
        if name in current.assignments:
            return [(current, list(current.assignments[name]))]
        if isinstance(current, GlobalScope):
            return []
        current = current.parent
    return []


def _unit_of(
    ctx: _Ctx, node: cst.CSTNode, scope: Scope, name: str, exported: set[str]
) -> _Unit | None:
    """The removable statement that binds `name` at `node`, or None (a parameter, an import,
    an attribute or tuple target, a decorated or exported helper, a setting)."""
    module_level = isinstance(scope, GlobalScope)
    if module_level and name.startswith("__"):
        return None
    unit = _unit_at(ctx, node, scope, name)
    if unit is not None and module_level and name in exported:
        unit.why_kept = "another module uses it (an import or `__all__`)"
    return unit


def _unit_at(ctx: _Ctx, node: cst.CSTNode, scope: Scope, name: str) -> _Unit | None:
    module_level = isinstance(scope, GlobalScope)
    if isinstance(node, cst.FunctionDef):
        if not module_level or ctx.parents.get(node) is not ctx.tree:
            return None
        decorators = [_last_name(d.decorator) for d in node.decorators]
        if any(d not in _CACHE_DECORATORS for d in decorators):
            return None
        return _Unit(node, name, [(scope, name)], machinery=True)
    if not isinstance(node, cst.Name):
        return None
    parent = ctx.parents.get(node)
    if isinstance(parent, cst.For) and parent.target is node:
        statement: cst.CSTNode = parent
    elif isinstance(parent, cst.AssignTarget) or (
        isinstance(parent, cst.AnnAssign) and parent.target is node
    ):
        assign = ctx.parents.get(parent) if isinstance(parent, cst.AssignTarget) else parent
        if isinstance(assign, cst.Assign) and len(assign.targets) != 1:
            return None
        statement = ctx.parents.get(assign)
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            return None
        value = assign.value if isinstance(assign, (cst.Assign, cst.AnnAssign)) else None
        if module_level:
            if ctx.parents.get(statement) is not ctx.tree or value is None or _is_setting(value):
                return None
            return _Unit(statement, name, [(scope, name)], machinery=True)
    else:
        return None
    if module_level:
        return None
    # In the function: the outermost `for`/`if` around it that holds only bindings and exits.
    unit = statement
    for ancestor in ctx.ancestors(statement):
        if ancestor is ctx.function:
            break
        if isinstance(ancestor, (cst.For, cst.If)) and not ctx.contains(ancestor, ctx.call):
            if isinstance(ancestor, cst.If) and ancestor.orelse is not None:
                break
            unit = ancestor
        elif not isinstance(ancestor, (cst.IndentedBlock, cst.SimpleStatementSuite, cst.Else)):
            break
    compound = isinstance(unit, (cst.For, cst.If))
    if compound and not _only_binds(unit):
        return None
    bound = _bound_names(unit) if compound else [name]
    value = _fed_by(unit)
    machinery = any(isinstance(n, cst.Call) for n in _walk(value))
    return _Unit(unit, name, [(scope, n) for n in bound], machinery=machinery)


def _settle(ctx: _Ctx, units: dict[int, _Unit], roots: set[int], keep: cst.CSTNode) -> None:
    """Keep (`why_kept`) each unit something live uses, until nothing changes."""
    changed = True
    while changed:
        changed = False
        dead = roots | {id(u.node) for u in units.values() if not u.why_kept}

        def gone(node: cst.CSTNode, dead: set[int] = dead) -> bool:
            for current in (node, *ctx.ancestors(node)):
                if current is keep:
                    return False
                if id(current) in dead:
                    return True
            return False

        for unit in units.values():
            if unit.why_kept:
                continue
            if unit.guard:
                if not any(_dead_binding(units, b) for b in unit.bindings):
                    unit.why_kept, changed = "its test uses nothing removed", True
                continue
            for scope, name in unit.bindings:
                for assignment in scope.assignments[name]:
                    for access in assignment.references:
                        if not gone(access.node):
                            unit.why_kept = f"also used at line {ctx.line(access.node)}"
                            changed = True
                            break
                    if unit.why_kept:
                        break
                if unit.why_kept:
                    break
        for unit in units.values():  # every binding of a name goes, or none does
            if unit.why_kept or unit.guard:
                continue
            for other in units.values():
                if other.why_kept and not other.guard and set(other.bindings) & set(unit.bindings):
                    unit.why_kept, changed = f"`{unit.label}` is also set where it stays", True
                    break


def _dead_binding(units: dict[int, _Unit], binding: tuple[Scope, str]) -> bool:
    return any(binding in u.bindings and not u.why_kept and not u.guard for u in units.values())


def _guards(ctx: _Ctx, unit: _Unit) -> list[_Unit]:
    """`if key is None: raise ...`, `if kid not in keys: return None`: an `if` without `else`
    whose body only exits and whose test reads what `unit` binds."""
    out = []
    for scope, name in unit.bindings:
        for assignment in scope.assignments[name]:
            for access in assignment.references:
                check = next((a for a in ctx.ancestors(access.node) if isinstance(a, cst.If)), None)
                if (
                    check is not None
                    and ctx.contains(check.test, access.node)
                    and only_exits(check)
                    and not ctx.contains(check, ctx.call)
                ):
                    out.append(_Unit(check, name, [(scope, name)], machinery=False, guard=True))
    return out


def only_exits(check: cst.If) -> bool:
    """No `else`, and a body that only raises, returns or aborts (Flask's `abort(401)`)."""
    if check.orelse is not None or not isinstance(check.body, cst.IndentedBlock):
        return False
    return all(
        isinstance(line, cst.SimpleStatementLine) and all(_exits(small) for small in line.body)
        for line in check.body.body
    )


def _exits(small: cst.BaseSmallStatement) -> bool:
    if isinstance(small, (cst.Raise, cst.Return)):
        return True
    return (
        isinstance(small, cst.Expr)
        and isinstance(small.value, cst.Call)
        and _last_name(small.value.func) in _EXIT_CALLS
    )


def _only_binds(block: cst.CSTNode) -> bool:
    """A `for`/`if` whose statements only bind plain names, test, loop and exit."""
    for node in _walk(block):
        if isinstance(node, cst.BaseSmallStatement) and not isinstance(node, _BLOCK_SMALL):
            return False
        if isinstance(node, (cst.While, cst.Try, cst.With, cst.FunctionDef, cst.ClassDef)):
            return False
        if isinstance(node, cst.AssignTarget) and not isinstance(node.target, cst.Name):
            return False
        if isinstance(node, cst.Return):
            return False
    return True


def _bound_names(block: cst.CSTNode) -> list[str]:
    names = []
    for node in _walk(block):
        if isinstance(node, (cst.For, cst.AssignTarget, cst.AnnAssign)) and isinstance(
            node.target, cst.Name
        ):
            names.append(node.target.value)
    return list(dict.fromkeys(names))


def _fed_by(node: cst.CSTNode) -> cst.CSTNode:
    """The part of a unit whose names it depends on (an assignment's value, the whole block)."""
    if isinstance(node, cst.SimpleStatementLine):
        small = node.body[0]
        if isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is not None:
            return small.value
    return node


def _is_setting(value: cst.BaseExpression) -> bool:
    """Configuration: literals, names, attributes and environment reads only."""
    for node in _walk(value):
        if isinstance(node, cst.Call) and not _is_config_call(node.func):
            return False
        if isinstance(node, (cst.Lambda, cst.Await, cst.ListComp, cst.GeneratorExp)):
            return False
    return True


def _is_config_call(func: cst.BaseExpression) -> bool:
    dotted = _dotted(func)
    return dotted in _CONFIG_CALLS or dotted.endswith(_CONFIG_SUFFIXES)


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr.value}" if inner else ""
    return node.value if isinstance(node, cst.Name) else ""


def _all_names(tree: cst.Module) -> set[str]:
    """Strings listed in a module-level `__all__`."""
    out: set[str] = set()
    for statement in tree.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            targets = small.targets if isinstance(small, cst.Assign) else ()
            if any(isinstance(t.target, cst.Name) and t.target.value == "__all__" for t in targets):
                out |= {
                    n.evaluated_value
                    for n in _walk(small.value)
                    if isinstance(n, cst.SimpleString) and isinstance(n.evaluated_value, str)
                }
    return out


def _last_name(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Call):
        node = node.func
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Name):
        return node.value
    return ""


class _Walker(cst.CSTVisitor):
    def __init__(self) -> None:
        self.nodes: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.nodes.append(node)
        return True


def _walk(node: cst.CSTNode) -> list[cst.CSTNode]:
    walker = _Walker()
    node.visit(walker)
    return walker.nodes


class _Names(cst.CSTVisitor):
    """Name nodes that are variables (not attribute or keyword names)."""

    def __init__(self) -> None:
        self.names: list[cst.Name] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False


def _name_nodes(node: cst.CSTNode) -> list[cst.Name]:
    collector = _Names()
    node.visit(collector)
    return collector.names
