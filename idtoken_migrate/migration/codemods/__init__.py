"""Codemods that migrate one verification site, named by the `fix: codemod:` of a rule.

A codemod takes a file's bytes and the `SiteEdit`s of that file (positions as scanned) and
returns the new bytes with all of them migrated in one pass (or a `Migrated`, when it also has
what it kept for the plan to report), or raises `SiteUnsafe` with the reason; it never returns a
half-edited file. A codemod is a function in a module of this package,
registered under its name with `@register("name")`; adding a library is YAML plus, at most, one
such module.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from idtoken_migrate.config.library import LibraryFacts
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
    # Last names of the `except`s that catch it (the `library: catching:` of those libraries).
    catching: frozenset[str] = frozenset()
    library: LibraryFacts | None = None  # the `library:` facts of the site's library
    # Top-level modules isort / ruff count as first party here (their `src` folders' contents):
    # the verifier's import goes in that section when its module is one of them.
    first_party: tuple[str, ...] = ()
    # Module-level names of the patched file that other modules of the project import, with
    # the first file that does: (name, path). An object one of them names has escaped.
    imported_by: tuple[tuple[str, str], ...] = ()

    @property
    def importers(self) -> dict[str, str]:
        return dict(self.imported_by)

    @property
    def param(self) -> dict[str, str]:
        return dict(self.params)

    def param_list(self, name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.param.get(name)
        if value is None:
            return default
        return tuple(item.strip() for item in str(value).split(",") if item.strip())


@dataclass(frozen=True)
class Migrated:
    """What a codemod made of a file: the new bytes, and the code it left in place that fed the
    old calls ("`get_jwks` (line 14): also used at line 40"), for the plan's notes."""

    after: bytes
    kept: tuple[str, ...] = ()


Codemod = Callable[[bytes, Sequence[SiteEdit]], bytes | Migrated]


_REGISTRY: dict[str, Codemod] = {}


def register(name: str) -> Callable[[Codemod], Codemod]:
    """Register the decorated function as the codemod a rule names with `fix: codemod: <name>`."""

    def decorate(codemod: Codemod) -> Codemod:
        if name == MANUAL or _REGISTRY.get(name, codemod) is not codemod:
            raise ValueError(f"codemod {name!r} is registered twice")
        _REGISTRY[name] = codemod
        return codemod

    return decorate


@lru_cache(maxsize=1)
def codemods() -> Mapping[str, Codemod]:
    """The codemods by the name a rule's `fix: codemod:` uses (MANUAL sites are never edited).
    Importing this package's modules registers them; libcst loads only when a plan needs it."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return MappingProxyType(_REGISTRY)


def run_codemod(name: str, source: bytes, edits: Sequence[SiteEdit]) -> Migrated:
    """`codemods()[name](source, edits)`. The planner runs each site's codemod once (and once
    more per file with several sites, all together) and the plan carries the bytes; `apply`
    runs one again only for the subset of a file's sites a review accepted."""
    result = codemods()[name](source, tuple(edits))
    return result if isinstance(result, Migrated) else Migrated(result)
