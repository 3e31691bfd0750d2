"""The CI gate: policy (phase, sunset, ratchet) + findings + baseline -> verdict. Prints nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from idtoken_migrate.config import Config
from idtoken_migrate.gate.diff import BaselineDiff
from idtoken_migrate.model import (
    ACTIONABLE_KINDS,
    AMBIGUOUS,
    KINDS,
    FileError,
    Finding,
    GeneratedModule,
    ScanResult,
    read_generated_header,
)

__all__ = [
    "GeneratedModule",
    "Policy",
    "Verdict",
    "evaluate",
    "policy_from_config",
    "read_generated_header",
]


@dataclass(frozen=True)
class Policy:
    """What the gate enforces today."""

    phase: str = "dual"
    sunset: dt.date | None = None
    today: dt.date = field(default_factory=dt.date.today)
    max_findings: int | None = None
    parse_errors: str = "fail"  # gate.parse_errors: fail | warn
    ambiguous: str = "fail"  # gate.ambiguous: an undecided `ambiguous` site fails, or warns

    @property
    def sunset_passed(self) -> bool:
        # The generated verifier rejects ID tokens from the sunset day on (UTC); so does the gate.
        return self.sunset is not None and self.today >= self.sunset

    @property
    def strict(self) -> bool:
        """Dual-acceptance code is no longer allowed."""
        return self.phase == "strict" or self.sunset_passed

    def to_json(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "sunset": self.sunset.isoformat() if self.sunset else None,
            "today": self.today.isoformat(),
            "max_findings": self.max_findings,
            "strict": self.strict,
            "parse_errors": self.parse_errors,
            "ambiguous": self.ambiguous,
        }


def policy_from_config(
    config: Config, *, today: dt.date | None = None, max_findings: int | None = None
) -> Policy:
    return Policy(
        phase=config.phase,
        sunset=config.window.sunset,
        today=today or dt.date.today(),
        max_findings=max_findings,
        parse_errors=config.gate.parse_errors,
        ambiguous=config.gate.ambiguous,
    )


@dataclass(frozen=True)
class Verdict:
    """The gate's decision and every reason for it, for reporters and the exit code."""

    passed: bool
    policy: Policy
    reasons: tuple[str, ...] = ()  # why it failed; empty when it passed
    notes: tuple[str, ...] = ()  # worth saying either way
    gated: tuple[Finding, ...] = ()  # findings to migrate that the baseline does not hold
    remaining: int = 0  # findings to migrate, baseline or not (what --max-findings counts)
    dual_modules: tuple[GeneratedModule, ...] = ()

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "policy": self.policy.to_json(),
            "reasons": list(self.reasons),
            "notes": list(self.notes),
            "gated": [f.fingerprint for f in self.gated],
            "remaining": self.remaining,
            "dual_modules": [m.path for m in self.dual_modules],
        }


