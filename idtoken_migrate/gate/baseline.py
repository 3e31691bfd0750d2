"""The baseline file: the findings a project has accepted for now, matched by fingerprint.

Format (JSON, version 1):
    {"version": 1, "tool_version": "0.1.0",
     "entries": [{"fingerprint", "rule", "kind", "path", "line", "message"}, ...]}
Entries are a multiset: two findings with the same fingerprint need two entries.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from idtoken_migrate import __version__
from idtoken_migrate.gate.diff import BaselineDiff
from idtoken_migrate.model import Finding, UsageError

BASELINE_VERSION = 1
_ENTRY_FIELDS = ("fingerprint", "rule", "kind", "path", "line", "message")


@dataclass(frozen=True)
class BaselineEntry:
    fingerprint: str
    rule: str
    kind: str
    path: str
    line: int
    message: str

    @classmethod
    def from_finding(cls, f: Finding) -> BaselineEntry:
        return cls(f.fingerprint, f.rule, f.kind, f.path, f.line, f.message)

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _ENTRY_FIELDS}

    def as_finding(self) -> Finding:
        """The entry as a Finding, for reporters listing what was fixed (missing fields neutral)."""
        return Finding(
            rule=self.rule,
            kind=self.kind,
            path=self.path,
            line=self.line,
            column=1,
            end_line=self.line,
            end_column=1,
            confidence="high",
            library="",
            provider=None,
            message=self.message,
            evidence=(),
            fingerprint=self.fingerprint,
        )


@dataclass(frozen=True)
class Baseline:
    entries: tuple[BaselineEntry, ...] = ()
    tool_version: str = __version__

    @classmethod
    def from_findings(cls, findings: Iterable[Finding]) -> Baseline:
        return cls(entries=_sorted(BaselineEntry.from_finding(f) for f in findings))

    def to_json(self) -> dict[str, Any]:
        return {
            "version": BASELINE_VERSION,
            "tool_version": self.tool_version,
            "entries": [e.to_json() for e in self.entries],
        }


def _sorted(entries: Iterable[BaselineEntry]) -> tuple[BaselineEntry, ...]:
    # A stable order keeps the file diffable in review.
    return tuple(sorted(entries, key=lambda e: (e.path, e.line, e.rule, e.fingerprint)))


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; UsageError (one line naming the file) when missing or malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: baseline not found (create it with --update-baseline)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read baseline: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}:{exc.lineno}: invalid baseline JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise UsageError(f"{path}: not an idtoken-migrate baseline (no 'entries' list)")
    if data.get("version") != BASELINE_VERSION:
        raise UsageError(
            f"{path}: unsupported baseline version {data.get('version')!r} "
            f"(this idtoken-migrate reads {BASELINE_VERSION}; recreate it with --update-baseline)"
        )
    entries: list[BaselineEntry] = []
    for index, raw in enumerate(data["entries"]):
        try:
            entries.append(
                BaselineEntry(
                    fingerprint=_text(raw["fingerprint"]),
                    rule=_text(raw["rule"]),
                    kind=_text(raw["kind"]),
                    path=_text(raw["path"]),
                    line=int(raw["line"]),
                    message=_text(raw.get("message", "")),
                )
            )
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise UsageError(f"{path}: entries[{index}]: invalid entry ({exc})") from None
    return Baseline(entries=tuple(entries), tool_version=str(data.get("tool_version", "")))


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def dump_baseline(baseline: Baseline) -> str:
    return json.dumps(baseline.to_json(), indent=2, ensure_ascii=False) + "\n"


def save_baseline(path: Path, baseline: Baseline) -> None:
    """Write atomically, so a crash never leaves half a baseline for the next CI run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(dump_baseline(baseline))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _covered(
    entry: BaselineEntry,
    in_scope: Callable[[str], bool] | None,
    selected: Callable[[str, str], bool] | None,
) -> bool:
    """Did this run look for the entry's finding (its file scanned, its rule and kind selected)?"""
    if in_scope is not None and not in_scope(entry.path):
        return False
    return selected is None or selected(entry.rule, entry.kind)


def updated_baseline(
    old: Baseline | None,
    findings: Iterable[Finding],
    in_scope: Callable[[str], bool] | None = None,
    selected: Callable[[str, str], bool] | None = None,
) -> Baseline:
    """The baseline after accepting `findings`: entries outside the scanned scope (or of rules
    and kinds `--select`/`--ignore` left out) are kept as they were, so
    `check --update-baseline a.py` does not forget the rest of the project."""
    kept = [e for e in old.entries if not _covered(e, in_scope, selected)] if old else []
    return Baseline(entries=_sorted([*kept, *(BaselineEntry.from_finding(f) for f in findings)]))


def diff_baseline(
    baseline: Baseline,
    findings: Iterable[Finding],
    in_scope: Callable[[str], bool] | None = None,
    selected: Callable[[str, str], bool] | None = None,
) -> BaselineDiff:
    """Match current findings to baseline entries by fingerprint, as multisets.

    Per fingerprint the entries pair with the findings closest in line order, so two identical
    fingerprints need two entries. Entries whose path is outside `in_scope` (files this run did
    not scan) or whose rule and kind `selected` leaves out are neither fixed nor unchanged.
    """
    pending: dict[str, list[BaselineEntry]] = defaultdict(list)
    for entry in baseline.entries:
        if _covered(entry, in_scope, selected):
            pending[entry.fingerprint].append(entry)
    new: list[Finding] = []
    unchanged = 0
    for f in sorted(findings, key=lambda f: (f.path, f.line, f.column, f.fingerprint)):
        candidates = pending.get(f.fingerprint)
        if not candidates:
            new.append(f)
            continue
        best = min(candidates, key=lambda e: (e.path != f.path, abs(e.line - f.line)))
        candidates.remove(best)
        unchanged += 1
    fixed = _sorted(e for entries in pending.values() for e in entries)
    return BaselineDiff(
        new=tuple(new), fixed=tuple(e.as_finding() for e in fixed), unchanged_count=unchanged
    )
