"""Claims read in other modules: where the verified claims of a site travel and what is read there.

The scanner is intra-module; the claims a legacy ID token carries are often read elsewhere (a route
decorated with `@requires_auth` reads `g.current_user["email"]`, a FastAPI route depends on
`get_current_user`). This pass looks, for each ID-token site, at the files that name the site's
function, decorator or claim store, and collects the ID-token-only claims read there, so the plan
can say which claims the access token must carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from idtoken_migrate.model import ID_TOKEN_BEARER, Finding
from idtoken_migrate.scan import claimflow

# Names too generic to link a file to a site (wrappers, framework hooks).
_GENERIC = frozenset(
    {
        "decorated",
        "wrapper",
        "inner",
        "wrapped",
        "authenticate",
        "dispatch",
        "get",
        "post",
        "call",
        "__call__",
        "process_request",
        "process_view",
        "before_request",
        "middleware",
        "handler",
        "verify",
        "decode",
        "validate",
        "check",
        "auth",
        "main",
    }
)


def _links(finding: Finding) -> set[str]:
    names = {part for part in finding.symbol.split(".") if part and part != "<module>"}
    names |= {store.rsplit(".", 1)[-1] for store in (finding.facts.stored_in or ())}
    return {n for n in names if len(n) > 3 and n not in _GENERIC}


def _reads(text: str, claims: Iterable[str]) -> set[str]:
    alternatives = "|".join(re.escape(c) for c in claims)
    pattern = re.compile(rf"""(?:\[\s*|\.get\(\s*)["']({alternatives})["']""")
    return set(pattern.findall(text))


def _top_folder(relpath: str) -> str:
    return relpath.split("/", 1)[0] + "/" if "/" in relpath else ""


def add_project_claim_reads(
    findings: tuple[Finding, ...], files: Iterable[tuple[str, Path]], id_claims: Iterable[str]
) -> tuple[Finding, ...]:
    """Findings with `claims_read` widened by the reads in files linked to each bearer site,
    and with the claims read along the way of the verified value (`claimflow.py`, the fact
    `claims_read_at`). `files`: (path relative to the scan root, path on disk)."""
    bearers = [f for f in findings if f.kind == ID_TOKEN_BEARER]
    if not bearers:
        return findings
    files = list(files)
    found = _linked_reads(bearers, files, sorted(id_claims))
    flows = _flows(bearers, files)
    out = []
    for f in findings:
        extra = found.get(f.fingerprint, set())
        reads = flows.get(f.fingerprint, [])
        extra |= {r.claim for r in reads if r.claim in id_claims}
        if extra or reads:
            facts = f.facts
            read = set(facts.claims_read or ()) | extra
            if read:
                facts = replace(facts, claims_read=tuple(sorted(read)))
            if reads:
                facts = replace(facts, claims_read_at=";".join(r.encode() for r in reads))
            f = replace(f, facts=facts)
        out.append(f)
    return tuple(out)


def _flows(bearers: list[Finding], files: list[tuple[str, Path]]) -> dict[str, list]:
    project = claimflow.Project(files)
    return {f.fingerprint: claimflow.claim_reads(f.path, f.line, project) for f in bearers}


def _linked_reads(
    bearers: list[Finding], files: list[tuple[str, Path]], claims: list[str]
) -> dict[str, set[str]]:
    """Per bearer site, the ID-token claims read in the files that name its function,
    decorator or claim store."""
    links = {f.fingerprint: _links(f) for f in bearers}
    wanted = set().union(*links.values())
    if not wanted:
        return {}
    word = re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(wanted)) + r")\b")
    needles = [n.encode() for n in sorted(wanted)]
    found: dict[str, set[str]] = {f.fingerprint: set() for f in bearers}
    # A site's users live in its own project: its top folder (the whole tree for a top-level site).
    folders = {_top_folder(f.path) for f in bearers}
    for relpath, path in files:
        if "" not in folders and _top_folder(relpath) not in folders:
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if not any(needle in data for needle in needles):  # substring search first: cheap
            continue
        text = data.decode("utf-8", errors="replace")
        named = set(word.findall(text))
        if not named:
            continue
        reads = _reads(text, claims)
        if not reads:
            continue
        for f in bearers:
            if links[f.fingerprint] & named and relpath.startswith(_top_folder(f.path)):
                found[f.fingerprint] |= reads
    return found
