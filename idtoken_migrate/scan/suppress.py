"""Suppression comments, as `# noqa` and `# nosemgrep` work.

`# idtoken-migrate: ignore[IDT101]` (or `ignore` for every rule) on any line of the finding (the
first, the last, or a line inside a call spread over several), or alone on the line above it;
`# idtoken-migrate: ignore-file[IDT101]` anywhere in the file. Case-insensitive, rule ids too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_COMMENT = re.compile(
    r"#\s*idtoken-migrate:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?", re.IGNORECASE
)
MARKER = "idtoken-migrate:"
ALL = frozenset({"*"})


@dataclass(frozen=True)
class Suppression:
    """One suppression comment."""

    line: int  # where the comment is
    target: int  # the first line it covers: its own, or the next code line for a comment alone
    rules: frozenset[str]  # upper-cased rule ids; ALL for every rule
    whole_file: bool = False
    text: str = ""  # the directive as written, for messages

    def applies_to(self, rule: str, line: int, end_line: int) -> bool:
        if self.rules != ALL and rule.upper() not in self.rules:
            return False
        return self.whole_file or line <= self.target <= max(line, end_line)


@dataclass(frozen=True)
class Suppressions:
    entries: tuple[Suppression, ...] = ()

    def covers(self, rule: str, line: int, end_line: int) -> bool:
        return any(s.applies_to(rule, line, end_line) for s in self.entries)


def parse_suppressions(text: str) -> Suppressions:
    if MARKER not in text.lower():
        return Suppressions()
    lines = text.splitlines()
    entries: list[Suppression] = []
    for number, line in enumerate(lines, start=1):
        if MARKER not in line.lower():
            continue
        alone = line.lstrip().startswith("#")
        for match in _COMMENT.finditer(line):
            listed = match.group(2)
            rules = (
                frozenset(r.strip().upper() for r in listed.split(",") if r.strip())
                if listed
                else ALL
            ) or ALL
            whole_file = match.group(1).lower() == "ignore-file"
            target = _next_code_line(lines, number) if alone and not whole_file else number
            entries.append(Suppression(number, target, rules, whole_file, match.group(0)))
    return Suppressions(tuple(entries))


def _next_code_line(lines: list[str], number: int) -> int:
    """The line a comment standing alone on line `number` is about: the next one with code."""
    for following in range(number, len(lines)):
        stripped = lines[following].strip()
        if stripped and not stripped.startswith("#"):
            return following + 1
    return number


@dataclass(frozen=True)
class SuppressionNote:
    """A suppression that suppresses nothing, or names a rule no pack has."""

    path: str
    line: int
    message: str


def unknown_rules(
    suppressions: Suppressions, path: str, known_rules: Iterable[str]
) -> list[SuppressionNote]:
    """The suppression comments naming a rule id no active pack has (a typo suppresses nothing)."""
    known = {rule.upper() for rule in known_rules}
    notes = []
    for s in suppressions.entries:
        unknown = sorted(s.rules - ALL - known)
        if unknown:
            names = ", ".join(unknown)
            notes.append(SuppressionNote(path, s.line, f"unknown rule {names} in `{s.text}`"))
    return notes


def audit(
    suppressions: Suppressions,
    path: str,
    findings: Iterable[tuple[str, int, int]],
    known_rules: Iterable[str],
) -> list[SuppressionNote]:
    """What is wrong with a file's suppressions, given every finding in it before suppression
    ((rule, line, end_line) triples) and the rule ids of the active packs."""
    known = {rule.upper() for rule in known_rules}
    sites = list(findings)
    notes: list[SuppressionNote] = []
    for s in suppressions.entries:
        notes += unknown_rules(Suppressions((s,)), path, known)
        covered = [rule for rule, line, end in sites if s.applies_to(rule, line, end)]
        if s.rules == ALL:
            unused = [] if covered else ["*"]
        else:
            used = {rule.upper() for rule in covered}
            unused = sorted((s.rules & known) - used)
        if unused:
            partly = s.rules != ALL and len(unused) < len(s.rules)
            what = f" (unused: {', '.join(unused)})" if partly else ""
            notes.append(SuppressionNote(path, s.line, f"unused suppression `{s.text}`{what}"))
    return notes
