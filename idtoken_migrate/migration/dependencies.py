"""Can the migrated dependency set install? The project's own pins checked against what the
verifier's library needs (its rule pack's `install:` facts), offline.

`pyjwt[crypto]>=2.13` pulls in `cryptography>=3.4.0`: a project that pins `cryptography==2.2.2`
gets `ResolutionImpossible` from pip once the migration raised PyJWT. Each pin whose versions
cannot meet a requirement is a `PinConflict`: raised in requirement, constraint and `.in` files
and in pyproject.toml's dependency arrays (its upper bounds and exclusions kept where they still
admit a version), reported with the line in setup.py, setup.cfg and Pipfile and in hash-locked
files (which need re-locking, not an edit). Text only; nothing here touches the network.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from idtoken_migrate.config.rulepack import Incompatible, InstallFacts
from idtoken_migrate.migration.codemods.project_files import (
    PYJWT_REQUIREMENT,
    dependency_strings,
    update_pyproject,
    update_requirements,
)

# The library the generated verifier imports: its pack's `install:` facts are the ones checked.
VERIFIER_LIBRARY = "pyjwt"
# A requirement line: the name, extras, the version specifiers (none: only an incompatible
# package, every release of which fails, matters), then a marker, a comment or a line
# continuation (the spec is what is raised; everything around it stays).
_LINE = re.compile(
    r"^(?P<head>\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*)"
    r"(?P<spec>(?:===|==|!=|<=|>=|~=|<|>)[^;#\\]*?)?(?P<rest>\s*(?:;[^#\\]*)?(?:\s#.*)?\s*\\?\s*)$"
)
_LOCKED = "the file is hash-locked: re-lock it (pip-compile) with the new requirement"
_QUOTED = re.compile(r"""["']([^"'\n]+)["']""")
_PIPFILE = re.compile(r"""^\s*"?([A-Za-z0-9][A-Za-z0-9._-]*)"?\s*=\s*["']([^"']*)["']""")


@dataclass(frozen=True)
class PinConflict:
    """A project pin no version of which meets what the verifier's library needs."""

    path: str  # relative to the project root
    line: int
    pin: str  # as written: `cryptography==2.2.2`
    needed: str  # `cryptography>=3.4.0`
    raised: str | None  # what the pin becomes, or None when it is left to the user
    why_manual: str = ""  # when raised is None
    incompatible: bool = False  # `needed` is why the pinned releases cannot go with PyJWT

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"

    def describe(self) -> str:
        if self.incompatible:
            head = (
                f"{self.location}: `{self.pin}` cannot go with {PYJWT_REQUIREMENT}: {self.needed}"
            )
        else:
            head = (
                f"{self.location}: `{self.pin}` cannot install with {PYJWT_REQUIREMENT}, "
                f"whose metadata requires `{self.needed}`"
            )
        if self.raised is not None:
            return f"{head}: apply raises it to `{self.raised}` (check the app's own use of it)"
        return f"{head}: {self.why_manual}"

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "pin": self.pin,
            "needed": self.needed,
            "raised": self.raised,
        }


def satisfiable(*sets: SpecifierSet) -> bool:
    """Whether some version meets every specifier set. Offline, so judged on the versions the
    sets name and the ones just above them (a bound is met at or just past a named version);
    arbitrary equality (`===`) is taken as satisfiable."""
    candidates = {"0"}
    for specifiers in sets:
        for spec in specifiers:
            if spec.operator == "===":
                return True
            version = spec.version.removesuffix(".*")
            candidates |= {version, version + ".0.0.0.1"}
    for text in candidates:
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if all(s.contains(version, prereleases=True) for s in sets):
            return True
    return False


@dataclass(frozen=True)
class _Needs:
    """What the verifier's library needs of the project's pins: the requirements it pulls in,
    and the packages whose releases cannot install or run beside it."""

    requires: dict[str, Requirement]
    incompatible: dict[str, Incompatible]


