"""inspect-token's evidence: which markers of the provider profile a decoded token carries, the
kind they point to (as the generated classification would), and notes a reader wants."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from idtoken_migrate.config import Config
from idtoken_migrate.config.providers import Condition, ProviderProfile
from idtoken_migrate.inspect.conditions import TokenFacts, describe, matching

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
_MAX_VALUE_CHARS = 200  # longer claim values are shortened in the report


@dataclass(frozen=True)
class Evidence:
    points_to: str  # "access_token" | "id_token" | "info"
    text: str


def shorten(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _MAX_VALUE_CHARS:
        return value[:_MAX_VALUE_CHARS] + f"… ({len(value)} characters)"
    if isinstance(value, list):
        return [shorten(item) for item in value]
    if isinstance(value, dict):
        return {k: shorten(v) for k, v in value.items()}
    return value


def token_evidence(
    profile: ProviderProfile,
    header: Mapping[str, Any],
    claims: Mapping[str, Any],
    api_audiences: tuple[str, ...],
    legacy_clients: tuple[str, ...],
    configured: bool,
) -> tuple[list[Evidence], str]:
    """Evidence lines and the kind they point to; mirrors the generated classification."""
    facts = TokenFacts(header, claims, api_audiences)
    access_condition, access_lines, id_lines = _markers(profile, facts, configured)
    looks_access, looks_id = bool(access_lines), bool(id_lines)
    if profile.id == "cognito" and not configured and looks_access:
        looks_id = bool([line for line in id_lines if line != "`aud` present"])
    evidence = [Evidence("access_token", line) for line in access_lines]
    evidence += [Evidence("id_token", line) for line in id_lines]
    if not looks_id:
        found = _client_evidence(profile, facts, legacy_clients, configured, looks_access)
        evidence += found
        looks_id = bool(found)
    if not looks_access and not configured and not access_lines:
        userinfo = [a for a in facts.audiences if a.endswith("/userinfo")]
        if userinfo:
            evidence.append(
                Evidence("access_token", f"aud includes {userinfo[0]} (Auth0 access token)")
            )
            looks_access = True
    if not looks_access and access_condition is not None:
        evidence.append(
            Evidence("info", f"no access-token marker: {describe(access_condition, facts)}")
        )
    if not profile.jwt_access_tokens:
        evidence.append(Evidence("id_token", f"{profile.name} signs only ID tokens as JWTs"))
        looks_id = True
    evidence += _context(profile, facts, configured)
    return evidence, _kind(looks_access, looks_id)


def _markers(
    profile: ProviderProfile, facts: TokenFacts, configured: bool
) -> tuple[Condition | None, list[str], list[str]]:
    """The profile's access-token discriminator, and the lines of the access-token and ID-token
    markers that hold (without a config, the markers of every provider as well)."""
    if configured or profile.id != "generic":
        access_condition = profile.access_discriminator
    else:
        access_condition = None
    access_conditions = [c for c in (access_condition,) if c is not None]
    id_conditions = [profile.id_markers]
    if not configured:
        access_conditions.append(_HEURISTIC_ACCESS)
        id_conditions.append(_HEURISTIC_ID)
    access_lines = list(
        dict.fromkeys(line for c in access_conditions for line in matching(c, facts))
    )
    id_lines = list(dict.fromkeys(line for c in id_conditions for line in matching(c, facts)))
    return access_condition, access_lines, id_lines


def _client_evidence(
    profile: ProviderProfile,
    facts: TokenFacts,
    legacy_clients: tuple[str, ...],
    configured: bool,
    looks_access: bool,
) -> list[Evidence]:
    """A token without ID-token markers that is still the client's own: its client claim is in
    aud, or (with a config) aud names a legacy client id."""
    auds, api_audiences = facts.audiences, facts.api_audiences
    if profile.jwt_access_tokens:
        for name in profile.client_claims:
            value = facts.claims.get(name)
            if isinstance(value, str) and value in auds and value not in api_audiences:
                return [
                    Evidence("id_token", f"{name} {value!r} is also in aud: the client's own token")
                ]
    if configured:
        legacy = set(auds) & set(legacy_clients)
        if looks_access:
            legacy -= set(api_audiences)
        if legacy:
            text = f"aud contains the legacy client id {', '.join(sorted(legacy))}"
            return [Evidence("id_token", text)]
    return []


def _context(profile: ProviderProfile, facts: TokenFacts, configured: bool) -> list[Evidence]:
    """What the classification does not use but a reader wants: audiences, clients, scopes."""
    claims, auds, api_audiences = facts.claims, facts.audiences, facts.api_audiences
    out: list[Evidence] = []
    api_in_aud = set(auds) & set(api_audiences)
    if auds and configured and profile.audience_claim == "aud" and not api_in_aud:
        out.append(
            Evidence("info", f"aud {auds} does not contain the API audience {list(api_audiences)}")
        )
    if profile.audience_claim == "client_id" and configured:
        client_id = claims.get("client_id")
        ok = isinstance(client_id, str) and client_id in api_audiences
        out.append(
            Evidence(
                "info",
                f"client_id {client_id!r} {'is' if ok else 'is not'} one of the configured app "
                "clients (access_token.audience)",
            )
        )
    for name in ("azp", "client_id", "cid", "appid"):
        if name in claims and not (name == "client_id" and profile.audience_claim == name):
            out.append(Evidence("info", f"client ({name}): {claims[name]!r}"))
    for name in ("scope", "scp", "roles", "permissions"):
        if name in claims:
            out.append(Evidence("info", f"{name}: {shorten(claims[name])!r}"))
    if "ver" in claims and profile.id in ("entra", "generic"):
        out.append(Evidence("info", f"ver: {claims['ver']!r} (Entra token version)"))
    return out


def _kind(looks_access: bool, looks_id: bool) -> str:
    if looks_access and looks_id:
        return "ambiguous"
    if looks_access:
        return "access_token"
    return "id_token" if looks_id else "unrecognized"


def token_notes(
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
    auds = TokenFacts(header, claims, ()).audiences
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
