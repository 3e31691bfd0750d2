"""One libcst parse and one metadata resolution per file for a whole plan.

A plan runs a file's codemod once per site, once more for all its sites together, and reads
its `except` clauses for the plan's rejection notes: all from the same bytes. Inside
`shared_parses()` they share one `MetadataWrapper` per distinct source (libcst trees are
immutable, a provider is resolved once per wrapper), so a file is parsed once and its scopes
and qualified names are computed once. Outside it (`apply` re-running a reviewed subset, the
tests) every call parses afresh, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import libcst as cst
from libcst.metadata import MetadataWrapper

_SHARED: ContextVar[dict[bytes, MetadataWrapper] | None] = ContextVar("shared_parses", default=None)


@contextmanager
def shared_parses() -> Iterator[None]:
    """While inside, `parsed(source)` returns the same wrapper for the same bytes."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def parsed(source: bytes) -> MetadataWrapper:
    """The wrapper of `source`'s module (shared inside `shared_parses()`); its module is never
    edited in place, so every run starts from the same tree. Raises cst.ParserSyntaxError."""
    shared = _SHARED.get()
    if shared is not None and source in shared:
        return shared[source]
    # A fresh parse has no node twice: the wrapper need not copy it.
    wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
    if shared is not None:
        shared[source] = wrapper
    return wrapper