def evaluate(
    result: ScanResult,
    policy: Policy,
    *,
    baseline_diff: BaselineDiff | None = None,
    generated: Sequence[GeneratedModule] | None = None,
) -> Verdict:
    """Apply the policy.

    Fails when findings to migrate (id-token-bearer, unverified-decode) remain that the baseline
    does not hold; when more remain than `max_findings`; and, once the phase is strict or the
    sunset has come, when a generated dual-acceptance module remains. The generated modules
    themselves are the sanctioned transition path: their own findings are not gated.
    `generated`: the generated modules, by default those the scan met (`result.generated`).
    """
    if generated is None:
        generated = result.generated
    generated_paths = frozenset(m.path for m in generated)
    actionable = [
        f for f in result.findings if f.kind in ACTIONABLE_KINDS and f.path not in generated_paths
    ]
    gated = _not_in_baseline(actionable, baseline_diff)
    undecided = _not_in_baseline(
        [f for f in result.findings if f.kind == AMBIGUOUS and f.path not in generated_paths],
        baseline_diff,
    )
    dual = tuple(m for m in generated if m.accepts_id_tokens)

    reasons: list[str] = []
    notes: list[str] = []
    if gated:
        where = "not in the baseline" if baseline_diff is not None else "to migrate"
        reasons.append(f"{_count_by_kind(gated)} {where}")
    if undecided:
        shown = ", ".join(f"{f.path}:{f.line}" for f in undecided[:5])
        more = f" and {len(undecided) - 5} more" if len(undecided) > 5 else ""
        text = (
            f"{len(undecided)} ambiguous site{'s' if len(undecided) != 1 else ''} undecided "
            f"({shown}{more}): `idtoken-migrate plan` says what decides each"
        )
        if policy.ambiguous == "fail":
            reasons.append(text + " (gate.ambiguous: warn to only warn)")
        else:
            notes.append(text)
    if policy.max_findings is not None and len(actionable) > policy.max_findings:
        reasons.append(
            f"{len(actionable)} to migrate, more than --max-findings {policy.max_findings}"
        )
    if policy.strict and dual:
        why = (
            "the phase is strict"
            if policy.phase == "strict"
            else f"the sunset date {policy.sunset} has been reached"
        )
        shown = ", ".join(f"{m.path}:{m.line}" for m in dual[:5])
        more = f" and {len(dual) - 5} more" if len(dual) > 5 else ""
        reasons.append(
            f"{why} but dual-acceptance code remains ({shown}{more}): "
            "run `idtoken-migrate apply --phase strict`"
        )

    unparsed = unparsed_candidates(result)
    if unparsed:
        (reasons if policy.parse_errors == "fail" else notes).append(
            _unparsed_reason(unparsed, policy.parse_errors)
        )

    if policy.sunset is not None and not policy.sunset_passed:
        days = (policy.sunset - policy.today).days
        notes.append(f"sunset {policy.sunset} in {days} day{'s' if days != 1 else ''}")
    if baseline_diff is not None and baseline_diff.fixed:
        fixed = len(baseline_diff.fixed)
        notes.append(
            f"{fixed} baseline entr{'ies' if fixed != 1 else 'y'} fixed: "
            "run with --update-baseline to lock in the progress"
        )
    remaining = len(actionable)
    if policy.max_findings is not None and remaining < policy.max_findings:
        notes.append(f"{remaining} to migrate: --max-findings can come down to {remaining}")

    return Verdict(
        passed=not reasons,
        policy=policy,
        reasons=tuple(reasons),
        notes=tuple(notes),
        gated=tuple(gated),
        remaining=len(actionable),
        dual_modules=dual,
    )


def unparsed_candidates(result: ScanResult) -> tuple[FileError, ...]:
    """Files whose bytes name a verification API but that could not be parsed."""
    return tuple(e for e in result.errors if e.candidate)


def _unparsed_reason(errors: Sequence[FileError], mode: str) -> str:
    n = len(errors)
    shown = "; ".join(
        f"{e.path}{f':{e.line}' if e.line is not None else ''}: {e.message}" for e in errors[:3]
    )
    more = f"; and {n - 3} more" if n > 3 else ""
    head = (
        f"{n} file{'s' if n != 1 else ''} that name{'s' if n == 1 else ''} a token "
        f"verification API could not be parsed, so what {'it does' if n == 1 else 'they do'} "
        f"is unknown ({shown}{more})"
    )
    if mode == "fail":
        return head + ": fix the file, exclude it, or set gate.parse_errors: warn"
    return head + " (gate.parse_errors: warn)"


def _not_in_baseline(
    findings: Sequence[Finding], baseline_diff: BaselineDiff | None
) -> list[Finding]:
    """The findings the baseline does not hold (all of them without a baseline)."""
    if baseline_diff is None:
        return list(findings)
    new = Counter(f.fingerprint for f in baseline_diff.new)
    out = []
    for f in findings:
        if new[f.fingerprint] > 0:
            new[f.fingerprint] -= 1
            out.append(f)
    return out


def _count_by_kind(findings: Sequence[Finding]) -> str:
    counts = Counter(f.kind for f in findings)
    parts = [f"{counts[k]} {k}" for k in KINDS if counts[k]]
    total = len(findings)
    return f"{total} finding{'s' if total != 1 else ''} ({', '.join(parts)})"
