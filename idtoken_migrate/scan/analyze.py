"""Find verification sites in one parsed module and gather the evidence about each.

One libcst pass collects what every rule needs (candidate calls, assignments, claim reads and
checks,
callers of each function); the matching and the tracing of values run afterwards, inside the same
metadata context. Qualified names come from libcst metadata and must come from an import, so a local
variable that happens to be called `jwt` never matches PyJWT.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import (
    Assignment,
    ImportAssignment,
    MetadataWrapper,
    PositionProvider,
    QualifiedNameProvider,
    QualifiedNameSource,
    ScopeProvider,
)

from idtoken_migrate.config.rulepack import Rule, RulePack
from idtoken_migrate.model import SiteFacts
from idtoken_migrate.scan.signals import Signals

Function = cst.FunctionDef | None  # None: module level

_MAX_DEPTH = 6
_USE_METHODS = frozenset({"verify", "verify_id_token", "verify_access_token", "decode", "validate"})


@dataclass(frozen=True)
class Evidence:
    signal: str  # stable id of what was seen, e.g. "audience-is-client-id"
    toward: str  # "id" | "access" | "request" | "login" | "unverified" | "self-issued" | "note"
    strength: int  # 0..3
    detail: str  # why, for humans


@dataclass(frozen=True)
class Site:
    """A verification site with its evidence, before classification."""

    rule: Rule
    line: int
    column: int
    end_line: int
    end_column: int
    symbol: str
    snippet: str
    evidence: tuple[Evidence, ...]
    facts: SiteFacts
    provider: str | None
    qualname: str


@dataclass
class Trace:
    """What an expression is made of, followed through assignments, helpers and callers."""

    words: list[str] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)
    params: list[tuple[cst.FunctionDef, cst.Param]] = field(default_factory=list)

    def all(self) -> list[str]:
        return self.words + self.strings


def string_value(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _subscript_key(node: cst.BaseExpression) -> tuple[cst.BaseExpression, str] | None:
    """`x["key"]` or `x.get("key", ...)` -> (x, "key")."""
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        if isinstance(index, cst.Index):
            key = string_value(index.value)
            if key is not None:
                return node.value, key
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "get"
        and node.args
    ):
        key = string_value(node.args[0].value)
        if key is not None:
            return node.func.value, key
    return None


class _Collector(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider, ScopeProvider, QualifiedNameProvider)

    def __init__(self, packs: tuple[RulePack, ...]) -> None:
        super().__init__()
        self.rules = [r for p in packs for r in p.rules]
        self.call_names = frozenset(n for r in self.rules if r.form == "call" for n in r.last_names)
        self.method_names = frozenset(
            n for r in self.rules if r.form == "method" for n in r.last_names
        )
        self.settings_targets = frozenset(
            t for r in self.rules if r.form == "settings" for t in r.settings_targets
        )
        self.stack: list[cst.FunctionDef | cst.ClassDef] = []
        self.values: dict[int, cst.BaseExpression] = {}  # id(bound Name) -> value
        self.self_attrs: dict[tuple[str, str], list[cst.BaseExpression]] = defaultdict(list)
        self.attr_targets: dict[str, list[cst.BaseExpression]] = defaultdict(list)
        self.candidates: list[tuple[cst.Call, Function, str]] = []  # call, function, symbol
        self.method_uses: list[tuple[cst.Call, Function]] = []
        self.settings: list[tuple[cst.Assign, str]] = []
        self.functions: dict[str, list[cst.FunctionDef]] = defaultdict(list)
        self.func_class: dict[int, str] = {}
        self.func_by_id: dict[int, cst.FunctionDef] = {}  # the keys of reads, checks, returns
        self.func_symbol: dict[int, str] = {}
        self.calls_by_name: dict[str, list[tuple[cst.Call, Function]]] = defaultdict(list)
        self.returns: dict[int, list[cst.BaseExpression]] = defaultdict(list)
        self.reads: dict[int, list[tuple[str, str]]] = defaultdict(list)  # func -> (base text, key)
        self.checks: dict[int, list[tuple[str, str | None, cst.Comparison]]] = defaultdict(list)
        self.membership: dict[int, list[str]] = defaultdict(list)  # func -> keys tested with `in`
        self.call_words: dict[int, list[str]] = defaultdict(list)  # func -> names of calls made
        # func -> audiences declared beside a verification: `aud=` keywords, `"aud": ...` entries
        self.declared_aud: dict[int, list[cst.BaseExpression]] = defaultdict(list)
        self.handlers: dict[int, tuple[str, ...]] = {}  # id(call) -> exceptions caught around it
        self.try_stack: list[tuple[str, ...]] = []
        self.func_of_node: dict[int, Function] = {}
        self.param_owner: dict[int, cst.FunctionDef] = {}
        self.self_attr_class: dict[int, str] = {}  # id(`self.x` node) -> class name
        self.aliases: dict[
            str, str
        ] = {}  # local name -> the name it stands for (`as`, `x = jwt.decode`)
        self.module: cst.Module | None = None
        # How functions are wired (see wiring.py): `Depends(f)`, `@f` on other functions, the
        # enclosing function and class of each function, the dict keys each function builds.
        self.depends_refs: set[str] = set()
        self.refs_by_name: dict[str, list[Function]] = defaultdict(list)
        self.decorator_uses: dict[str, int] = defaultdict(int)
        self.func_parent: dict[int, Function] = {}
        self.func_classdef: dict[int, cst.ClassDef] = {}
        self.dict_keys: dict[int, set[str]] = defaultdict(set)
        self.session_writes: dict[int, list[str]] = defaultdict(list)  # func -> `session[...] =`
        self.module_bindings: dict[str, cst.BaseExpression] = {}  # module-level `name = value`
        # (func, name) -> claim key: `token_use = claims.get("token_use")`, compared later
        self.name_keys: dict[tuple[int, str], str] = {}

    # -- scopes -----------------------------------------------------------------------------
    def _function(self) -> Function:
        for node in reversed(self.stack):
            if isinstance(node, cst.FunctionDef):
                return node
        return None

    def _class_name(self) -> str:
        for node in reversed(self.stack):
            if isinstance(node, cst.ClassDef):
                return node.name.value
        return ""

    def _symbol(self) -> str:
        return ".".join(n.name.value for n in self.stack) or "<module>"

    def visit_Module(self, node: cst.Module) -> None:
        self.module = node

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.stack.append(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions[node.name.value].append(node)
        self.func_class[id(node)] = self._class_name()
        self.func_parent[id(node)] = self._function()
        if self.stack and isinstance(self.stack[-1], cst.ClassDef):
            self.func_classdef[id(node)] = self.stack[-1]
        for decorator in node.decorators:
            target = decorator.decorator
            if isinstance(target, cst.Call):
                target = target.func
            dname = get_full_name_for_node(target)
            if dname:
                self.decorator_uses[dname] += 1
        self.func_by_id[id(node)] = node
        self.stack.append(node)
        self.func_symbol[id(node)] = self._symbol()
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            self.param_owner[id(param)] = node
        if isinstance(params.star_arg, cst.Param):
            self.param_owner[id(params.star_arg)] = node

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.stack.pop()

    def visit_Try(self, node: cst.Try) -> None:
        names: list[str] = []
        for handler in node.handlers:
            if handler.type is None:
                names.append("BaseException")
                continue
            types = (
                [e.value for e in handler.type.elements]
                if isinstance(handler.type, cst.Tuple)
                else [handler.type]
            )
            names.extend(get_full_name_for_node(t) or "?" for t in types)
        self.try_stack.append(tuple(names))
        # Only the body is protected by the handlers: visit it alone, then the rest unprotected.
        node.body.visit(self)
        self.try_stack.pop()
        for handler in node.handlers:
            handler.visit(self)
        if node.orelse:
            node.orelse.visit(self)
        if node.finalbody:
            node.finalbody.visit(self)
        return False  # type: ignore[return-value]

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value in ("self", "cls"):
            self.self_attr_class[id(node)] = self._class_name()

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.aliases[alias.asname.name.value] = get_full_name_for_node(alias.name) or ""

    def bare_name(self, call: cst.Call) -> str:
        """The trailing name a call goes by, seen through local aliases: the cheap pre-match."""
        name = get_full_name_for_node(call.func) or ""
        return self.aliases.get(name, name).rsplit(".", 1)[-1]

    # -- bindings ---------------------------------------------------------------------------
    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.values[id(target)] = value
            if isinstance(value, (cst.Name, cst.Attribute)):
                self.aliases[target.value] = get_full_name_for_node(value) or ""
        elif isinstance(target, cst.Attribute):
            text = get_full_name_for_node(target)
            if isinstance(target.value, cst.Name) and target.value.value in ("self", "cls"):
                self.self_attrs[(self._class_name(), target.attr.value)].append(value)
            if text:
                self.attr_targets[text].append(value)
        elif isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List)):
            for t, v in zip(target.elements, value.elements, strict=False):
                self._bind(t.value, v.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value)
            if not self.stack and isinstance(target.target, cst.Name):
                self.module_bindings[target.target.value] = node.value
            read = _subscript_key(node.value)
            if read is not None and isinstance(target.target, cst.Name):
                self.name_keys[(id(self._function()), target.target.value)] = read[1]
            written = _subscript_key(target.target)
            if written is not None:
                base = get_full_name_for_node(written[0]) or ""
                if base.rsplit(".", 1)[-1] == "session":
                    self.session_writes[id(self._function())].append(base)
            if (
                isinstance(target.target, cst.Name)
                and target.target.value in self.settings_targets
                and isinstance(node.value, cst.Dict)
            ):
                self.settings.append((node, self._symbol()))
        if isinstance(self.stack[-1] if self.stack else None, cst.ClassDef):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self.self_attrs[(self._class_name(), target.target.value)].append(node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target, node.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name, node.item)

    def visit_Return(self, node: cst.Return) -> None:
        func = self._function()
        if func is not None and node.value is not None:
            self.returns[id(func)].append(node.value)

    # -- calls, reads, checks ---------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        func = self._function()
        name = get_full_name_for_node(node.func)
        last = self.bare_name(node) if name else None
        if last:
            self.calls_by_name[last].append((node, func))
            self.call_words[id(func)].append(name or last)
            if name in self.aliases:  # `login as django_login`: the name it stands for too
                self.call_words[id(func)].append(self.aliases[name])
        if last in self.call_names or last in self.method_names:
            self.candidates.append((node, func, self._symbol()))
            self.func_of_node[id(node)] = func
            if self.try_stack:
                self.handlers[id(node)] = tuple(n for names in self.try_stack for n in names)
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in ("aud", "audience"):
                self.declared_aud[id(func)].append(arg.value)
        for arg in node.args:  # `to_thread(cls._verify, token)`: a function handed on, not called
            if isinstance(arg.value, (cst.Name, cst.Attribute)):
                ref = get_full_name_for_node(arg.value)
                if ref:
                    self.refs_by_name[ref.rsplit(".", 1)[-1]].append(func)
        if last in ("Depends", "Security") and node.args:
            ref = get_full_name_for_node(node.args[0].value)
            if ref:
                self.depends_refs.add(ref.rsplit(".", 1)[-1])
        if last in _USE_METHODS and isinstance(node.func, cst.Attribute):
            self.method_uses.append((node, func))
        read = _subscript_key(node)
        if read is not None:
            base_text = get_full_name_for_node(read[0]) or ""
            self.reads[id(func)].append((base_text, read[1]))

    def visit_DictElement(self, node: cst.DictElement) -> None:
        key = string_value(node.key)
        if key is not None:
            self.dict_keys[id(self._function())].add(key)
        if key == "aud":
            self.declared_aud[id(self._function())].append(node.value)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        read = _subscript_key(node)
        if read is not None:
            base_text = get_full_name_for_node(read[0]) or ""
            self.reads[id(self._function())].append((base_text, read[1]))

    def visit_Comparison(self, node: cst.Comparison) -> None:
        func = self._function()
        operands = [node.left] + [c.comparator for c in node.comparisons]
        for i, target in enumerate(node.comparisons):
            left, right = operands[i], operands[i + 1]
            if isinstance(target.operator, (cst.In, cst.NotIn)):
                key = string_value(left)
                if key is not None:
                    self.membership[id(func)].append(key)
                continue
            for a, b in ((left, right), (right, left)):
                key = self._claim_key(a, func)
                if key is not None:
                    literal = string_value(b)
                    other = literal if literal is not None else get_full_name_for_node(b)
                    self.checks[id(func)].append((key, other, node))

    def _claim_key(self, node: cst.BaseExpression, func: Function) -> str | None:
        """The claim an operand reads: `claims["aud"]`, or a name bound to such a read."""
        read = _subscript_key(node)
        if read is not None:
            return read[1]
        if isinstance(node, cst.Name):
            return self.name_keys.get((id(func), node.value))
        return None


class ModuleAnalysis:
    """Matches rules against a collected module and traces the evidence of each site."""

    def __init__(
        self,
        collector: _Collector,
        signals: Signals,
        text: str,
        wrapper: MetadataWrapper,
    ) -> None:
        self.c = collector
        self.wrapper = wrapper
        self.signals = signals
        self.text = text
        self.module = collector.module
        assert self.module is not None

    # -- metadata helpers -------------------------------------------------------------------
    def _qualnames(self, node: cst.CSTNode) -> set[str]:
        names = self.c.get_metadata(QualifiedNameProvider, node, set())
        return {q.name for q in names if q.source == QualifiedNameSource.IMPORT}

    def _pos(self, node: cst.CSTNode) -> tuple[int, int, int, int]:
        if (
            PositionProvider not in self.c.metadata
        ):  # a full pass: only worth it once a site matched
            self.c.metadata[PositionProvider] = self.wrapper.resolve(PositionProvider)  # type: ignore[index]
        r = self.c.get_metadata(PositionProvider, node)
        return r.start.line, r.start.column + 1, r.end.line, r.end.column + 1

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node).strip()

    def _assignments(self, name: cst.Name) -> Iterator[Assignment | ImportAssignment]:
        scope = self.c.get_metadata(ScopeProvider, name, None)
        if scope is None:
            return
        try:
            found = scope[name.value]
        except Exception:  # libcst raises for names it cannot resolve in odd scopes
            return
        yield from (a for a in found if isinstance(a, (Assignment, ImportAssignment)))

    def _owner(self, param: cst.Param) -> cst.FunctionDef | None:
        return self.c.param_owner.get(id(param))

    # -- tracing ----------------------------------------------------------------------------
    def trace(
        self, node: cst.BaseExpression | None, depth: int = 0, seen: set[int] | None = None
    ) -> Trace:
        out = Trace()
        if node is None:
            return out
        self._trace(node, out, depth, seen if seen is not None else set())
        return out

    def _trace(self, node: cst.CSTNode, out: Trace, depth: int, seen: set[int]) -> None:
        # `depth` counts indirections (a name to its value, a helper to its return), not syntax:
        # `seen` ends cycles, and an expression's own nesting is finite.
        if depth > _MAX_DEPTH or id(node) in seen:
            return
        seen.add(id(node))
        value = string_value(node) if isinstance(node, cst.BaseExpression) else None
        if value is not None:
            out.strings.append(value)
            return
        if isinstance(node, cst.Name):
            out.words.append(node.value)
            for a in self._assignments(node):
                if isinstance(a, ImportAssignment):
                    out.words.extend(
                        q.name for q in self.c.get_metadata(QualifiedNameProvider, node, set())
                    )
                    continue
                bound = a.node
                if isinstance(bound, cst.Param):
                    owner = self._owner(bound)
                    if owner is not None:
                        out.params.append((owner, bound))
                    if bound.annotation is not None:
                        self._trace(bound.annotation.annotation, out, depth + 1, seen)
                    if bound.default is not None:
                        self._trace(bound.default, out, depth + 1, seen)
                elif id(bound) in self.c.values:
                    self._trace(self.c.values[id(bound)], out, depth + 1, seen)
            return
        if isinstance(node, cst.Attribute):
            out.words.append(node.attr.value)
            if isinstance(node.value, cst.Name) and node.value.value in ("self", "cls"):
                cls = self.c.self_attr_class.get(id(node), "")
                for v in self.c.self_attrs.get((cls, node.attr.value), []):
                    self._trace(v, out, depth + 1, seen)
            text = get_full_name_for_node(node)
            if text and text in self.c.attr_targets:
                for v in self.c.attr_targets[text]:
                    self._trace(v, out, depth + 1, seen)
            self._trace(node.value, out, depth, seen)
            return
        if isinstance(node, cst.Call):
            name = get_full_name_for_node(node.func)
            if name:
                out.words.append(name.rsplit(".", 1)[-1])
                out.words.extend(self._qualnames(node.func))
            self._trace(node.func, out, depth, seen)
            for arg in node.args:
                self._trace(arg.value, out, depth, seen)
            # A helper defined in this module: what it returns is what this call gives.
            last = name.rsplit(".", 1)[-1] if name else None
            for helper in self.c.functions.get(last or "", []):
                for ret in self.c.returns.get(id(helper), []):
                    self._trace(ret, out, depth + 1, seen)
            return
        for child in node.children:
            self._trace(child, out, depth, seen)

    def caller_args(
        self, func: cst.FunctionDef, param: cst.Param
    ) -> list[tuple[cst.BaseExpression, Function]]:
        """The expressions callers in this module pass for `param` of `func`."""
        params = [*func.params.posonly_params, *func.params.params]
        index = next((i for i, p in enumerate(params) if p is param), None)
        if index is not None and params and params[0].name.value in ("self", "cls"):
            index -= 1
        found: list[tuple[cst.BaseExpression, Function]] = []
        for call, caller in self.c.calls_by_name.get(func.name.value, []):
            for i, arg in enumerate(a for a in call.args if a.keyword is None and not a.star):
                if i == index:
                    found.append((arg.value, caller))
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == param.name.value:
                    found.append((arg.value, caller))
        return found

    def dict_value(self, node: cst.BaseExpression) -> cst.Dict | cst.Call | None:
        """The dict literal (or `dict(...)` call) a name or expression stands for."""
        if isinstance(node, cst.Name):
            for a in self._assignments(node):
                value = self.c.values.get(id(a.node))
                if value is not None:
                    node = value
                    break
        if isinstance(node, cst.Dict):
            return node
        if isinstance(node, cst.Call) and get_full_name_for_node(node.func) == "dict":
            return node
        return None

    def dict_entries(self, node: cst.BaseExpression) -> dict[str, cst.BaseExpression]:
        """String keys of a dict literal or `dict(k=v)` call, through names."""
        found = self.dict_value(node)
        entries: dict[str, cst.BaseExpression] = {}
        if isinstance(found, cst.Dict):
            for element in found.elements:
                if isinstance(element, cst.DictElement):
                    key = string_value(element.key)
                    if key is not None:
                        entries[key] = element.value
        elif isinstance(found, cst.Call):
            for arg in found.args:
                if arg.keyword is not None:
                    entries[arg.keyword.value] = arg.value
        return entries

    def argument(self, rule: Rule, call: cst.Call, role: str) -> cst.BaseExpression | None:
        """The expression a call passes for a rule's role: by keyword, position, or `**kwargs`."""
        spec = rule.arg(role)
        if spec is None:
            return None
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in spec.keywords:
                return arg.value
        if spec.position is not None:
            positional = [a for a in call.args if a.keyword is None and not a.star]
            if spec.position < len(positional):
                return positional[spec.position].value
        for arg in call.args:
            if arg.star == "**":
                entries = self.dict_entries(arg.value)
                for keyword in spec.keywords:
                    if keyword in entries:
                        return entries[keyword]
        return None

    # -- matching ---------------------------------------------------------------------------
    def _construction(self, node: cst.BaseExpression, depth: int = 0) -> cst.Call | None:
        """The call that built the object `node` refers to, through names and self attributes."""
        if depth > 3:
            return None
        if isinstance(node, cst.Call):
            return node
        if isinstance(node, cst.Await):
            return self._construction(node.expression, depth + 1)
        candidates: list[cst.BaseExpression] = []
        if isinstance(node, cst.Name):
            for a in self._assignments(node):
                if isinstance(a, Assignment) and id(a.node) in self.c.values:
                    candidates.append(self.c.values[id(a.node)])
        elif isinstance(node, cst.Attribute):
            if isinstance(node.value, cst.Name) and node.value.value in ("self", "cls"):
                for (_, attr), values in self.c.self_attrs.items():
                    if attr == node.attr.value:
                        candidates.extend(values)
            text = get_full_name_for_node(node)
            if text:
                candidates.extend(self.c.attr_targets.get(text, []))
        for value in candidates:
            found = self._construction(value, depth + 1)
            if found is not None:
                return found
        return None

    def _callee_qualnames(self, func: cst.BaseExpression) -> set[str]:
        """Qualified names of a callee, also through a local re-binding (`_decode = jwt.decode`)."""
        names = self._qualnames(func)
        if names or not isinstance(func, cst.Name):
            return names
        for a in self._assignments(func):
            value = self.c.values.get(id(a.node))
            if isinstance(value, (cst.Name, cst.Attribute)):
                names |= self._qualnames(value)
        return names

    def match(self, call: cst.Call) -> Iterator[tuple[Rule, str]]:
        qualnames: set[str] | None = None
        last = self.c.bare_name(call)
        for rule in self.c.rules:
            if last not in rule.last_names:
                continue
            if rule.form == "call":
                if qualnames is None:
                    qualnames = self._callee_qualnames(call.func)
                hit = next((q for q in rule.qualnames if q in qualnames), None)
                if hit:
                    yield rule, hit
            elif rule.form == "method" and isinstance(call.func, cst.Attribute):
                built = self._construction(call.func.value)
                if built is None:
                    continue
                built_names = self._qualnames(built.func)
                hit = next((q for q in rule.qualnames if q in built_names), None)
                if hit:
                    yield rule, f"{hit}.{last}"

    def uses_of(self, construction: cst.Call) -> list[tuple[cst.Call, Function]]:
        """Method calls (`.verify(token)`) made on the object a construction built."""
        return [
            (use, func)
            for use, func in self.c.method_uses
            if self._construction(use.func.value) is construction  # type: ignore[attr-defined]
        ]


def collect(module: cst.Module, packs: tuple[RulePack, ...]) -> _Collector:
    """One plain pass over the module: no metadata is computed yet."""
    collector = _Collector(packs)
    module.visit(collector)
    return collector


def has_work(collector: _Collector) -> bool:
    """Whether any rule can match: if not, the costly metadata is never computed."""
    if collector.candidates or collector.settings:
        return True
    claim_keys = {k for r in collector.rules if r.form == "claim_check" for k in r.claim_check_keys}
    return any(key in claim_keys for checks in collector.checks.values() for key, _, _ in checks)


def analyze(
    module: cst.Module, collector: _Collector, signals: Signals, text: str
) -> ModuleAnalysis:
    """Resolve scopes and qualified names (positions later, only for sites) and analyze."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    collector.metadata = dict(wrapper.resolve_many((ScopeProvider, QualifiedNameProvider)))
    return ModuleAnalysis(collector, signals, text, wrapper)
