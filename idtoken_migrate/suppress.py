"""Suppression comments: `# idtoken-migrate: ignore[RULE]` on a line, `ignore-file` anywhere."""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMMENT = re.compile(r"#\s*idtoken-migrate:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?")
ALL = frozenset({"*"})


@dataclass(frozen=True)
class Suppressions:
    file_rules: frozenset[str]
    line_rules: dict[int, frozenset[str]]

    def covers(self, rule: str, line: int, end_line: int) -> bool:
        if self.file_rules & {rule, "*"}:
            return True
        for n in {line, end_line}:
            rules = self.line_rules.get(n)
            if rules and rules & {rule, "*"}:
                return True
        return False


def parse_suppressions(text: str) -> Suppressions:
    file_rules: set[str] = set()
    line_rules: dict[int, frozenset[str]] = {}
    if "idtoken-migrate:" not in text:
        return Suppressions(frozenset(), {})
    for number, line in enumerate(text.splitlines(), start=1):
        if "idtoken-migrate:" not in line:
            continue
        for match in _COMMENT.finditer(line):
            listed = match.group(2)
            rules = (
                frozenset(r.strip() for r in listed.split(",") if r.strip()) if listed else ALL
            ) or ALL
            if match.group(1) == "ignore-file":
                file_rules |= rules
            else:
                line_rules[number] = line_rules.get(number, frozenset()) | rules
    return Suppressions(frozenset(file_rules), line_rules)
