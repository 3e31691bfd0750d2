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

In a method, what it reaches through its `self` is followed too: the class's methods and
properties (undecorated, `property`, `cached_property`, or behind a cache decorator: an
`lru_cache`d `_get_jwks(self)`) and the attributes `__init__` sets (`self.jwks_url = ...`, a
cache slot `self._jwks = None`). A member goes when nothing else reads that attribute name: no
other `.name` in the module (on any object: other methods, subclasses, helpers), no method of
that name elsewhere in it (an override), no string naming it (`getattr`, `patch.object`), and no
other module of the project using `.name` (`used_elsewhere` holds those as `.name`). A member
also bound at class level or stored anywhere but `__init__` (or in code going anyway) stays.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import CodeRange, GlobalScope, Scope

# Decorators that do not register a function anywhere: a helper behind one is still removable.
_CACHE_DECORATORS = frozenset({"lru_cache", "cache", "cached", "ttl_cache", "cachedmethod"})
# Decorators a class member may have and still go: a property, a cache, no registration.
_MEMBER_DECORATORS = _CACHE_DECORATORS | {"property", "cached_property", "staticmethod"}
# Members whose first parameter is no instance.
_UNBOUND = frozenset({"staticmethod", "classmethod"})
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
    # What it binds: (scope, name), or (class, ".name") for a member of the method's class.
    bindings: list[tuple[Scope | cst.ClassDef, str]]
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
        self.members = _Members.of(self, function)

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
    used_elsewhere: Mapping[str, str] | None = None,
) -> Chain:
    """What goes with `call` (replaced; its subtree `keep`, the token, stays) in `function`,
    besides `removed` (already going). `used_elsewhere`: the names other modules use, with
    the first that does (`name` imported, `.name` of a class member)."""
    ctx = _Ctx(tree, parents, scopes, positions, function, call)
    elsewhere = dict(used_elsewhere or {})
    exported = set(elsewhere) | _all_names(tree)
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
    members = [a for a in ctx.members.reached(call) if not ctx.contains(keep, a)]
    seen: set[int] = set()
    while work or members:
        if members:
            _follow_member(ctx, members.pop(), units, blocked, elsewhere, work, members)
            continue
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
                _take(ctx, unit, units, work, members)
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


def _follow_member(
    ctx: _Ctx,
    access: cst.Attribute,
    units: dict[int, _Unit],
    blocked: set,
    elsewhere: dict[str, str],
    work: list[cst.Name],
    members: list[cst.Attribute],
) -> None:
    """The units binding the member `access` (`self.x`) reaches: its method or property, the
    `__init__` statements setting it; the member is blocked when one of them cannot go."""
    name = access.attr.value
    key = (ctx.members.cls, "." + name)
    if key in blocked:
        return
    found = ctx.members.units(name, units)
    if found is None:
        blocked.add(key)
        return
    for unit in found:
        if id(unit.node) in units:
            continue
        if "." + name in elsewhere:
            unit.why_kept = f"{elsewhere['.' + name]} uses `.{name}`"
        _take(ctx, unit, units, work, members)


def _take(
    ctx: _Ctx,
    unit: _Unit,
    units: dict[int, _Unit],
    work: list[cst.Name],
    members: list[cst.Attribute],
) -> None:
    """`unit` goes with the call: what feeds it (names and `self.` members) is followed next."""
    units[id(unit.node)] = unit
    fed = _fed_by(unit.node)
    work += _name_nodes(fed)
    members += ctx.members.reached(fed)


