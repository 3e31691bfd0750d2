"""The word lists of rules/signals.yaml, compiled once."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from idtoken_migrate import yamlcache
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
)


@dataclass(frozen=True)
class Signals:
    patterns: dict[str, re.Pattern[str]]
    id_claims: frozenset[str]
    access_claims: frozenset[str]
    providers: tuple[tuple[str, re.Pattern[str]], ...]
    digest: str = ""  # of the vocabulary file, for cache keys

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
    return yamlcache.load(data, lambda: _parse_yaml(data), lambda raw: _build(raw, data, source))


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