def _needed(facts: InstallFacts) -> _Needs:
    return _Needs(
        {canonicalize_name(r.name): r for r in map(Requirement, facts.requires)},
        {canonicalize_name(c.package): c for c in facts.incompatible},
    )


def _only_incompatible(pin: SpecifierSet, versions: SpecifierSet) -> bool:
    """Whether pip, taking the newest release `pin` admits, ends among `versions`: every
    release the pin admits is among them (no release outside, each bound negated, meets the
    pin), or `versions` has no upper bound (no newer release works: pip would fail, or go back
    to a release from before the ones listed) and the pin admits one of them."""
    if not satisfiable(pin, versions):
        return False
    if not any(s.operator in ("<", "<=", "==", "===") for s in versions):
        return True
    negated = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
    outside = [SpecifierSet(f"{negated[s.operator]}{s.version}") for s in versions]
    return not any(satisfiable(pin, o) for o in outside)


def _raise(pin: SpecifierSet, needed: SpecifierSet) -> str:
    """`needed` plus the pin's upper bounds, exclusions and higher lower bounds that still
    admit a version with it (`>=2,<50` with `>=3.4.0` -> `>=3.4.0,<50`)."""
    floor = min((Version(s.version) for s in needed if s.operator in (">=", ">")), default=None)
    kept: list[Specifier] = []
    for spec in pin:
        if spec.operator in ("==", "===", "~="):
            continue
        below = floor is not None and Version(spec.version.removesuffix(".*")) < floor
        if spec.operator == "!=" and below:
            continue  # excludes nothing the floor admits
        if spec.operator in (">=", ">") and (floor is None or Version(spec.version) <= floor):
            continue
        if satisfiable(needed, SpecifierSet(str(spec)), SpecifierSet(",".join(map(str, kept)))):
            kept.append(spec)
    return ",".join([str(s) for s in sorted(needed, key=str)] + [str(s) for s in kept])


def _conflict(
    requirement: str, needed: _Needs
) -> tuple[Requirement, str, str | None, Incompatible | None] | None:
    """(the pin, the requirement it cannot meet or why its releases cannot go with PyJWT, the
    specifiers it is raised to or None when that is left to the user, the incompatibility)
    when `requirement` conflicts."""
    try:
        pin = Requirement(requirement)
    except InvalidRequirement:
        return None
    if pin.url:
        return None
    name = canonicalize_name(pin.name)
    bad = needed.incompatible.get(name)
    if bad is not None and _only_incompatible(pin.specifier, SpecifierSet(bad.versions)):
        raised = _raise(pin.specifier, SpecifierSet(bad.raise_to)) if bad.raise_to else None
        return pin, bad.why, raised, bad
    want = needed.requires.get(name)
    if want is None or satisfiable(pin.specifier, want.specifier):
        return None
    text = f"{want.name}{want.specifier}" + (f" (on {want.marker})" if want.marker else "")
    return pin, text, _raise(pin.specifier, want.specifier), None


def _pin_conflict(
    path: str, number: int, body: str, needed: _Needs
) -> tuple[PinConflict, str] | None:
    """The conflict of the requirement `body` (a requirements line or a pyproject string) and
    `body` raised: only the version specifiers change; name, extras, marker, comment stay
    (`body` itself when the change is left to the user)."""
    match = _LINE.match(body)
    if match is None:
        return None
    spec = match["spec"] or ""
    found = _conflict(f"{match['name']}{spec}", needed)
    if found is None:
        return None
    pin, want, raised, bad = found
    head = match["head"].strip()
    conflict = PinConflict(
        path,
        number,
        head + spec.strip(),
        want,
        head + raised if raised else None,
        bad.instead if bad else "",
        incompatible=bad is not None,
    )
    return conflict, (match["head"] + raised + match["rest"]) if raised else body


