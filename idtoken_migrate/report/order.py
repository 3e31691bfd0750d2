"""The one order every reporter lists findings and errors in, so outputs are stable and diffable."""

from __future__ import annotations

from collections.abc import Iterable

from idtoken_migrate.model import ACTIONABLE_KINDS, AMBIGUOUS, FileError, Finding


def finding_key(f: Finding) -> tuple[str, int, int, str, str]:
    return (f.path, f.line, f.column, f.rule, f.fingerprint)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=finding_key)


def sorted_errors(errors: Iterable[FileError]) -> list[FileError]:
    return sorted(errors, key=lambda e: (e.path, e.line or 0, e.message))


def severity(kind: str, *, held: bool = False) -> str:
    """'error' for kinds the migration removes, 'warning' for ambiguous, 'note' for inventory.

    held: the baseline holds the finding; one to migrate is then a 'warning', never an error, so
    a baselined project is green in every format."""
    if kind in ACTIONABLE_KINDS:
        return "warning" if held else "error"
    if kind == AMBIGUOUS:
        return "warning"
    return "note"
