"""Times in a token, as inspect-token says them: expiry, issued and not-before, in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Expiry:
    state: str  # "valid" | "expired" | "missing" | "invalid"
    expires_at: float | None
    seconds: float | None  # exp - now
    text: str
    issued_text: str = ""
    not_before_text: str = ""


def humanize(seconds: float) -> str:
    """A duration in words: "12 minutes", "3 hours", "2 days"."""
    seconds = abs(seconds)
    for limit, unit, size in (
        (90, "second", 1),
        (90 * 60, "minute", 60),
        (48 * 3600, "hour", 3600),
        (float("inf"), "day", 86400),
    ):
        if seconds < limit:
            count = int(seconds // size)
            return f"{count} {unit}{'' if count == 1 else 's'}"
    raise AssertionError("unreachable")


def when(timestamp: float) -> str:
    moment = dt.datetime.fromtimestamp(timestamp, dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def numeric(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not -1e11 < value < 1e11:  # beyond year 5000: not a NumericDate we can show
        return None
    return float(value)


def relative(timestamp: float, now: float, past: str, future: str) -> str:
    delta = timestamp - now
    words = humanize(delta)
    return (past if delta <= 0 else future).format(words) + f" ({when(timestamp)})"


def expiry(claims: Mapping[str, Any], now: float) -> Expiry:
    issued = numeric(claims, "iat")
    not_before = numeric(claims, "nbf")
    issued_text = (
        relative(issued, now, "issued {} ago", "issued in the future: {} ahead")
        if (issued is not None)
        else ""
    )
    nbf_text = (
        relative(not_before, now, "valid since {} ago", "not valid for {} yet")
        if (not_before is not None)
        else ""
    )
    if "exp" not in claims:
        return Expiry(
            "missing",
            None,
            None,
            "no exp claim: never expires (verifiers reject it)",
            issued_text,
            nbf_text,
        )
    expires = numeric(claims, "exp")
    if expires is None:
        return Expiry(
            "invalid",
            None,
            None,
            f"exp {claims['exp']!r} is not a NumericDate",
            issued_text,
            nbf_text,
        )
    seconds = expires - now
    text = relative(expires, now, "expired {} ago", "expires in {}")
    if issued is not None and expires > issued:
        text += f"; lifetime {humanize(expires - issued)}"
    return Expiry(
        "expired" if seconds <= 0 else "valid", expires, seconds, text, issued_text, nbf_text
    )
