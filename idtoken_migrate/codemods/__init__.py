"""Codemods that migrate one verification site, named by the `fix: codemod:` of a rule.

A codemod takes a file's bytes and the `SiteEdit`s of that file (positions as scanned) and
returns the new bytes with all of them migrated in one pass, or raises `SiteUnsafe` with the
reason; it never returns a half-edited file. Adding a library is YAML
plus, at most, one module here registered in CODEMODS.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from idtoken_migrate.model import Finding

MANUAL = "manual"


class SiteUnsafe(Exception):
    """The site cannot be migrated safely; the message says why, for the plan and the report."""


@dataclass(frozen=True)
class VerifierImport:
    """How a patched file imports the generated verifier: `from <module> import verify_token`."""

    module: str  # dotted module path, relative to the package when `relative` > 0
    relative: int = 0  # leading dots
    name: str = "verify_token"

    @property
    def statement(self) -> str:
        return f"from {'.' * self.relative}{self.module} import {self.name}"


@dataclass(frozen=True)
class SiteEdit:
    """Everything a codemod needs to migrate one site."""

    finding: Finding
    params: tuple[tuple[str, str], ...]  # the rule's fix params, as written in its pack
    verifier: VerifierImport
    token_positions: tuple[int, ...] = (0,)  # where the rule says the token argument is
    token_keywords: tuple[str, ...] = ("token",)
    package: str = ""  # dotted package of the patched file ("" for a top-level module)
    exception_bases: tuple[str, ...] = ("pyjwt",)  # what the rendered TokenRejected subclasses

    @property
    def param(self) -> dict[str, str]:
        return dict(self.params)

    def param_list(self, name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.param.get(name)
        if value is None:
            return default
        return tuple(item.strip() for item in str(value).split(",") if item.strip())


Codemod = Callable[[bytes, Sequence[SiteEdit]], bytes]


def codemods() -> dict[str, Codemod]:
    """The codemods by the name a rule's `fix: codemod:` uses (MANUAL sites are never edited)."""
    from idtoken_migrate.codemods.replace_verify_call import replace_verify_call

    return {"replace-verify-call": replace_verify_call}


def run_codemod(name: str, source: bytes, edits: Sequence[SiteEdit]) -> bytes:
    """`codemods()[name](source, edits)`, remembered: plan, review and apply ask the same."""
    ok, value = _run_cached(name, source, tuple(edits))
    if not ok:
        raise SiteUnsafe(value)
    assert isinstance(value, bytes)
    return value


@lru_cache(maxsize=128)
def _run_cached(name: str, source: bytes, edits: tuple[SiteEdit, ...]) -> tuple[bool, bytes | str]:
    try:
        return True, codemods()[name](source, edits)
    except SiteUnsafe as error:
        return False, str(error)
