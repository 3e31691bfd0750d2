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
    ProviderProfile,
    ProviderProfileError,
    load_provider,
    load_providers,
)
from idtoken_migrate.inspect.evidence import Evidence, shorten, token_evidence, token_notes
from idtoken_migrate.inspect.timing import Expiry, expiry
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
_AUTH0_HOST = re.compile(r"^https://[^/]+\.auth0\.com/$")


class InspectError(UsageError):
    """The input is no token at all (empty, broken JWT, not a bearer value): one line, exit 2."""


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
    evidence, profile_kind = token_evidence(profile, header, claims, audiences, legacy, configured)
    notes = token_notes(profile, header, claims, cfg, configured)

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
        header={k: shorten(v) for k, v in header.items()},
        claims={k: shorten(v) for k, v in claims.items()},
        signature_bytes=signature_bytes,
        evidence=tuple(evidence),
        notes=tuple(notes),
        expiry=expiry(claims, now),
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
        header={k: shorten(v) for k, v in (header or {}).items()},
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


# --- expiry and issuer -----------------------------------------------------------------------


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
