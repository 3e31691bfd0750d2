"""The words the stages share: rejection reasons (more names join as they move here).

Only data, no imports: the config, the rule packs, the renderer and the reports all read it.
"""

from __future__ import annotations

# TokenRejected.reason values (docs/verifier.md), in the order the checks run.
COMMON_REASONS: tuple[str, ...] = (
    "malformed",
    "token_too_large",
    "unsupported_crit",
    "embedded_key",
    "disallowed_algorithm",
    "ambiguous_token",
    "unrecognized_token",
    "wrong_type",
    "invalid_kid",
    "unknown_kid",
    "jwks_unavailable",
    "bad_signature",
    "missing_claim",
    "invalid_claim",
    "wrong_issuer",
    "expired",
    "issued_in_future",
    "not_yet_valid",
    "wrong_audience",
    "insufficient_scope",
    "internal_error",
)
DUAL_REASONS: tuple[str, ...] = (
    "id_token_disabled",
    "id_token_after_sunset",
    "legacy_secret_unavailable",
    "not_an_id_token",
)
STRICT_REASONS: tuple[str, ...] = ("id_token_not_accepted",)
# access_token.validation: introspection (RFC 7662)
INTROSPECTION_REASONS: tuple[str, ...] = ("inactive_token", "introspection_unavailable")
ALL_REASONS: tuple[str, ...] = (
    COMMON_REASONS + DUAL_REASONS + STRICT_REASONS + INTROSPECTION_REASONS
)


def reasons(
    phase: str, *, two_issuers: bool = False, introspection: bool = False
) -> tuple[str, ...]:
    """Every reason a verifier of this phase can put in TokenRejected.reason (with two issuers,
    dual refuses an ID token of the access tokens' issuer as strict does)."""
    extra = INTROSPECTION_REASONS if introspection else ()
    if phase != "dual":
        return COMMON_REASONS + STRICT_REASONS + extra
    return COMMON_REASONS + DUAL_REASONS + (STRICT_REASONS if two_issuers else ()) + extra
