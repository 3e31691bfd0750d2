"""Turn a site's evidence into a finding kind, a confidence and a message."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import replace

from idtoken_migrate.config.providers import short_name
from idtoken_migrate.model import (
    ACCESS_TOKEN,
    AMBIGUOUS,
    ID_TOKEN_BEARER,
    ID_TOKEN_LOGIN,
    UNVERIFIED_DECODE,
    Finding,
)
from idtoken_migrate.scan.analyze import Evidence, Site


def _total(evidence: tuple[Evidence, ...], toward: str) -> int:
    return sum(e.strength for e in evidence if e.toward == toward)


def _strongest(evidence: tuple[Evidence, ...], toward: str) -> int:
    return max((e.strength for e in evidence if e.toward == toward), default=0)


def _confidence(score: int) -> str:
    if score >= 5:
        return "high"
    if score >= 3:
        return "medium"
    return "low"


def _looks_like_oidc(site: Site, request: int) -> bool:
    """Something ties an undecided site to an identity provider or to API credentials."""
    if _strongest(site.evidence, "self-issued"):
        return False
    facts = site.facts
    issuer_keys = any(e.signal == "key-from-issuer" for e in site.evidence)
    return bool(
        request >= 2
        or site.provider
        or issuer_keys
        or facts.audience_expr is not None
        or facts.issuer_expr is not None
    )


def decide(site: Site) -> tuple[str, str] | None:
    """(kind, confidence) for a site, or None when it verifies no OpenID Connect token at all."""
    ev = site.evidence
    id_score, access_score = _total(ev, "id"), _total(ev, "access")
    request = _strongest(ev, "request")
    login = _total(ev, "login")
    from_login = login >= 3 and request < 3
    if _strongest(ev, "wired"):
        # Claims that become each request's identity: a bearer API, whatever the handler is called.
        from_login = any(e.signal == "token-from-token-response" for e in ev)
    elif _strongest(ev, "issues"):
        from_login = True  # a sign-in exchange: the app hands out its own session or token
    if _strongest(ev, "unverified"):
        if from_login:
            return ID_TOKEN_LOGIN, "medium"
        return UNVERIFIED_DECODE, "high" if request >= 2 else "medium"
    if from_login and id_score >= access_score:
        return ID_TOKEN_LOGIN, _confidence(login + id_score - access_score)
    bonus = 1 if request >= 2 else 0
    if id_score > access_score and id_score >= 2:
        return ID_TOKEN_BEARER, _confidence(id_score - access_score + bonus)
    if access_score > id_score and access_score >= 2:
        return ACCESS_TOKEN, _confidence(access_score - id_score + bonus)
    if id_score == access_score == 0 and not _looks_like_oidc(site, request):
        return None  # the app's own tokens, webhooks: nothing says OpenID Connect
    return AMBIGUOUS, "low"


_DECIDING_TOWARD = {
    ID_TOKEN_BEARER: ("id", "wired"),
    ACCESS_TOKEN: ("access",),
    ID_TOKEN_LOGIN: ("issues", "login"),
    UNVERIFIED_DECODE: ("unverified",),
    AMBIGUOUS: ("note",),
}


def decided_by(site: Site, kind: str) -> str:
    """The evidence that settled the kind, strongest first, in one line for reports."""
    towards = _DECIDING_TOWARD[kind]
    deciding = sorted(
        (e for e in site.evidence if e.toward in towards),
        key=lambda e: (towards.index(e.toward) if kind == ID_TOKEN_LOGIN else 0, -e.strength),
    )
    if kind == ID_TOKEN_BEARER:
        wired = [e for e in deciding if e.toward == "wired"]
        deciding = [e for e in deciding if e.toward == "id"][:2] + wired[:1]
    details = list(dict.fromkeys(e.detail for e in deciding))[:3]
    return "decided by: " + ("; ".join(details) if details else "no evidence either way")


def _message(site: Site, kind: str) -> str:
    who = site.qualname
    provider = short_name(site.provider) if site.provider else ""
    at = f" ({provider})" if provider else ""
    notes = [e.detail for e in site.evidence if e.toward == "note"]
    if kind == ID_TOKEN_BEARER:
        return (
            f"{who} accepts an ID token as an API credential{at}; "
            "validate access tokens for the API instead"
        )
    if kind == UNVERIFIED_DECODE:
        return f"{who} decodes a bearer token without verifying it{at}; anyone can forge this token"
    if kind == ID_TOKEN_LOGIN:
        return f"{who} verifies the ID token of a login{at}: legitimate use, left as is"
    if kind == ACCESS_TOKEN:
        weak = []
        if any(e.signal == "audience-check-disabled" for e in site.evidence):
            weak.append("the audience check is disabled")
        if site.rule.arg("issuer") is not None and site.facts.issuer_expr is None:
            weak.append("no issuer is checked")
        tail = f"; weakness: {', '.join(weak)}" if weak else ""
        return f"{who} validates an access token{at}{tail}"
    decider = next(
        (n for n in notes if "decides" in n or "no audience" in n or "mixes" in n),
        "the token's audience decides",
    )
    return f"{who} verifies a token whose kind cannot be decided statically{at}: {decider}"


def fingerprint(site: Site, path: str, occurrence: int) -> str:
    """Stable across unrelated edits and line moves: no line numbers, only what the site is."""
    text = "\x1f".join((site.rule.id, path, site.symbol, site.snippet, str(occurrence)))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def to_finding(site: Site, path: str, occurrence: int) -> Finding | None:
    decided = decide(site)
    if decided is None:
        return None
    kind, confidence = decided
    ranked = sorted(site.evidence, key=lambda e: -e.strength)
    why = decided_by(site, kind)
    evidence = tuple(dict.fromkeys((why, *(e.detail for e in ranked))))
    return Finding(
        rule=site.rule.id,
        kind=kind,
        path=path,
        line=site.line,
        column=site.column,
        end_line=site.end_line,
        end_column=site.end_column,
        confidence=confidence,
        library=site.rule.library,
        provider=site.provider,
        message=_message(site, kind),
        evidence=evidence,
        fingerprint=fingerprint(site, path, occurrence),
        symbol=site.symbol,
        snippet=site.snippet,
        facts=replace(
            site.facts, decided_by=why, signals=tuple(sorted({e.signal for e in site.evidence}))
        ),
    )


def to_findings(sites: Iterable[Site], path: str) -> Iterator[Finding]:
    """Findings of one file's sites, each identical site numbered for its fingerprint."""
    occurrences: dict[tuple[str, str, str], int] = {}
    for site in sites:
        key = (site.rule.id, site.symbol, site.snippet)
        occurrence = occurrences.get(key, 0)
        occurrences[key] = occurrence + 1
        finding = to_finding(site, path, occurrence)
        if finding is not None:
            yield finding
