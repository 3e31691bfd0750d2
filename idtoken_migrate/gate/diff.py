"""The change against a baseline: built by the gate (`baseline`), rendered by the reporters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from idtoken_migrate.model import Finding


@dataclass(frozen=True)
class BaselineDiff:
    """The change against a baseline file, matched by fingerprint.

    new: current findings whose fingerprint the baseline does not hold.
    fixed: baseline entries that are no longer found (rebuilt with `Finding.from_json`).
    unchanged_count: current findings the baseline already holds.
    """

    new: tuple[Finding, ...] = ()
    fixed: tuple[Finding, ...] = ()
    unchanged_count: int = 0


def held_by(baseline_diff: BaselineDiff | None) -> Callable[[Finding], bool]:
    """A test: is this finding one the baseline holds (matched, not new)? Always False without a
    baseline. Reporters use it so that, in every format, only new findings fail."""
    if baseline_diff is None:
        return lambda _f: False
    new = frozenset(baseline_diff.new)
    return lambda f: f not in new
