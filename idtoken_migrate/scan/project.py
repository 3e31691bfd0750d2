"""The project-wide view: how a verify helper is wired when its callers live in other modules.

A site whose verifying function is neither wired to requests nor hands out a session in its own
module records, in its facts (`exported`), the module-level names other modules may call: the
helper and the functions that call it, or the module-level verifier object. Once per scan, the
other files are searched for those names as bytes; a file that names one and imports it is read
lexically (`lexical.py`: never parsed, so a file the prefilter rejected never reaches libcst), and
its calling functions are judged like local ones (`wiring.py`). The few files whose sites it
decides are scanned again with that knowledge; every other outcome is kept as scanned (or cached).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from idtoken_migrate.model import AMBIGUOUS, ID_TOKEN_BEARER, ID_TOKEN_LOGIN, FileOutcome
from idtoken_migrate.scan import lexical
from idtoken_migrate.scan.signals import Signals
from idtoken_migrate.scan.wiring import issues_credential, wired_as

_OPEN_KINDS = frozenset({ID_TOKEN_BEARER, AMBIGUOUS, ID_TOKEN_LOGIN})
_DECIDED = ("wired-to-requests", "issues-own-credential", "token-from-token-response")
_MAX_FILE = 2 * 1024 * 1024


@dataclass(frozen=True)
class Wiring:
    """What callers elsewhere do with a name's result; `where` says in which file and function."""

    wired: str | None = None
    issued: str | None = None


def open_names(outcomes: Sequence[FileOutcome]) -> dict[str, set[str]]:
    """Per file, the exported names of its sites that its own module left undecided."""
    found: dict[str, set[str]] = {}
    for outcome in outcomes:
        for f in outcome.findings:
            if f.kind not in _OPEN_KINDS:
                continue
            signals = f.facts.signals or ()
            names = list(f.facts.exported or ())
            if names and not any(s in signals for s in _DECIDED):
                found.setdefault(f.path, set()).update(names)
    return found


_PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")


class _Projects:
    """The project a file belongs to: its nearest folder with a pyproject.toml, setup.py or
    setup.cfg (the scanned root when there is none). Vendored or side-by-side distributions
    are other projects, and nobody imports a module across that line."""

    def __init__(self, files: Sequence[tuple[str, Path]]) -> None:
        self.base: dict[str, Path] = {}
        for relpath, path in files:
            parts = relpath.count("/") + 1
            root = path.parents[parts - 1] if parts <= len(path.parents) else path.parent
            self.base.setdefault("", root)
            break
        self.memo: dict[str, str] = {}

    def of(self, relpath: str) -> str:
        folder = relpath.rsplit("/", 1)[0] if "/" in relpath else ""
        return self._folder(folder)

    def _folder(self, folder: str) -> str:
        if folder in self.memo:
            return self.memo[folder]
        root = self.base.get("")
        if not folder or root is None:
            found = ""
        elif any((root / folder / m).exists() for m in _PROJECT_MARKERS):
            found = folder
        else:
            found = self._folder(folder.rsplit("/", 1)[0] if "/" in folder else "")
        self.memo[folder] = found
        return found


def _stem(relpath: str) -> str:
    """The module name other files import a file by: `services/google.py` -> `google`."""
    path = Path(relpath)
    return path.parent.name if path.stem == "__init__" else path.stem


def callers_wiring(
    names: dict[str, set[str]],
    files: Sequence[tuple[str, Path]],
    signals: Signals,
) -> dict[str, dict[str, Wiring]]:
    """Per site file, per exported name: how callers in the other files use it."""
    stems = {site: _stem(site) for site in names}
    wanted = sorted({s for s in stems.values() if s})
    if not wanted:
        return {}
    # Bytes first (plain `in`, the cheapest test there is): a file that never names a site's
    # module cannot import from it.
    literals = [(s, s.encode()) for s in wanted]
    result: dict[str, dict[str, Wiring]] = {}
    projects = _Projects(files)
    site_projects = {projects.of(site) for site in names}
    for relpath, path in files:
        if relpath in names or projects.of(relpath) not in site_projects:
            continue  # another distribution (its own pyproject.toml) does not import this one
        try:
            if path.stat().st_size > _MAX_FILE:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        head = _header(data)
        hits = {s for s, b in literals if b in head}
        if not hits:
            continue
        text = data.decode("utf-8", "replace")
        module: lexical.LexModule | None = None
        for site_path, group in names.items():
            if stems[site_path] not in hits:
                continue
            for name in sorted(group):
                imported, _, method = name.partition(".")  # `Class.method`: import the class
                if not _imports(head.decode("utf-8", "replace"), text, stems[site_path], imported):
                    continue
                module = module or lexical.read(text)
                found = _judge(module, method or imported, relpath, signals)
                if found.wired or found.issued:
                    current = result.setdefault(site_path, {}).get(name, Wiring())
                    result[site_path][name] = Wiring(
                        current.wired or found.wired, current.issued or found.issued
                    )
    return result


