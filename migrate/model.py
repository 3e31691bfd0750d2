"""Values that cross stage boundaries: small, frozen, picklable, comparable, printable as JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Finding kinds (product.md, contract).
ID_TOKEN_BEARER = "id-token-bearer"
UNVERIFIED_DECODE = "unverified-decode"
ID_TOKEN_LOGIN = "id-token-login"
ACCESS_TOKEN = "access-token"
AMBIGUOUS = "ambiguous"
KINDS: tuple[str, ...] = (
    ID_TOKEN_BEARER,
    UNVERIFIED_DECODE,
    ID_TOKEN_LOGIN,
    ACCESS_TOKEN,
    AMBIGUOUS,
)
# Kinds the migration removes: the gate fails on these.
ACTIONABLE_KINDS: frozenset[str] = frozenset({ID_TOKEN_BEARER, UNVERIFIED_DECODE})

CONFIDENCES: tuple[str, ...] = ("high", "medium", "low")

JSON_VERSION = 1


@dataclass(frozen=True)
class RuleInfo:
    """What a reporter needs to know about a rule (SARIF rule metadata, `rules show`)."""

    id: str
    name: str
    library: str
    summary: str
    help: str = ""
    docs_url: str = ""
    pack: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "library": self.library,
            "summary": self.summary,
            "help": self.help,
            "docs_url": self.docs_url,
            "pack": self.pack,
        }


@dataclass(frozen=True)
class Finding:
    """One classified verification site."""

    rule: str
    kind: str
    path: str  # relative to the scanned root, '/'-separated
    line: int  # 1-based
    column: int  # 1-based
    end_line: int
    end_column: int
    confidence: str
    library: str
    provider: str | None
    message: str
    evidence: tuple[str, ...]
    fingerprint: str
    symbol: str = ""  # enclosing scope, e.g. "Auth.verify" or "<module>"
    snippet: str = ""  # the matched source, one line, for reports
    facts: tuple[tuple[str, str], ...] = ()  # machine-readable facts for the planner

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "confidence": self.confidence,
            "library": self.library,
            "provider": self.provider,
            "message": self.message,
            "evidence": list(self.evidence),
            "fingerprint": self.fingerprint,
            "symbol": self.symbol,
            "snippet": self.snippet,
            "facts": dict(self.facts),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        return cls(
            rule=data["rule"],
            kind=data["kind"],
            path=data["path"],
            line=int(data["line"]),
            column=int(data["column"]),
            end_line=int(data["end_line"]),
            end_column=int(data.get("end_column", data["column"])),
            confidence=data["confidence"],
            library=data["library"],
            provider=data.get("provider"),
            message=data["message"],
            evidence=tuple(data.get("evidence", ())),
            fingerprint=data["fingerprint"],
            symbol=data.get("symbol", ""),
            snippet=data.get("snippet", ""),
            facts=tuple(sorted(data.get("facts", {}).items())),
        )

    @property
    def fact(self) -> dict[str, str]:
        return dict(self.facts)


@dataclass(frozen=True)
class FileError:
    """A file that could not be read or parsed; the scan goes on without it."""

    path: str
    message: str
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "message": self.message}
        if self.line is not None:
            out["line"] = self.line
        return out


@dataclass(frozen=True)
class ScanStats:
    files: int = 0  # files discovered
    prefiltered: int = 0  # files the prefilter kept away from the parser
    parsed: int = 0  # files parsed by libcst
    cached: int = 0  # files answered from the cache
    suppressed: int = 0  # findings silenced by suppression comments
    errors: int = 0
    lines: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "prefiltered": self.prefiltered,
            "parsed": self.parsed,
            "cached": self.cached,
            "suppressed": self.suppressed,
            "errors": self.errors,
            "lines": self.lines,
        }


@dataclass(frozen=True)
class ScanResult:
    root: str
    findings: tuple[Finding, ...] = ()
    errors: tuple[FileError, ...] = ()
    stats: ScanStats = field(default_factory=ScanStats)
    rules: tuple[RuleInfo, ...] = ()  # every rule that was active (SARIF driver.rules)

    def by_kind(self) -> dict[str, int]:
        counts = dict.fromkeys(KINDS, 0)
        for f in self.findings:
            counts[f.kind] = counts.get(f.kind, 0) + 1
        return counts

    def to_json(self) -> dict[str, Any]:
        stats = self.stats.to_json()
        stats["by_kind"] = self.by_kind()
        return {
            "version": JSON_VERSION,
            "findings": [f.to_json() for f in self.findings],
            "errors": [e.to_json() for e in self.errors],
            "stats": stats,
        }


class UsageError(Exception):
    """Bad input the user can fix (path, config, option). The CLI prints one line and exits 2."""


@dataclass(frozen=True)
class FileOutcome:
    """What scanning one file produced: the unit the cache stores and worker processes return."""

    path: str
    findings: tuple[Finding, ...] = ()
    error: FileError | None = None
    suppressed: int = 0
    parsed: bool = False  # False when the prefilter kept the parser away
    lines: int = 0