def requirement_conflicts(path: str, text: str, facts: InstallFacts) -> list[PinConflict]:
    """The conflicting pins of a requirement, constraint or `.in` file, each with what it
    becomes (hash-locked files: reported, to be re-locked)."""
    needed = _needed(facts)
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        found = _pin_conflict(path, number, line, needed)
        if found is not None and "--hash" in text:
            out.append(dataclasses.replace(found[0], raised=None, why_manual=_LOCKED))
        elif found is not None:
            out.append(found[0])
    return out


def raise_requirement_pins(text: str, facts: InstallFacts) -> str:
    """The file with every conflicting pin raised (hash-locked files: unchanged)."""
    if "--hash" in text:
        return text
    needed = _needed(facts)
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        body = line.rstrip("\r\n")
        found = _pin_conflict("", index + 1, body, needed)
        if found is not None:
            lines[index] = found[1] + line[len(body) :]
    return "".join(lines)


def pyproject_conflicts(text: str, facts: InstallFacts) -> list[PinConflict]:
    """Conflicting pins among pyproject.toml's `[project]` dependency strings (raised)."""
    needed = _needed(facts)
    out = []
    for start, end in dependency_strings(text):
        line = text.count("\n", 0, start) + 1
        found = _pin_conflict("pyproject.toml", line, text[start + 1 : end - 1], needed)
        if found is not None:
            out.append(found[0])
    return out


def raise_pyproject_pins(text: str, facts: InstallFacts) -> str:
    """pyproject.toml with every conflicting dependency string raised."""
    needed = _needed(facts)
    out: list[str] = []
    position = 0
    for start, end in dependency_strings(text):
        found = _pin_conflict("", 0, text[start + 1 : end - 1], needed)
        if found is None:
            continue
        out.append(text[position : start + 1] + found[1])
        position = end - 1
    return "".join(out) + text[position:]


def manual_conflicts(path: str, text: str, facts: InstallFacts) -> list[PinConflict]:
    """Conflicting pins in files edited by hand (setup.py, setup.cfg, Pipfile), by line."""
    needed = _needed(facts)
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        for requirement in _candidates(line):
            found = _pin_conflict(path, number, requirement.strip(), needed)
            if found is not None:
                raised = found[0].raised
                why = f"change it to `{raised}` by hand" if raised else found[0].why_manual
                out.append(dataclasses.replace(found[0], raised=None, why_manual=why))
                break
    return out


def _candidates(line: str) -> Iterable[str]:
    """Requirement strings a setup.py, setup.cfg or Pipfile line may hold."""
    pipfile = _PIPFILE.match(line)
    if pipfile:
        spec = pipfile[2].strip()
        if spec and spec != "*":
            try:
                SpecifierSet(spec)
            except InvalidSpecifier:
                return
            yield f"{pipfile[1]}{spec}"
        return
    yield from _QUOTED.findall(line)
    yield line.strip().rstrip(",")


def python_floor(facts: InstallFacts | None) -> tuple[int, int] | None:
    """The lowest Python the library supports (`>=3.9` -> (3, 9)), or None."""
    if facts is None:
        return None
    lows = [Version(s.version) for s in SpecifierSet(facts.python) if s.operator in (">=", ">")]
    if not lows:
        return None
    low = max(lows)
    return (low.major, low.minor)


def migrated_requirements(text: str, facts: InstallFacts | None, *, add_missing: bool) -> str:
    """A requirement file as the migration leaves it: PyJWT raised (added to the root
    requirements.txt when missing) and the pins that conflict with it raised."""
    text = update_requirements(text, add_missing=add_missing)
    return raise_requirement_pins(text, facts) if facts is not None else text


def migrated_pyproject(text: str, facts: InstallFacts | None) -> str | None:
    """pyproject.toml as the migration leaves it; None when it lists neither PyJWT nor a pin
    that conflicts with it."""
    updated = update_pyproject(text)
    raised = raise_pyproject_pins(updated or text, facts) if facts is not None else text
    if updated is None and raised == text:
        return None
    return raised
