"""The word lists of rules/signals.yaml, compiled once."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from idtoken_migrate.config import yamlcache
from idtoken_migrate.model import UsageError
from idtoken_migrate.resources import rules_dir

_LISTS = (
    "client_id_names",
    "client_id_values",
    "api_audience_names",
    "api_audience_values",
    "client_secret_names",
    "app_secret_names",
    "issuer_key_names",
    "request_strong",
    "request_weak",
    "login_values",
    "login_names",
    "login_function_names",
    "session_calls",
    "credential_calls",
)


_STRENGTHS = {"decisive": 4, "strong": 3, "medium": 2, "weak": 1, "none": 0}
_MEANINGS = ("id", "access", "undecided")


@dataclass(frozen=True)
class AudienceMeaning:
    """What a provider profile (`scanner.client_id_audience`) says an audience equal to the app's
    client id means: `id` (only ID tokens carry it), `access` (the API's own access tokens carry it
    too), `undecided` (another claim decides)."""

    provider: str
    meaning: str
    strength: int
    why: str
    any_audience: bool = False  # the meaning holds for an audience named neither way too


@dataclass(frozen=True)
class Signals:
    patterns: dict[str, re.Pattern[str]]
    id_claims: frozenset[str]
    access_claims: frozenset[str]
    providers: tuple[tuple[str, re.Pattern[str]], ...]
    digest: str = ""  # of the vocabulary file and the provider profiles, for cache keys
    audience_meanings: tuple[AudienceMeaning, ...] = ()

    def audience_meaning(self, provider: str | None) -> AudienceMeaning | None:
        return next((m for m in self.audience_meanings if m.provider == provider), None)

    def any(self, name: str, words: Iterable[str]) -> str | None:
        """The first word that matches list `name`, or None."""
        pattern = self.patterns[name]
        for word in words:
            if pattern.search(word):
                return word
        return None

    def provider_hits(self, words: Iterable[str]) -> dict[str, int]:
        hits: dict[str, int] = {}
        for word in words:
            for provider, pattern in self.providers:
                if pattern.search(word):
                    hits[provider] = hits.get(provider, 0) + 1
        return hits


def _compile(items: list[str], source: str, key: str) -> re.Pattern[str]:
    try:
        return re.compile("|".join(f"(?:{p})" for p in items), re.IGNORECASE)
    except re.error as exc:
        raise UsageError(f"{source}: {key}: invalid regular expression: {exc}") from None


@lru_cache(maxsize=4)
def load_signals(path: Path | None = None) -> Signals:
    path = path or rules_dir() / "signals.yaml"
    source = str(path)
    data = path.read_bytes()
    built = yamlcache.load(data, lambda: _parse_yaml(data), lambda raw: _build(raw, data, source))
    meanings, digest = _audience_meanings(path.parent / "providers", data)
    return replace(built, audience_meanings=meanings, digest=digest)


def _audience_meanings(
    folder: Path, signals_data: bytes
) -> tuple[tuple[AudienceMeaning, ...], str]:
    """The `scanner:` section of each provider profile, and one digest over every file read."""
    digest = hashlib.sha256(signals_data)
    meanings: list[AudienceMeaning] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data)
        source = str(path)
        meaning = yamlcache.load(
            data, lambda data=data: _parse_yaml(data), lambda raw, s=source: _meaning(raw, s)
        )
        if meaning is not None:
            meanings.append(meaning)
    return tuple(meanings), digest.hexdigest()[:16]


def _meaning(raw: Any, source: str) -> AudienceMeaning | None:
    if not isinstance(raw, dict) or "scanner" not in raw:
        return None
    section = raw["scanner"]
    entry = section.get("client_id_audience") if isinstance(section, dict) else None
    if not isinstance(entry, dict):
        raise UsageError(f"{source}: scanner.client_id_audience: expected a mapping")
    meaning, strength, why = entry.get("means"), entry.get("strength", "strong"), entry.get("why")
    if meaning not in _MEANINGS:
        raise UsageError(
            f"{source}: scanner.client_id_audience.means: expected one of {', '.join(_MEANINGS)}"
        )
    if strength not in _STRENGTHS:
        raise UsageError(
            f"{source}: scanner.client_id_audience.strength: expected one of "
            + ", ".join(_STRENGTHS)
        )
    if not isinstance(why, str) or not why.strip():
        raise UsageError(f"{source}: scanner.client_id_audience.why: expected a non-empty string")
    any_audience = entry.get("any_audience", False)
    if not isinstance(any_audience, bool):
        raise UsageError(
            f"{source}: scanner.client_id_audience.any_audience: expected true or false"
        )
    return AudienceMeaning(
        str(raw.get("id", "")), meaning, _STRENGTHS[strength], " ".join(why.split()), any_audience
    )


def _parse_yaml(data: bytes) -> Any:
    import yaml

    return yaml.load(data.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _build(raw: Any, data: bytes, source: str) -> Signals:
    patterns = {key: _compile(raw[key], source, key) for key in _LISTS}
    providers = tuple(
        (name, _compile(items, source, f"providers.{name}"))
        for name, items in raw["providers"].items()
    )
    return Signals(
        patterns=patterns,
        id_claims=frozenset(raw["id_claims"]),
        access_claims=frozenset(raw["access_claims"]),
        providers=providers,
        digest=hashlib.sha256(data).hexdigest()[:16],
    )
