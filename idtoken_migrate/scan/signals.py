"""The word lists of rules/signals.yaml, compiled once."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from idtoken_migrate.config import yamlcache, yamlfile
from idtoken_migrate.config.yamlfile import YamlFileError, check_keys, line_of, require, str_list
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


_CLAIM_LISTS = ("id_claims", "access_claims")
_KEYS = ("version", *_LISTS, *_CLAIM_LISTS, "providers")
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


def _compile(raw: Any, key: str, source: str, where: str = "") -> re.Pattern[str]:
    """The list `key` of the mapping `raw`, one pattern matching any of its regular expressions."""
    items = str_list(raw, key, source, where)
    try:
        return re.compile("|".join(f"(?:{p})" for p in items), re.IGNORECASE)
    except re.error:
        pass  # name the item (every start-up compiles the lists: only a broken one one by one)
    name, line = yamlfile.join_key(where, key), line_of(raw, key)
    for index, item in enumerate(items):
        try:
            re.compile(item)
        except re.error as exc:
            line = line_of(raw[key], index) if isinstance(raw[key], list) else line
            raise YamlFileError(source, line, name, f"invalid regular expression: {exc}") from None
    raise YamlFileError(source, line, name, "its regular expressions do not combine")


@lru_cache(maxsize=4)
def load_signals(path: Path | None = None) -> Signals:
    path = path or rules_dir() / "signals.yaml"
    source = str(path)
    data = path.read_bytes()
    built = yamlcache.load(
        data,
        lambda: yamlfile.parse(data, source, unique_keys=True),
        lambda raw: _build(raw, data, source),
    )
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
            data,
            lambda data=data, s=source: yamlfile.parse(data, s, unique_keys=True),
            lambda raw, s=source: _meaning(raw, s),
        )
        if meaning is not None:
            meanings.append(meaning)
    return tuple(meanings), digest.hexdigest()[:16]


def _meaning(raw: Any, source: str) -> AudienceMeaning | None:
    if not isinstance(raw, dict) or "scanner" not in raw:
        return None
    where = "scanner.client_id_audience"
    section = raw["scanner"]
    check_keys(section, ("client_id_audience",), source, "scanner")
    entry = section.get("client_id_audience")
    if not isinstance(entry, dict):
        raise YamlFileError(
            source, line_of(section, "client_id_audience"), where, "expected a mapping"
        )
    check_keys(entry, ("means", "strength", "why", "any_audience"), source, where)
    meaning, strength, why = entry.get("means"), entry.get("strength", "strong"), entry.get("why")
    if meaning not in _MEANINGS:
        raise YamlFileError(
            source,
            line_of(entry, "means"),
            f"{where}.means",
            f"expected one of {', '.join(_MEANINGS)}",
        )
    if strength not in _STRENGTHS:
        message = "expected one of " + ", ".join(_STRENGTHS)
        raise YamlFileError(source, line_of(entry, "strength"), f"{where}.strength", message)
    if not isinstance(why, str) or not why.strip():
        raise YamlFileError(
            source, line_of(entry, "why"), f"{where}.why", "expected a non-empty string"
        )
    any_audience = entry.get("any_audience", False)
    if not isinstance(any_audience, bool):
        raise YamlFileError(
            source,
            line_of(entry, "any_audience"),
            f"{where}.any_audience",
            "expected true or false",
        )
    return AudienceMeaning(
        str(raw.get("id", "")), meaning, _STRENGTHS[strength], " ".join(why.split()), any_audience
    )


def _build(raw: Any, data: bytes, source: str) -> Signals:
    check_keys(raw, _KEYS, source, "")
    require(raw, _KEYS[1:], source, "")
    patterns = {key: _compile(raw, key, source) for key in _LISTS}
    check_keys(raw["providers"], None, source, "providers")
    providers = tuple(
        (str(name), _compile(raw["providers"], name, source, "providers"))
        for name in raw["providers"]
    )
    claims = {key: str_list(raw, key, source, "") for key in _CLAIM_LISTS}
    return Signals(
        patterns=patterns,
        id_claims=frozenset(claims["id_claims"]),
        access_claims=frozenset(claims["access_claims"]),
        providers=providers,
        digest=hashlib.sha256(data).hexdigest()[:16],
    )
