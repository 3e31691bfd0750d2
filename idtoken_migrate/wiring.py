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

from collections.abc import Iterator

import libcst as cst
from libcst.helpers import get_full_name_for_node

from idtoken_migrate.analyze import Function, _Collector
from idtoken_migrate.signals import Signals

_MAX_HOPS = 3
_HOOK_DECORATORS = ("before_request", "before_app_request", "middleware", "before_serving")
_MIDDLEWARE_METHODS = frozenset(
    {"__call__", "process_request", "process_view", "dispatch", "intercept_service", "resolve"}
)
_AUTH_METHODS = frozenset({"authenticate", "authenticate_credentials", "has_permission"})
_AUTHORIZER_KEYS = ("policyDocument", "principalId", "isAuthorized")


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
        level = nxt


def _bases(cls: cst.ClassDef) -> list[str]:
    return [get_full_name_for_node(b.value) or "" for b in cls.bases]


def wired_as(c: _Collector, f: cst.FunctionDef) -> str | None:
    """How `f` itself serves every request, or None."""
    name = f.name.value
    if name in c.depends_refs:
        return f"{name}() is a request dependency (Depends({name}))"
    if c.decorator_uses.get(name):
        return f"{name} decorates request handlers (@{name})"
    for decorator in f.decorators:
        target = decorator.decorator
        target = target.func if isinstance(target, cst.Call) else target
        dname = (get_full_name_for_node(target) or "").rsplit(".", 1)[-1]
        if dname in _HOOK_DECORATORS:
            return f"{name}() runs before every request (@{dname})"
    cls = c.func_classdef.get(id(f))
    if cls is not None:
        bases = _bases(cls)
        label = cls.name.value
        if name in _AUTH_METHODS and (
            any(b.endswith(("Authentication", "Permission")) for b in bases)
            or label.endswith(("Authentication", "Auth"))
        ):
            return f"{label}.{name}() is an authentication class"
        if name in _MIDDLEWARE_METHODS and (
            any("Middleware" in b or "Interceptor" in b or "HTTPBearer" in b for b in bases)
            or "Middleware" in label
            or "Interceptor" in label
            or label in c.depends_refs
        ):
            return f"{label}.{name}() runs on every request (middleware)"
    keys = c.dict_keys.get(id(f), set())
    hit = next((k for k in _AUTHORIZER_KEYS if k in keys), None)
    if hit:
        return f"{name}() is a Lambda authorizer (returns {hit})"
    return None


def issues_credential(c: _Collector, signals: Signals, f: cst.FunctionDef) -> str | None:
    """What `f` does to hand out the app's own session or token, or None."""
    made = c.call_words.get(id(f), [])
    hit = signals.any("credential_calls", made)
    if hit:
        return f"{f.name.value}() issues the app's own session or token ({hit})"
    writes = c.session_writes.get(id(f))
    if writes:
        return f"{f.name.value}() writes the claims into the session ({writes[0]}[...] =)"
    return None


def wiring(c: _Collector, signals: Signals, func: Function) -> tuple[str | None, str | None]:
    """(how the verifying function is wired to every request, how it issues its own session)."""
    wired = issued = None
    for f in reach(c, func):
        wired = wired or wired_as(c, f)
        issued = issued or issues_credential(c, signals, f)
        if wired:
            break
    return wired, issued
