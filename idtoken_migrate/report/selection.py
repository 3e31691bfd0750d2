"""`--select` / `--ignore`: which findings a run reports, by rule id, rule-id prefix or kind.

As ruff's selectors: `IDT101` (a rule), `IDT1` (every rule whose id starts so), `id-token-login`
(a kind), `IDT101/id-token-bearer` (one rule and kind, as SARIF names it). Values may be given
comma-separated or repeated. A finding is reported when some `--select` selector matches it (or
none is given) and no `--ignore` selector does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from idtoken_migrate.model import KINDS, ScanResult, UsageError


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    @property
    def everything(self) -> bool:
        return not self.select and not self.ignore

    def includes(self, rule: str, kind: str) -> bool:
        if self.select and not any(_matches(s, rule, kind) for s in self.select):
            return False
        return not any(_matches(s, rule, kind) for s in self.ignore)


def _matches(selector: str, rule: str, kind: str) -> bool:
    if selector in KINDS:
        return kind == selector
    head, slash, tail = selector.partition("/")
    if slash:
        return rule == head and kind == tail
    return rule.startswith(selector)


def split_selectors(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def make_selection(
    select: Sequence[str], ignore: Sequence[str], rule_ids: Iterable[str]
) -> Selection:
    """The selection of the command line; UsageError naming a selector that matches no rule of
    the active packs and no kind (a typo would otherwise select nothing, silently)."""
    known = tuple(rule_ids)
    selection = Selection(split_selectors(select), split_selectors(ignore))
    for flag, selectors in (("--select", selection.select), ("--ignore", selection.ignore)):
        for selector in selectors:
            head, slash, tail = selector.partition("/")
            if selector in KINDS or (slash and tail in KINDS and head in known):
                continue
            if not slash and any(rule.startswith(selector) for rule in known):
                continue
            raise UsageError(
                f"{flag}: {selector!r} is no rule id, rule-id prefix or kind "
                f"(kinds: {', '.join(KINDS)}; rules: idtoken-migrate rules list)"
            )
    return selection


def apply_selection(result: ScanResult, selection: Selection) -> ScanResult:
    """The result with only the selected findings (stats.by_kind follows the findings)."""
    if selection.everything:
        return result
    kept = tuple(f for f in result.findings if selection.includes(f.rule, f.kind))
    return dataclasses.replace(result, findings=kept)
