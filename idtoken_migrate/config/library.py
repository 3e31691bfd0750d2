"""A library's migration facts: the `library:` block of its rule pack (docs/rules.md).

What the planner, the renderer and the codemods need to know about a legacy library, in one
place: the exception classes the installed version has (per module) and the old names it
dropped, the error its callers catch (the generated TokenRejected subclasses it, so legacy
`except` clauses keep answering 4xx), per rejection reason the error the library raised (the
expired-token class among them), which class catches which, the import lines the generated
module needs, and the codemod its sites default to. Adding a library is its YAML pack.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from idtoken_migrate.config.yamlfile import YamlFileError, check_keys, line_of, str_list
from idtoken_migrate.vocabulary import ALL_REASONS

LIBRARY_KEYS = {
    "name",
    "codemod",
    "installs",
    "exceptions",
    "renames",
    "base",
    "catching",
    "errors",
    "parents",
    "reexports",
}
# `module.Class` or `module.Class as Alias`; a builtin (`ValueError`) has no module.
_CLASS = re.compile(
    r"(?P<qualified>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?:\s+as\s+(?P<alias>[A-Za-z_]\w*))?"
)
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
# The generated verifier imports PyJWT as `jwt`: its classes need no import line.
_ALWAYS_IMPORTED = "jwt"


@dataclass(frozen=True)
class ReasonError:
    """A legacy library's error for one failure: the rejection for `reason` subclasses it."""

    reason: str
    qualified: str  # where the library defines it: "jwt.InvalidAudienceError"
    name: str  # how the generated module refers to it
    import_line: str = ""  # "" for PyJWT (always imported)


@dataclass(frozen=True)
class ExceptionBase:
    """A legacy library's error type that TokenRejected can subclass."""

    library: str
    import_line: str  # "" for builtins and PyJWT (always imported)
    name: str
    qualified: str = ""  # where the library defines it (the name itself for builtins)
    # The library's error per failure: the rejection for that reason also subclasses it, so the
    # legacy `except jwt.InvalidAudienceError` branch still answers a wrong audience as before.
    by_reason: tuple[ReasonError, ...] = ()


@dataclass(frozen=True)
class LibraryFacts:
    """One library's `library:` block, checked."""

    name: str
    source: str = ""  # the pack file
    codemod: str = ""  # what its rules' `fix:` defaults to ("": each rule names its own)
    installs: str = ""  # the version `exceptions` describes: "PyJWT >= 2.13"
    exceptions: tuple[tuple[str, frozenset[str]], ...] = ()  # module -> its exception names
    renames: tuple[tuple[str, str], ...] = ()  # an older version's name -> the name it has now
    base: ExceptionBase | None = None  # None: TokenRejected cannot stand in for its errors
    catching: frozenset[str] = frozenset()  # last names of `except`s that catch TokenRejected
    parents: tuple[tuple[str, str], ...] = ()  # class -> the class it subclasses
    reexports: tuple[tuple[str, str], ...] = ()  # module -> the module `parents` names it by


