"""Where a verification's claims go: into each request's identity, or into the app's own session.

A one-time sign-in exchange (the front end posts the provider's ID token once; the backend verifies
it and issues its own session, cookie or token) is legitimate ID-token use, although the token
arrives in the request. A bearer site is one whose verified claims become the identity of every
request: a FastAPI dependency, a decorator on routes, a DRF authentication class, a middleware, a
Lambda authorizer. Both are decided from how the verifying function is wired, looking at the
function, the functions it is nested in and its callers in the module (and, through the project
view, in other modules).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from idtoken_migrate.scan.signals import Signals

if TYPE_CHECKING:  # the project view and the Python 2 reader judge lexical facts: no libcst
    import libcst as cst

    from idtoken_migrate.scan.analyze import Function, _Collector

_MAX_HOPS = 3
_HOOK_DECORATORS = ("before_request", "before_app_request", "middleware", "before_serving")
_MIDDLEWARE_METHODS = frozenset(
    {"__call__", "process_request", "process_view", "dispatch", "intercept_service", "resolve"}
)
_AUTH_METHODS = frozenset({"authenticate", "authenticate_credentials", "has_permission"})
_AUTHORIZER_KEYS = ("policyDocument", "principalId", "isAuthorized")
_OWN_TOKEN_KEYS = ("access_token", "refresh_token")  # a response body handing out a session


def reach(c: _Collector, func: Function) -> Iterator[cst.FunctionDef]:
    """The function, the functions it is nested in, its callers in the module (breadth first)."""
    if func is None:
        return
    seen: set[int] = set()
    level: list[cst.FunctionDef] = [func]
    for _ in range(_MAX_HOPS + 1):
        nxt: list[cst.FunctionDef] = []
        for f in level:
            if id(f) in seen:
                continue
            seen.add(id(f))
            yield f
            parent = c.func_parent.get(id(f))
            if parent is not None:
                nxt.append(parent)
            nxt.extend(caller for _, caller in c.calls_by_name.get(f.name.value, []) if caller)
            nxt.extend(holder for holder in c.refs_by_name.get(f.name.value, []) if holder)
        level = nxt


class FunctionFacts(Protocol):
    """What wiring needs to know of one function; a libcst view (`cst_facts`) or `lexical`'s."""

    name: str
    decorators: list[str]  # dotted names, without call arguments
    class_name: str
    class_bases: list[str]
    calls: list[str]  # dotted names of the calls it makes
    dict_keys: set[str]
    session_writes: list[str]


@dataclass
class _CstFacts:
    name: str
    decorators: list[str]
    class_name: str
    class_bases: list[str]
    calls: list[str]
    dict_keys: set[str]
    session_writes: list[str]


def cst_facts(c: _Collector, f: cst.FunctionDef) -> FunctionFacts:
    import libcst as cst
    from libcst.helpers import get_full_name_for_node

    decorators = []
    for decorator in f.decorators:
        target = decorator.decorator
        target = target.func if isinstance(target, cst.Call) else target
        decorators.append(get_full_name_for_node(target) or "")
    cls = c.func_classdef.get(id(f))
    return _CstFacts(
        name=f.name.value,
        decorators=decorators,
        class_name=cls.name.value if cls is not None else "",
        class_bases=[get_full_name_for_node(b.value) or "" for b in cls.bases] if cls else [],
        calls=c.call_words.get(id(f), []),
        dict_keys=c.dict_keys.get(id(f), set()),
        session_writes=c.session_writes.get(id(f), []),
    )


def wired_as(
    f: FunctionFacts, depends_refs: Collection[str], decorator_uses: Mapping[str, int]
) -> str | None:
    """How `f` itself serves every request, or None."""
    name = f.name
    if name in depends_refs:
        return f"{name}() is a request dependency (Depends({name}))"
    if decorator_uses.get(name):
        return f"{name} decorates request handlers (@{name})"
    for decorator in f.decorators:
        dname = decorator.rsplit(".", 1)[-1]
        if dname in _HOOK_DECORATORS:
            return f"{name}() runs before every request (@{dname})"
    if f.class_name:
        bases, label = f.class_bases, f.class_name
        if name in _AUTH_METHODS and (
            any(b.endswith(("Authentication", "Permission")) for b in bases)
            or label.endswith(("Authentication", "Auth"))
        ):
            return f"{label}.{name}() is an authentication class"
        if name in _MIDDLEWARE_METHODS and (
            any("Middleware" in b or "Interceptor" in b or "HTTPBearer" in b for b in bases)
            or "Middleware" in label
            or "Interceptor" in label
            or label in depends_refs
        ):
            return f"{label}.{name}() runs on every request (middleware)"
    hit = next((k for k in _AUTHORIZER_KEYS if k in f.dict_keys), None)
    if hit:
        return f"{name}() is a Lambda authorizer (returns {hit})"
    return None


def issues_credential(f: FunctionFacts, signals: Signals) -> str | None:
    """What `f` does to hand out the app's own session or token, or None."""
    hit = signals.any("credential_calls", f.calls)
    if hit:
        return f"{f.name}() issues the app's own session or token ({hit})"
    if f.session_writes:
        return f"{f.name}() writes the claims into the session ({f.session_writes[0]}[...] =)"
    own = next((k for k in _OWN_TOKEN_KEYS if k in f.dict_keys), None)
    if own:
        return f"{f.name}() answers with the app's own token ({own!r})"
    return None


def wiring(c: _Collector, signals: Signals, func: Function) -> tuple[str | None, str | None]:
    """(how the verifying function is wired to every request, how it issues its own session)."""
    wired = issued = None
    for f in reach(c, func):
        facts = cst_facts(c, f)
        wired = wired or wired_as(facts, c.depends_refs, c.decorator_uses)
        issued = issued or issues_credential(facts, signals)
        if wired:
            break
    return wired, issued