class _Members:
    """The class whose method holds the call: its members, how its methods reach them through
    `self`, and every place in the module that names a member (read on any object, defined in
    another class, spelled as a string, named at class level)."""

    def __init__(self, ctx: _Ctx, cls: cst.ClassDef | None) -> None:
        self.ctx, self.cls = ctx, cls
        self.defs: dict[str, list[cst.FunctionDef]] = {}
        self.selves: dict[int, str] = {}  # id(method) -> the name of its `self` parameter
        self.class_level: set[str] = set()
        self._index: dict[str, tuple[list[cst.CSTNode], list[cst.Attribute]]] | None = None
        if cls is None:
            return
        for statement in cls.body.body:
            if isinstance(statement, cst.FunctionDef):
                self.defs.setdefault(statement.name.value, []).append(statement)
                plain = not {_last_name(d.decorator) for d in statement.decorators} & _UNBOUND
                params = statement.params.params
                if plain and params:
                    self.selves[id(statement)] = params[0].name.value
            else:
                self.class_level |= {
                    n.value for n in _walk(statement) if isinstance(n, cst.Name)
                }  # what the class body binds or names itself: never removed

    @classmethod
    def of(cls, ctx: _Ctx, function: cst.FunctionDef) -> _Members:
        block = ctx.parents.get(function)
        owner = ctx.parents.get(block) if isinstance(block, cst.IndentedBlock) else None
        return cls(ctx, owner if isinstance(owner, cst.ClassDef) else None)

    def reached(self, node: cst.CSTNode) -> list[cst.Attribute]:
        """The `self.x` reads in `node` made in a method of the class through its `self`."""
        if not self.selves:
            return []
        out = []
        for found in _walk(node):
            if not (isinstance(found, cst.Attribute) and isinstance(found.value, cst.Name)):
                continue
            method = next(
                (a for a in self.ctx.ancestors(found) if isinstance(a, cst.FunctionDef)), None
            )
            if method is not None and self.selves.get(id(method)) == found.value.value:
                out.append(found)
        return out

    def units(self, name: str, units: dict[int, _Unit]) -> list[_Unit] | None:
        """What binds member `name`: its defs and its `__init__` stores (those inside code going
        anyway left out); None when one cannot go (a dunder, a decorator that registers it, the
        method holding the call, a class-level name, a store elsewhere)."""
        assert self.cls is not None
        if name.startswith("__") or name in self.class_level:
            return None
        binding = (self.cls, "." + name)
        out = []
        for method in self.defs.get(name, ()):
            decorators = {_last_name(d.decorator) for d in method.decorators}
            if method is self.ctx.function or decorators - _MEMBER_DECORATORS:
                return None
            label = f"{self.cls.name.value}.{name}"
            out.append(_Unit(method, label, [binding], machinery=True))
        for target in self._indexed(name)[1]:
            if any(self.ctx.contains(u.node, target) for u in units.values()):
                continue
            statement = self._init_store(target)
            if statement is None:
                return None
            value = _fed_by(statement)
            machinery = any(isinstance(n, cst.Call) for n in _walk(value))
            out.append(_Unit(statement, f"self.{name}", [binding], machinery=machinery))
        return out

    def uses(self, name: str) -> list[cst.CSTNode]:
        return self._indexed(name)[0]

    def _indexed(self, name: str) -> tuple[list[cst.CSTNode], list[cst.Attribute]]:
        """(the places naming member `name` but its own defs and stores, its stores)."""
        if self._index is None:
            self._index = {}
            own = {id(d) for defs in self.defs.values() for d in defs}
            for node in _walk(self.ctx.tree):
                if isinstance(node, cst.Attribute):
                    uses, stores = self._index.setdefault(node.attr.value, ([], []))
                    (stores if _is_store(self.ctx, node) else uses).append(node)
                elif isinstance(node, cst.FunctionDef) and id(node) not in own:
                    self._index.setdefault(node.name.value, ([], []))[0].append(node)
                elif isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
                    self._index.setdefault(node.evaluated_value, ([], []))[0].append(node)
        return self._index.get(name, ([], []))

    def _init_store(self, target: cst.Attribute) -> cst.CSTNode | None:
        """`self.x = value`, alone on its line, directly in the class's `__init__`."""
        assign = self.ctx.parents.get(self.ctx.parents.get(target))
        statement = self.ctx.parents.get(assign)
        block = self.ctx.parents.get(statement)
        method = self.ctx.parents.get(block)
        if not (
            isinstance(assign, cst.Assign)
            and len(assign.targets) == 1
            and isinstance(statement, cst.SimpleStatementLine)
            and len(statement.body) == 1
            and isinstance(method, cst.FunctionDef)
            and method.name.value == "__init__"
            and isinstance(target.value, cst.Name)
            and self.selves.get(id(method)) == target.value.value
        ):
            return None
        return statement


def _is_store(ctx: _Ctx, node: cst.Attribute) -> bool:
    """`node` is assigned to, deleted or bound (a target), not read."""
    child: cst.CSTNode = node
    parent = ctx.parents.get(node)
    while isinstance(parent, (cst.Element, cst.StarredElement, cst.Tuple, cst.List)):
        child, parent = parent, ctx.parents.get(parent)
    targets = (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor, cst.Del)
    if isinstance(parent, targets):
        return parent.target is child
    return isinstance(parent, cst.AsName)


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
            for binding in unit.bindings:
                live = next((n for n in _accesses(ctx, binding) if not gone(n)), None)
                if live is not None:
                    unit.why_kept, changed = f"also used at line {ctx.line(live)}", True
                    break
        for unit in units.values():  # every binding of a name goes, or none does
            if unit.why_kept or unit.guard:
                continue
            for other in units.values():
                if other.why_kept and not other.guard and set(other.bindings) & set(unit.bindings):
                    unit.why_kept, changed = f"`{unit.label}` is also set where it stays", True
                    break


def _dead_binding(units: dict[int, _Unit], binding: tuple[Scope | cst.ClassDef, str]) -> bool:
    return any(binding in u.bindings and not u.why_kept and not u.guard for u in units.values())


def _guards(ctx: _Ctx, unit: _Unit) -> list[_Unit]:
    """`if key is None: raise ...`, `if kid not in keys: return None`: an `if` without `else`
    whose body only exits and whose test reads what `unit` binds."""
    out = []
    for binding in unit.bindings:
        for access in _accesses(ctx, binding):
            check = next((a for a in ctx.ancestors(access) if isinstance(a, cst.If)), None)
            if (
                check is not None
                and ctx.contains(check.test, access)
                and only_exits(check)
                and not ctx.contains(check, ctx.call)
            ):
                out.append(_Unit(check, binding[1], [binding], machinery=False, guard=True))
    return out


def _accesses(ctx: _Ctx, binding: tuple[Scope | cst.ClassDef, str]) -> list[cst.CSTNode]:
    """Where what `binding` binds is read: a variable's references, a member's `.name`s."""
    owner, name = binding
    if isinstance(owner, cst.ClassDef):
        return ctx.members.uses(name[1:])
    return [
        access.node for assignment in owner.assignments[name] for access in assignment.references
    ]


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
