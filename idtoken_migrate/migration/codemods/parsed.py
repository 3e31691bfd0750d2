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
# The nodes of each tree walked: id(tree) -> (tree, its nodes); the tree is held so the id stays.
_WALKED: ContextVar[dict[int, tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]] | None] = ContextVar(
    "shared_walks", default=None
)


@contextmanager
def shared_parses() -> Iterator[None]:
    """While inside, `parsed(source)` returns the same wrapper for the same bytes."""
    token, walked = _SHARED.set({}), _WALKED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)
        _WALKED.reset(walked)


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


def all_nodes(tree: cst.CSTNode) -> tuple[cst.CSTNode, ...]:
    """Every node of `tree` (itself included), in source order; walked once per tree inside
    `shared_parses()` (each codemod run of a file looks for the same nodes of the same tree)."""
    walked = _WALKED.get()
    if walked is not None and id(tree) in walked:
        return walked[id(tree)][1]
    found: list[cst.CSTNode] = []

    class _Walk(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            found.append(node)
            return True

    tree.visit(_Walk())
    if walked is not None:
        walked[id(tree)] = (tree, tuple(found))
    return tuple(found)
