"""The words every stage shares, defined once: finding kinds, phases, JWS algorithms and the
verifier's rejection reasons.

Only data, no imports: the scanner, the config, the rule packs, the renderer, the gate and the
reports read it (`model`, `config` and `verifier.render` re-export the names they always had).
"""

from __future__ import annotations

# Finding kinds (product.md, contract), in report order.
ID_TOKEN_BEARER = "id-token-bearer"
UNVERIFIED_DECODE = "unverified-decode"
ID_TOKEN_LOGIN = "id-token-login"
ACCESS_TOKEN = "access-token"
AMBIGUOUS = "ambiguous"
KINDS: tuple[str, ...] = (
    ID_TOKEN_BEARER,
    UNVERIFIED_DECODE,
    ID_TOKEN_LOGIN,
    ACCESS_TOKEN,
    AMBIGUOUS,
)
# Kinds the migration removes: the gate fails on these.
ACTIONABLE_KINDS: frozenset[str] = frozenset({ID_TOKEN_BEARER, UNVERIFIED_DECODE})

# Migration phases (config `phase`, `apply --phase`).
PHASES: tuple[str, ...] = ("dual", "strict")

# Public-key JWS algorithms the generated verifier can check, with the key type (and curve) each
# one needs; HMAC only for legacy ID tokens signed with the client secret.
ASYMMETRIC_ALGORITHMS: dict[str, tuple[str, str | None]] = {
    "RS256": ("RSA", None),
    "RS384": ("RSA", None),
    "RS512": ("RSA", None),
    "PS256": ("RSA", None),
    "PS384": ("RSA", None),
    "PS512": ("RSA", None),
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
    "EdDSA": ("OKP", None),
}
PUBLIC_KEY_ALGORITHMS: tuple[str, ...] = tuple(ASYMMETRIC_ALGORITHMS)
HMAC_ALGORITHMS: tuple[str, ...] = ("HS256", "HS384", "HS512")
# Every algorithm the tool knows by name (the scanner reads them in legacy code).
JWS_ALGORITHMS: tuple[str, ...] = HMAC_ALGORITHMS + PUBLIC_KEY_ALGORITHMS

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