def importers_of(
    relpath: str, names: Sequence[str], files: dict[str, bytes]
) -> tuple[tuple[str, str], ...]:
    """Which of `names` (module-level names of `relpath`) another file of `files` imports,
    each with the first file (by path) that does: `from <module> import name` or
    `<module>.name` after importing the module."""
    stem = _stem(relpath)
    wanted = stem.encode()
    found: dict[str, str] = {}
    for other in sorted(files):
        data = files[other]
        if other == relpath or wanted not in data:
            continue
        head = _header(data).decode("utf-8", "replace")
        text = data.decode("utf-8", "replace")
        for name in names:
            if name not in found and _imports(head, text, stem, name):
                found[name] = other
    return tuple(sorted(found.items()))


def member_users(
    relpath: str, names: Sequence[str], files: dict[str, bytes]
) -> tuple[tuple[str, str], ...]:
    """Which of `names` (members of the classes in `relpath`) another file of `files` names, each
    as `.name` with the first file (by path) that does: an attribute `.name` on any object, a
    `def name` (an override in a subclass), or the string "name" (getattr, patch.object)."""
    if not names:
        return ()
    alternatives = b"|".join(re.escape(n.encode()) for n in sorted(names))
    pattern = re.compile(rb"(?:\.|\bdef[ \t]+|['\"])(" + alternatives + rb")\b")
    found: dict[str, str] = {}
    for other in sorted(files):
        if other == relpath:
            continue
        for match in pattern.finditer(files[other]):
            found.setdefault("." + match[1].decode(), other)
    return tuple(sorted(found.items()))


def _header(data: bytes) -> bytes:
    """The file up to its first top-level def or class: where its imports are (cheap to search;
    an import made inside a function is not seen)."""
    end = len(data)
    for marker in (b"\ndef ", b"\nclass ", b"\nasync def ", b"\n@"):
        at = data.find(marker, 0, end)
        if at != -1:
            end = at
    return data[:end]


def _imports(head: str, text: str, stem: str, name: str) -> bool:
    """`from x.stem import name` (also in parentheses), or `stem.name` after importing `stem`."""
    mod, word = re.escape(stem), re.compile(rf"\b{re.escape(name)}\b")
    names = r"(?:\((?P<list>[^)]*)\)|(?P<line>[^\n]*))"
    pattern = rf"^[ \t]*from[ \t]+[\w.]*\b{mod}[ \t]+import[ \t]*{names}"
    for match in re.finditer(pattern, head, re.M):
        if word.search(match["list"] or match["line"] or ""):
            return True
    imported = re.search(rf"^[ \t]*(?:from[ \t]+[\w.]+[ \t]+)?import[^\n]*\b{mod}\b", head, re.M)
    return imported is not None and re.search(rf"\b{mod}\.{re.escape(name)}\b", text) is not None


def _judge(module: lexical.LexModule, name: str, relpath: str, signals: Signals) -> Wiring:
    wired = issued = None
    level = [name]
    seen: set[str] = set()
    for _ in range(3):  # the caller, its callers, theirs: as far as the in-module view goes
        nxt: list[str] = []
        for callee in level:
            if callee in seen:
                continue
            seen.add(callee)
            for caller in module.callers_of(callee):
                if caller is None:
                    continue
                where = f"{relpath}:{caller.line}"
                w = wired_as(caller, module.depends_refs, module.decorator_uses)
                i = issues_credential(caller, signals)
                wired = wired or (w and f"{w} in {where}")
                issued = issued or (i and f"{i} in {where}")
                nxt.append(caller.name)
                parent = caller.parent
                while parent is not None:
                    nxt.append(parent.name)
                    parent = parent.parent
        if wired:
            break
        level = nxt
    return Wiring(wired, issued)


def revisit(
    outcomes: list[FileOutcome],
    files: Sequence[tuple[str, Path]],
    signals: Signals,
    rescan: Callable[[str, Path, dict[str, Wiring]], FileOutcome | None],
) -> list[FileOutcome]:
    """The outcomes with the sites other modules decide scanned again (see the module doc)."""
    names = open_names(outcomes)
    if not names:
        return outcomes
    decided = callers_wiring(names, files, signals)
    if not decided:
        return outcomes
    paths = dict(files)
    out: list[FileOutcome] = []
    for outcome in outcomes:
        view = decided.get(outcome.path)
        again = rescan(outcome.path, paths[outcome.path], view) if view else None
        out.append(again if again is not None else outcome)
    return out