def parse_library(raw: Any, source: str) -> LibraryFacts:
    """The facts of a pack's `library:` (a name alone, or the block); errors name file:line."""
    if isinstance(raw, str):
        if not raw.strip():
            raise YamlFileError(source, None, "library", "expected a library name")
        return LibraryFacts(name=raw, source=source)
    check_keys(raw, LIBRARY_KEYS, source, "library")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise YamlFileError(source, line_of(raw, "name"), "library.name", "expected a library name")
    codemod = _text(raw, "codemod", source)
    exceptions = _exceptions(raw, source)
    renames = _pairs(raw, "renames", source, _IDENTIFIER, "a class name")
    known = {n for _, names in exceptions for n in names}
    for old, new in renames:
        if exceptions and new not in known:
            raise YamlFileError(
                source,
                line_of(raw["renames"], old),
                f"library.renames.{old}",
                f"{new} is in none of library.exceptions",
            )
    base = None
    if "base" in raw:
        qualified, alias, import_line = _class(raw, "base", source, "library")
        errors = raw.get("errors") or {}
        check_keys(errors, set(ALL_REASONS), source, "library.errors")
        by_reason = tuple(
            ReasonError(reason, *_class(errors, reason, source, "library.errors"))
            for reason in errors
        )
        base = ExceptionBase(name, import_line, alias, qualified, by_reason)
    elif "errors" in raw:
        raise YamlFileError(source, line_of(raw, "errors"), "library.errors", "needs library.base")
    catching = str_list(raw, "catching", source, "library")
    for item in catching:
        if not _IDENTIFIER.fullmatch(item):
            raise YamlFileError(
                source, line_of(raw, "catching"), "library.catching", "expected class names"
            )
    return LibraryFacts(
        name=name,
        source=source,
        codemod=codemod,
        installs=_text(raw, "installs", source),
        exceptions=exceptions,
        renames=renames,
        base=base,
        catching=frozenset(catching),
        parents=_pairs(raw, "parents", source, _DOTTED, "a dotted class name"),
        reexports=_pairs(raw, "reexports", source, _DOTTED, "a dotted module name"),
    )


def _text(raw: Mapping[str, Any], key: str, source: str) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise YamlFileError(source, line_of(raw, key), f"library.{key}", "expected a string")
    return value.strip()


def _class(raw: Any, key: str, source: str, where: str) -> tuple[str, str, str]:
    """(qualified, name in the generated module, import line) of `module.Class [as Alias]`."""
    value = raw[key]
    match = _CLASS.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise YamlFileError(
            source, line_of(raw, key), f"{where}.{key}", "expected `module.Class [as Alias]`"
        )
    qualified, alias = match["qualified"], match["alias"]
    module, _, cls = qualified.rpartition(".")
    if alias:
        if not module:
            raise YamlFileError(
                source, line_of(raw, key), f"{where}.{key}", "a builtin takes no alias"
            )
        line = f"from {module} import {cls}" + (f" as {alias}" if alias != cls else "")
        return qualified, alias, line
    if module and module.split(".")[0] != _ALWAYS_IMPORTED:
        raise YamlFileError(
            source,
            line_of(raw, key),
            f"{where}.{key}",
            f"say how the generated module names it: `{qualified} as <Alias>`",
        )
    return qualified, qualified, ""


def _exceptions(raw: Mapping[str, Any], source: str) -> tuple[tuple[str, frozenset[str]], ...]:
    table = raw.get("exceptions") or {}
    if not isinstance(table, dict):
        raise YamlFileError(
            source, line_of(raw, "exceptions"), "library.exceptions", "expected a mapping"
        )
    out = []
    for module in table:
        if not _DOTTED.fullmatch(str(module)):
            raise YamlFileError(
                source, line_of(table, str(module)), f"library.exceptions.{module}", "not a module"
            )
        names = str_list(table, module, source, "library.exceptions")
        if not all(_IDENTIFIER.fullmatch(n) for n in names):
            raise YamlFileError(
                source,
                line_of(table, module),
                f"library.exceptions.{module}",
                "expected class names",
            )
        out.append((str(module), frozenset(names)))
    return tuple(out)


def _pairs(
    raw: Mapping[str, Any], key: str, source: str, pattern: re.Pattern[str], what: str
) -> tuple[tuple[str, str], ...]:
    table = raw.get(key) or {}
    if not isinstance(table, dict):
        raise YamlFileError(source, line_of(raw, key), f"library.{key}", "expected a mapping")
    for name, value in table.items():
        if not (
            isinstance(value, str)
            and pattern.fullmatch(str(name))
            and pattern.fullmatch(value.strip())
        ):
            raise YamlFileError(
                source, line_of(table, str(name)), f"library.{key}.{name}", f"expected {what}"
            )
    return tuple((str(name), value.strip()) for name, value in table.items())
