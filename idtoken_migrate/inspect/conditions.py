"""The provider profile's conditions (docs/providers.md) evaluated on a decoded token, and said
in words for inspect-token's evidence lines; they explain, the generated verifier decides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from idtoken_migrate.config.providers import Condition, normalize_typ


@dataclass
class TokenFacts:
    header: Mapping[str, Any]
    claims: Mapping[str, Any]
    api_audiences: tuple[str, ...]

    @property
    def typ(self) -> str | None:
        typ = self.header.get("typ")
        return normalize_typ(typ) if isinstance(typ, str) else None

    @property
    def audiences(self) -> list[str]:
        aud = self.claims.get("aud")
        if isinstance(aud, str):
            return [aud]
        return [a for a in aud if isinstance(a, str)] if isinstance(aud, list) else []


def holds(condition: Condition, facts: TokenFacts) -> bool:
    kind = condition.kind
    if kind == "any":
        return any(holds(child, facts) for child in condition.children)
    if kind == "all":
        return all(holds(child, facts) for child in condition.children)
    if kind == "present":
        return condition.claim in facts.claims
    if kind == "equals":
        return facts.claims.get(condition.claim) == condition.value
    if kind == "header_typ":
        return facts.typ in condition.typs
    if kind == "api_audience":
        return bool(set(facts.audiences) & set(facts.api_audiences))
    return False


def describe(condition: Condition, facts: TokenFacts) -> str:
    """One leaf or group as the evidence line says it."""
    kind = condition.kind
    if kind in ("any", "all"):
        joiner = " or " if kind == "any" else " and "
        return joiner.join(describe(child, facts) for child in condition.children)
    if kind == "present":
        return (
            f"`{condition.claim}` present" if holds(condition, facts) else f"no `{condition.claim}`"
        )
    if kind == "equals":
        actual = facts.claims.get(condition.claim)
        if condition.claim not in facts.claims:
            return f"no `{condition.claim}`"
        if holds(condition, facts):
            return f"{condition.claim} = {actual!r}"
        return f"{condition.claim} = {actual!r}, not {condition.value!r}"
    if kind == "header_typ":
        typ = facts.header.get("typ")
        if holds(condition, facts):
            return f"header typ {typ!r}" if typ is not None else "no header typ"
        allowed = " or ".join(str(t) for t in condition.typs)
        return f"header typ {typ!r} is not {allowed}"
    if kind == "api_audience":
        if not facts.api_audiences:
            return "API audience unknown (no config)"
        if holds(condition, facts):
            found = sorted(set(facts.audiences) & set(facts.api_audiences))
            return f"aud contains the configured API audience {', '.join(found)}"
        return f"aud {facts.audiences or 'absent'} lacks the API audience"
    return kind


def matching(condition: Condition, facts: TokenFacts) -> list[str]:
    """The parts of a condition that hold, for evidence (an `all` is one part)."""
    if condition.kind == "any":
        return [line for child in condition.children for line in matching(child, facts)]
    return [describe(condition, facts)] if holds(condition, facts) else []
