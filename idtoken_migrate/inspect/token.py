"""`inspect-token`: which kind of token a bearer value is, why, and what our verifiers would decide.

The token is decoded without verifying it. The decision comes from the generated verifier itself
(rendered with `render_verifier`, loaded in memory): offline its signature step is stubbed out and
its JWKS fetch disabled, so the classification, algorithm, type, issuer, time and audience checks
are the verifier's own code; `verify=True` runs it unchanged. The evidence lines explain the
provider profile's conditions; they never decide. Pure: nothing is printed here.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import logging
import math
import re
import time
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from idtoken_migrate.config import PHASES, Config
from idtoken_migrate.config.providers import (
    Condition,
    ProviderProfile,
    ProviderProfileError,
    load_provider,
    load_providers,
    normalize_typ,
)
from idtoken_migrate.model import UsageError
from idtoken_migrate.verifier.render import RenderError, UnsupportedProviderError, render_verifier

MAX_INPUT_LENGTH = 64 * 1024
KINDS: tuple[str, ...] = ("access_token", "id_token", "ambiguous", "unrecognized", "opaque")
KIND_LABELS: dict[str, str] = {
    "access_token": "access token",
    "id_token": "ID token",
    "ambiguous": "ambiguous (carries both access-token and ID-token markers)",
    "unrecognized": "unrecognized (neither an access token nor an ID token)",
    "opaque": "not a JWT (opaque token)",
}
OFFLINE_NOTE = "signature not checked (offline); use --verify"

_TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~+/=-]+")  # RFC 6750 b64token
_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")
_BEARER = re.compile(r"^(?:authorization\s*:\s*)?(?:bearer(?:\s+|$))?", re.IGNORECASE)
_MAX_VALUE_CHARS = 200  # longer claim values are shortened in the report
_AUTH0_HOST = re.compile(r"^https://[^/]+\.auth0\.com/$")
_GRAPH_AUDIENCES = frozenset(
    {"00000003-0000-0000-c000-000000000000", "https://graph.microsoft.com"}
)

# Without a config: markers that need no audience, drawn from every provider profile.
_HEURISTIC_ACCESS = Condition(
    "any",
    children=(
        Condition("header_typ", typs=("at+jwt",)),
        Condition("equals", claim="token_use", value="access"),
        Condition("equals", claim="typ", value="Bearer"),
        Condition("all", children=(Condition("present", "cid"), Condition("present", "scp"))),
        Condition(
            "all",
            children=(
                Condition(
                    "any", children=(Condition("present", "scp"), Condition("present", "roles"))
                ),
                Condition("present", "ver"),
                Condition(
                    "any", children=(Condition("present", "azp"), Condition("present", "appid"))
                ),
            ),
        ),
        Condition("present", "gty"),
    ),
)
_HEURISTIC_ID = Condition(
    "any",
    children=(
        Condition("present", "nonce"),
        Condition("present", "at_hash"),
        Condition("present", "c_hash"),
        Condition("equals", claim="token_use", value="id"),
        Condition("equals", claim="typ", value="ID"),
    ),
)


class InspectError(UsageError):
    """The input is no token at all (empty, broken JWT, not a bearer value): one line, exit 2."""


@dataclass(frozen=True)
class Evidence:
    points_to: str  # "access_token" | "id_token" | "info"
    text: str


@dataclass(frozen=True)
class Expiry:
    state: str  # "valid" | "expired" | "missing" | "invalid"
    expires_at: float | None
    seconds: float | None  # exp - now
    text: str
    issued_text: str = ""
    not_before_text: str = ""


@dataclass(frozen=True)
class IssuerCheck:
    token_issuer: str | None
    configured_issuer: str | None
    matches: bool | None  # None: nothing to compare
    text: str


@dataclass(frozen=True)
class VerifierDecision:
    phase: str
    configured: bool  # the config's own phase
    outcome: str  # "accept" | "reject" | "unavailable"
    kind: str | None = None  # accepted as: "access_token" | "legacy_id_token"
    reason: str | None = None  # TokenRejected.reason
    detail: str = ""
    signature: str = "not_reached"  # "checked" | "not_checked" | "not_reached"

    @property
    def text(self) -> str:
        if self.outcome == "unavailable":
            return f"no decision: {self.detail}"
        if self.outcome == "accept":
            what = "legacy ID token (logged)" if self.kind == "legacy_id_token" else "access token"
            text = f"accept as {what}"
            if self.signature == "not_checked":
                text += ", if the signature verifies"
            return text
        return f"reject: {self.reason}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class TokenReport:
    token_format: str  # "jwt" | "jwe" | "opaque"
    kind: str  # one of KINDS
    kind_source: str  # "verifier" | "profile" | "heuristics"
    provider: str
    provider_name: str
    provider_guessed: bool
    configured: bool
    config_source: str | None
    header: dict[str, Any]
    claims: dict[str, Any]
    signature_bytes: int
    evidence: tuple[Evidence, ...]
    notes: tuple[str, ...]
    expiry: Expiry | None
    issuer: IssuerCheck | None
    decisions: tuple[VerifierDecision, ...]
    verified: bool  # --verify: the decisions include the signature
    now: float
    stripped: tuple[str, ...] = field(default=())  # what was removed around the token

    def to_json(self) -> dict[str, Any]:
        """The `--format json` document."""
        return {
            "version": 1,
            "format": self.token_format,
            "kind": self.kind,
            "kind_source": self.kind_source,
            "provider": {
                "id": self.provider,
                "name": self.provider_name,
                "guessed": self.provider_guessed,
                "configured": self.configured,
                "config": self.config_source,
            },
            "header": self.header,
            "claims": self.claims,
            "signature": {
                "bytes": self.signature_bytes,
                "checked": self.verified,
                "note": "" if self.verified else OFFLINE_NOTE,
            },
            "evidence": [{"points_to": e.points_to, "text": e.text} for e in self.evidence],
            "notes": list(self.notes),
            "expiry": None
            if self.expiry is None
            else {
                "state": self.expiry.state,
                "exp": self.expiry.expires_at,
                "seconds": self.expiry.seconds,
                "text": self.expiry.text,
            },
            "issuer": None
            if self.issuer is None
            else {
                "token": self.issuer.token_issuer,
                "configured": self.issuer.configured_issuer,
                "matches": self.issuer.matches,
                "text": self.issuer.text,
            },
            "verifiers": [
                {
                    "phase": d.phase,
                    "configured": d.configured,
                    "decision": d.outcome,
                    "kind": d.kind,
                    "reason": d.reason,
                    "detail": d.detail,
                    "signature": d.signature,
                    "text": d.text,
                }
                for d in self.decisions
            ],
            "now": self.now,
            "stripped": list(self.stripped),
        }


# --- input -------------------------------------------------------------------------------------


def clean_token(raw: str) -> tuple[str, tuple[str, ...]]:
    """The bearer value in `raw` (header name, quotes, whitespace removed), and what was removed."""
    removed: list[str] = []
    text = raw.strip()
    prefix = _BEARER.match(text)
    if prefix and prefix.group(0):
        removed.append(prefix.group(0).strip())
        text = text[prefix.end() :].strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        removed.append("quotes")
        text = text[1:-1].strip()
    return text, tuple(removed)


def _reject_input(token: str) -> None:
    if not token:
        raise InspectError("no token given (empty input)")
    if len(token) > MAX_INPUT_LENGTH:
        raise InspectError(f"input is {len(token)} characters; a bearer token is far shorter")
    if not _TOKEN_CHARS.fullmatch(token):
        position = next(i for i, ch in enumerate(token) if not _TOKEN_CHARS.fullmatch(ch))
        what = "whitespace" if token[position].isspace() else "a character"
        raise InspectError(
            f"not a bearer token: {what} not allowed in a token at position {position + 1} "
            "(an Authorization header is `Bearer <token>`, one space, nothing else; a server "
            'says "Bad HTTP authentication header format" for this)'
        )


def _b64json(segment: str, name: str) -> dict[str, Any]:
    if not segment or not _SEGMENT.fullmatch(segment):
        raise InspectError(f"looks like a JWT, but its {name} is not base64url")
    try:
        data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        value = json.loads(data.decode("utf-8"))
    except (binascii.Error, ValueError, RecursionError):
        raise InspectError(f"looks like a JWT, but its {name} is not base64url JSON") from None
    if not isinstance(value, dict):
        raise InspectError(f"looks like a JWT, but its {name} is not a JSON object")
    return value


# --- the report ----------------------------------------------------------------------------------


def inspect_token(
    raw: str,
    config: Config | None,
    *,
    now: float | None = None,
    verify: bool = False,
) -> TokenReport:
    """Decode `raw` (a bearer value, `Bearer ` prefix allowed) without verifying it and explain it.

    `config` None (or without an issuer) means no configuration: heuristics over every provider
    profile. `verify` runs the generated verifiers for real (they fetch the issuer's JWKS).
    Raises InspectError for input that is not a token at all.
    """
    now = time.time() if now is None else now
    token, removed = clean_token(raw)
    _reject_input(token)
    configured = config is not None and bool(config.issuer)
    cfg = config if config is not None else Config()
    segments = token.split(".")
    looks_jose = token.startswith("eyJ")

    if len(segments) == 5 and looks_jose:
        header = _b64json(segments[0], "header")
        return _opaque_report(token, cfg, configured, now, removed, header=header)
    if len(segments) != 3:
        if looks_jose:
            raise InspectError(
                f"looks like a JWT, but has {len(segments)} segments; a signed JWT has 3 "
                "(cut off when copied?)"
            )
        return _opaque_report(token, cfg, configured, now, removed)
    if not looks_jose and not _looks_like_header(segments[0]):
        return _opaque_report(token, cfg, configured, now, removed)
    header = _b64json(segments[0], "header")
    claims = _b64json(segments[1], "payload")
    if not _SEGMENT.fullmatch(segments[2]):
        raise InspectError("looks like a JWT, but its signature is not base64url")
    signature_bytes = len(segments[2]) * 3 // 4

    profile, guessed = _profile_for(cfg, configured, claims)
    audiences = cfg.access_token.audience if configured else ()
    legacy = cfg.legacy_id_token.client_ids if configured else ()
    evidence, profile_kind = _evidence(profile, header, claims, audiences, legacy, configured)
    notes = _notes(profile, header, claims, cfg, configured)

    decisions: list[VerifierDecision] = []
    classified: dict[str, str] = {}
    if configured:
        for phase in PHASES:
            decision, kind = _decide(token, cfg, phase, now, verify)
            decisions.append(decision)
            if kind is not None:
                classified[phase] = kind
    if "dual" in classified:
        kind, source = classified["dual"], "verifier"
    elif "strict" in classified:
        kind, source = classified["strict"], "verifier"
    else:
        kind, source = profile_kind, "profile" if configured else "heuristics"
    if configured and not profile.jwt_access_tokens:
        kind, source = ("ambiguous" if profile_kind == "ambiguous" else "id_token"), "profile"
    if source == "profile" and configured and profile.jwt_access_tokens:
        notes.append(
            "the verifier refused this token before classifying it; the kind comes from the "
            "provider profile"
        )
    if not configured:
        notes.append(
            "no config: kind guessed from markers alone; a config (provider, issuer, "
            "access_token.audience, legacy_id_token.client_ids) makes it precise"
        )

    return TokenReport(
        token_format="jwt",
        kind=kind,
        kind_source=source,
        provider=profile.id,
        provider_name=profile.name,
        provider_guessed=guessed,
        configured=configured,
        config_source=cfg.source if configured else None,
        header={k: _shorten(v) for k, v in header.items()},
        claims={k: _shorten(v) for k, v in claims.items()},
        signature_bytes=signature_bytes,
        evidence=tuple(evidence),
        notes=tuple(notes),
        expiry=_expiry(claims, now),
        issuer=_issuer_check(claims, cfg, configured, profile),
        decisions=tuple(decisions),
        verified=verify and configured and any(d.signature == "checked" for d in decisions),
        now=now,
        stripped=removed,
    )


def _looks_like_header(segment: str) -> bool:
    try:
        _b64json(segment, "header")
    except InspectError:
        return False
    return True


def _opaque_report(
    token: str,
    cfg: Config,
    configured: bool,
    now: float,
    removed: tuple[str, ...],
    *,
    header: dict[str, Any] | None = None,
) -> TokenReport:
    provider = cfg.provider if configured else "generic"
    profile = load_provider(provider)
    notes: list[str] = []
    if header is not None:
        notes.append(
            f"an encrypted JWT (JWE, alg {header.get('alg')!r}, enc {header.get('enc')!r}): its "
            "claims are readable only by the issuer, so no API can validate it as a JWT"
        )
    else:
        notes.append(
            f"not a JWT ({len(token)} characters, {token.count('.') + 1} dot-separated "
            "part(s)): an opaque (reference) token that only its issuer can interpret, through "
            "token introspection (RFC 7662) or userinfo; a JWT verifier rejects it as malformed"
        )
    if token.startswith("ya29.") or provider == "google":
        notes.append(
            "Google: OAuth 2.0 access tokens (ya29.…) are opaque and meant for Google APIs; Google "
            "signs only ID tokens as JWTs. To accept one, call "
            "https://oauth2.googleapis.com/tokeninfo (check aud/azp, scope, exp); see the google "
            "provider profile for the alternatives"
        )
    if provider in ("auth0", "generic") or (header and header.get("alg") == "dir"):
        audience = ", ".join(cfg.access_token.audience) if configured else "<your API identifier>"
        notes.append(
            "Auth0: without an `audience` parameter in the authorize or token request Auth0 issues "
            "an opaque access token (good only for its /userinfo endpoint); request "
            f"audience={audience} to get a JWT access token for the API"
        )
    if provider == "okta":
        notes.append(
            "Okta: refresh tokens are opaque, and access tokens of the org authorization server "
            "are not meant for your API; use a custom authorization server"
        )
    decisions = tuple(
        VerifierDecision(
            phase, phase == cfg.phase, "reject", reason="malformed", detail="not a signed JWT"
        )
        for phase in PHASES
        if configured and profile.jwt_access_tokens
    )
    return TokenReport(
        token_format="jwe" if header is not None else "opaque",
        kind="opaque",
        kind_source="profile" if configured else "heuristics",
        provider=profile.id,
        provider_name=profile.name,
        provider_guessed=False,
        configured=configured,
        config_source=cfg.source if configured else None,
        header={k: _shorten(v) for k, v in (header or {}).items()},
        claims={},
        signature_bytes=0,
        evidence=(),
        notes=tuple(notes),
        expiry=None,
        issuer=None,
        decisions=decisions,
        verified=False,
        now=now,
        stripped=removed,
    )


def _shorten(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _MAX_VALUE_CHARS:
        return value[:_MAX_VALUE_CHARS] + f"… ({len(value)} characters)"
    if isinstance(value, list):
        return [_shorten(item) for item in value]
    if isinstance(value, dict):
        return {k: _shorten(v) for k, v in value.items()}
    return value


# --- provider and evidence -----------------------------------------------------------------------


def _profile_for(
    cfg: Config, configured: bool, claims: Mapping[str, Any]
) -> tuple[ProviderProfile, bool]:
    if configured:
        return load_provider(cfg.provider), False
    issuer = claims.get("iss")
    if isinstance(issuer, str):
        for profile in load_providers().values():
            if profile.id in ("generic", "auth0"):
                continue  # their issuer patterns match any https URL
            if any(re.fullmatch(loc.issuer_pattern, issuer) for loc in profile.jwks):
                return profile, True
        if _AUTH0_HOST.match(issuer):
            return load_provider("auth0"), True
    return load_provider("generic"), False


@dataclass
class _Facts:
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


def _holds(condition: Condition, facts: _Facts) -> bool:
    kind = condition.kind
    if kind == "any":
        return any(_holds(child, facts) for child in condition.children)
    if kind == "all":
        return all(_holds(child, facts) for child in condition.children)
    if kind == "present":
        return condition.claim in facts.claims
    if kind == "equals":
        return facts.claims.get(condition.claim) == condition.value
    if kind == "header_typ":
        return facts.typ in condition.typs
    if kind == "api_audience":
        return bool(set(facts.audiences) & set(facts.api_audiences))
    return False


def _describe(condition: Condition, facts: _Facts) -> str:
    """One leaf or group as the evidence line says it."""
    kind = condition.kind
    if kind in ("any", "all"):
        joiner = " or " if kind == "any" else " and "
        return joiner.join(_describe(child, facts) for child in condition.children)
    if kind == "present":
        return (
            f"`{condition.claim}` present"
            if _holds(condition, facts)
            else f"no `{condition.claim}`"
        )
    if kind == "equals":
        actual = facts.claims.get(condition.claim)
        if condition.claim not in facts.claims:
            return f"no `{condition.claim}`"
        if _holds(condition, facts):
            return f"{condition.claim} = {actual!r}"
        return f"{condition.claim} = {actual!r}, not {condition.value!r}"
    if kind == "header_typ":
        typ = facts.header.get("typ")
        if _holds(condition, facts):
            return f"header typ {typ!r}" if typ is not None else "no header typ"
        allowed = " or ".join(str(t) for t in condition.typs)
        return f"header typ {typ!r} is not {allowed}"
    if kind == "api_audience":
        if not facts.api_audiences:
            return "API audience unknown (no config)"
        if _holds(condition, facts):
            found = sorted(set(facts.audiences) & set(facts.api_audiences))
            return f"aud contains the configured API audience {', '.join(found)}"
        return f"aud {facts.audiences or 'absent'} lacks the API audience"
    return kind


def _matching(condition: Condition, facts: _Facts) -> list[str]:
    """The parts of a condition that hold, for evidence (an `all` is one part)."""
    if condition.kind == "any":
        return [line for child in condition.children for line in _matching(child, facts)]
    return [_describe(condition, facts)] if _holds(condition, facts) else []


def _evidence(
    profile: ProviderProfile,
    header: Mapping[str, Any],
    claims: Mapping[str, Any],
    api_audiences: tuple[str, ...],
    legacy_clients: tuple[str, ...],
    configured: bool,
) -> tuple[list[Evidence], str]:
    """Evidence lines and the kind they point to; mirrors the generated classification."""
    facts = _Facts(header, claims, api_audiences)
    evidence: list[Evidence] = []
    if configured:
        access_condition = profile.access_discriminator
        id_condition = profile.id_markers
    else:
        access_condition = profile.access_discriminator if profile.id != "generic" else None
        id_condition = profile.id_markers
    access_conditions = [c for c in (access_condition,) if c is not None]
    id_conditions = [id_condition]
    if not configured:
        access_conditions.append(_HEURISTIC_ACCESS)
        id_conditions.append(_HEURISTIC_ID)

    access_lines = list(
        dict.fromkeys(line for c in access_conditions for line in _matching(c, facts))
    )
    id_lines = list(dict.fromkeys(line for c in id_conditions for line in _matching(c, facts)))
    looks_access = bool(access_lines)
    looks_id = bool(id_lines)
    if profile.id == "cognito" and not configured and looks_access:
        looks_id = bool([line for line in id_lines if line != "`aud` present"])
    evidence += [Evidence("access_token", line) for line in access_lines]
    evidence += [Evidence("id_token", line) for line in id_lines]

    auds = facts.audiences
    api_in_aud = set(auds) & set(api_audiences)
    if not looks_id and profile.jwt_access_tokens:
        for name in profile.client_claims:
            value = claims.get(name)
            if isinstance(value, str) and value in auds and value not in api_audiences:
                evidence.append(
                    Evidence("id_token", f"{name} {value!r} is also in aud: the client's own token")
                )
                looks_id = True
                break
    if configured and not looks_id:
        legacy = set(auds) & set(legacy_clients)
        if looks_access:
            legacy -= set(api_audiences)
        if legacy:
            evidence.append(
                Evidence(
                    "id_token",
                    f"aud contains the legacy client id {', '.join(sorted(legacy))}",
                )
            )
            looks_id = True
    if not looks_access and not configured and not access_lines:
        userinfo = [a for a in auds if a.endswith("/userinfo")]
        if userinfo:
            evidence.append(
                Evidence("access_token", f"aud includes {userinfo[0]} (Auth0 access token)")
            )
            looks_access = True
    if not looks_access and access_condition is not None:
        evidence.append(
            Evidence("info", f"no access-token marker: {_describe(access_condition, facts)}")
        )
    if not profile.jwt_access_tokens:
        evidence.append(Evidence("id_token", f"{profile.name} signs only ID tokens as JWTs"))
        looks_id = True

    # Context the classification does not use but a reader wants.
    if auds and configured and profile.audience_claim == "aud" and not api_in_aud:
        evidence.append(
            Evidence("info", f"aud {auds} does not contain the API audience {list(api_audiences)}")
        )
    if profile.audience_claim == "client_id" and configured:
        client_id = claims.get("client_id")
        ok = isinstance(client_id, str) and client_id in api_audiences
        evidence.append(
            Evidence(
                "info",
                f"client_id {client_id!r} {'is' if ok else 'is not'} one of the configured app "
                "clients (access_token.audience)",
            )
        )
    for name in ("azp", "client_id", "cid", "appid"):
        if name in claims and not (name == "client_id" and profile.audience_claim == name):
            evidence.append(Evidence("info", f"client ({name}): {claims[name]!r}"))
    for name in ("scope", "scp", "roles", "permissions"):
        if name in claims:
            evidence.append(Evidence("info", f"{name}: {_shorten(claims[name])!r}"))
    if "ver" in claims and profile.id in ("entra", "generic"):
        evidence.append(Evidence("info", f"ver: {claims['ver']!r} (Entra token version)"))

    if looks_access and looks_id:
        kind = "ambiguous"
    elif looks_access:
        kind = "access_token"
    elif looks_id:
        kind = "id_token"
    else:
        kind = "unrecognized"
    return evidence, kind


def _notes(
    profile: ProviderProfile,
    header: Mapping[str, Any],
    claims: Mapping[str, Any],
    cfg: Config,
    configured: bool,
) -> list[str]:
    notes: list[str] = []
    alg = header.get("alg")
    if isinstance(alg, str) and alg.upper().startswith("HS"):
        notes.append(
            f"signed with {alg}, a shared secret (the client secret for ID tokens): a verifier "
            'holding the issuer\'s public keys reports "invalid signature" for it'
        )
    elif isinstance(alg, str) and alg.lower() == "none":
        notes.append("alg none: an unsigned token; every verifier must reject it")
    if configured and isinstance(alg, str):
        allowed = set(cfg.access_token.algorithms) | set(cfg.legacy_id_token.algorithms)
        if alg not in allowed:
            notes.append(f"alg {alg} is not among the configured algorithms {sorted(allowed)}")
    if "kid" not in header and not (isinstance(alg, str) and alg.upper().startswith("HS")):
        notes.append("no kid in the header: a JWKS-based verifier cannot pick a key")
    auds = _Facts(header, claims, ()).audiences
    if "nonce" in header or set(auds) & _GRAPH_AUDIENCES:
        notes.append(
            "a Microsoft Graph access token (nonce in the header or Graph audience): meant for "
            "Graph, not for your API; request a token for your API's scope instead"
        )
    if profile.id == "keycloak" and auds == ["account"]:
        notes.append(
            "Keycloak's default aud 'account': add an Audience mapper that puts the API into aud"
        )
    issuer = claims.get("iss")
    if profile.id == "okta" and isinstance(issuer, str) and "/oauth2/" not in issuer:
        notes.append(
            "issued by the Okta org authorization server: its access tokens are not meant to "
            "be validated by your API; use a custom authorization server"
        )
    return notes


# --- expiry and issuer -----------------------------------------------------------------------


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


def _when(timestamp: float) -> str:
    moment = dt.datetime.fromtimestamp(timestamp, dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _numeric(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not -1e11 < value < 1e11:  # beyond year 5000: not a NumericDate we can show
        return None
    return float(value)


def _relative(timestamp: float, now: float, past: str, future: str) -> str:
    delta = timestamp - now
    words = humanize(delta)
    return (past if delta <= 0 else future).format(words) + f" ({_when(timestamp)})"


def _expiry(claims: Mapping[str, Any], now: float) -> Expiry:
    issued = _numeric(claims, "iat")
    not_before = _numeric(claims, "nbf")
    issued_text = (
        _relative(issued, now, "issued {} ago", "issued in the future: {} ahead")
        if (issued is not None)
        else ""
    )
    nbf_text = (
        _relative(not_before, now, "valid since {} ago", "not valid for {} yet")
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
    expires = _numeric(claims, "exp")
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
    text = _relative(expires, now, "expired {} ago", "expires in {}")
    if issued is not None and expires > issued:
        text += f"; lifetime {humanize(expires - issued)}"
    return Expiry(
        "expired" if seconds <= 0 else "valid", expires, seconds, text, issued_text, nbf_text
    )


def _issuer_check(
    claims: Mapping[str, Any], cfg: Config, configured: bool, profile: ProviderProfile
) -> IssuerCheck:
    issuer = claims.get("iss")
    token_issuer = issuer if isinstance(issuer, str) else None
    if issuer is None:
        return IssuerCheck(None, cfg.issuer or None, False if configured else None, "no iss claim")
    if token_issuer is None:
        return IssuerCheck(None, cfg.issuer or None, False, "iss is not a string")
    if not configured:
        return IssuerCheck(token_issuer, None, None, "no issuer configured to compare with")
    expected = cfg.issuer
    if token_issuer == expected:
        return IssuerCheck(token_issuer, expected, True, "matches the configured issuer")
    hint = ""
    if token_issuer.rstrip("/") == expected.rstrip("/"):
        hint = "; only the trailing slash differs, and issuers compare exactly"
    elif "sts.windows.net" in token_issuer and "login.microsoftonline.com" in expected:
        hint = "; a v1 token: set accessTokenAcceptedVersion to 2 in the API's manifest"
    elif "/auth/realms/" in token_issuer and "/auth/" not in expected:
        hint = "; the Keycloak < 17 path /auth/realms/"
    elif token_issuer.startswith(expected) or expected.startswith(token_issuer):
        hint = "; a prefix is not a match"
    return IssuerCheck(
        token_issuer, expected, False, f"differs from the configured issuer {expected!r}{hint}"
    )


# --- the generated verifier's decision ---------------------------------------------------------


def load_verifier(source: str, phase: str) -> types.ModuleType:
    """Execute a rendered verifier's source as a fresh in-memory module (never imported by name)."""
    module = types.ModuleType(f"idtoken_migrate_inspect_{phase}")
    exec(compile(source, f"<generated verifier, phase {phase}>", "exec"), module.__dict__)
    quiet = logging.Logger(f"idtoken_migrate.inspect.{phase}")  # not registered: no global effect
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    for name in ("logger", "legacy_logger"):
        if hasattr(module, name):
            setattr(module, name, quiet)
    return module


_OFFLINE_HOOKS = ("_KeySet", "_Key", "_KEY_TYPES", "_check_signature", "_http_get", "_parse")


def _offline(module: types.ModuleType, token: str) -> list[str]:
    """Stub the signature step: keys never fetched, signatures never checked. Returns the log of
    signature checks skipped (empty: the verifier decided before reaching the signature)."""
    missing = [name for name in _OFFLINE_HOOKS if not hasattr(module, name)]
    if missing:
        raise RenderError(f"the generated verifier has no {', '.join(missing)} to run offline")
    skipped: list[str] = []

    def no_network(uri: str) -> bytes:
        raise OSError("offline: inspect-token fetches no keys without --verify")

    def skip_signature(alg: str, *_unused: Any) -> None:
        skipped.append(alg)

    module._http_get = no_network
    module._check_signature = skip_signature
    if hasattr(module, "_legacy_secret"):
        module._legacy_secret = lambda alg: b""
    keys = module._KeySet(module.JWKS_URI)
    try:
        header = module._parse(token)[0]
    except module.TokenRejected:
        header = {}
    kid, alg = header.get("kid"), header.get("alg")
    if isinstance(kid, str) and alg in module._KEY_TYPES:
        kty, crv = module._KEY_TYPES[alg]
        keys._keys[kid] = module._Key(kty, crv, None, None)  # any key of the right type
        keys._fetched_at = time.monotonic()
    module._KEYS = keys
    return skipped


def _classifier(module: types.ModuleType, phase: str) -> Callable[[str], str]:
    """The verifier's own classification step, returning one of KINDS."""

    def classify(token: str) -> str:
        header, claims, _, _ = module._parse(token)
        try:
            if phase == "dual":
                return "access_token" if module._is_access_token(header, claims) else "id_token"
            module._require_access_token(header, claims)
            return "access_token"
        except module.TokenRejected as error:
            return {
                "ambiguous_token": "ambiguous",
                "id_token_not_accepted": "id_token",
            }.get(error.reason, "unrecognized")

    return classify


class _FetchFailures(logging.Handler):
    """Keeps the verifier's log of a failed JWKS fetch: its URL and the reason, which the
    verifier's own rejection leaves out (it is written for API logs, not for a person)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("JWKS fetch from") and len(record.args or ()) == 2:
            uri, error = record.args  # type: ignore[misc]
            reason = getattr(error, "reason", None) or error
            self.last = f"cannot fetch the JWKS from {uri}: {reason}"


def _decide(
    token: str, cfg: Config, phase: str, now: float, verify: bool
) -> tuple[VerifierDecision, str | None]:
    configured = phase == cfg.phase
    try:
        source = render_verifier(cfg, phase)
    except UnsupportedProviderError as error:
        return VerifierDecision(phase, configured, "unavailable", detail=str(error)), None
    except (RenderError, ProviderProfileError) as error:
        return (
            VerifierDecision(phase, configured, "unavailable", detail=f"cannot render: {error}"),
            None,
        )
    module = load_verifier(source, phase)
    try:
        skipped = [] if verify else _offline(module, token)
    except RenderError as error:
        return VerifierDecision(phase, configured, "unavailable", detail=str(error)), None
    kind: str | None
    try:
        kind = _classifier(module, phase)(token)
    except module.TokenRejected:
        kind = None  # refused before classification (malformed, alg, crit, embedded key)
    except AttributeError:
        kind = None
    failures = _FetchFailures()
    module.logger.addHandler(failures)
    try:
        result = module.verify(token, now=now)
    except module.TokenRejected as error:
        signature = "checked" if verify else ("not_checked" if skipped else "not_reached")
        detail = error.detail
        if error.reason == "jwks_unavailable":
            # Nothing was verified; say where the keys were to come from and why they did not.
            signature = "not_checked"
            detail = failures.last or detail
        return (
            VerifierDecision(
                phase,
                configured,
                "reject",
                reason=error.reason,
                detail=detail,
                signature=signature,
            ),
            kind,
        )
    finally:
        module.logger.removeHandler(failures)
    signature = "checked" if verify else "not_checked"
    return VerifierDecision(
        phase, configured, "accept", kind=result.kind, signature=signature
    ), kind


def parse_now(now: str | None, today: str | None) -> float | None:
    """--now (POSIX seconds or ISO 8601) or --today (YYYY-MM-DD, midnight UTC); None for neither."""
    if now is not None and today is not None:
        raise UsageError("give --now or --today, not both")
    if today is not None:
        from idtoken_migrate.config.file import parse_date  # the same dates `check --today` accepts

        day = parse_date(today)
        if day is None:
            raise UsageError(f"--today: {today!r} is not a date YYYY-MM-DD")
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp()
    if now is None:
        return None
    text = now.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        # Finite and within what a datetime can show (years 1 to 9999).
        if not math.isfinite(seconds) or not -62_135_596_800 <= seconds <= 253_402_300_799:
            raise UsageError(f"--now: {now!r} is not a time (POSIX seconds within years 1-9999)")
        return seconds
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--now: {now!r} is neither POSIX seconds nor an ISO 8601 timestamp"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.timestamp()
