"""The bad-token corpus of token-domain.md against every provider profile, in both phases.

Every token is signed for real (RSA/EC keys from `cryptography`, HMAC from `hmac`); nothing
cryptographic is mocked. Each case names the reason the verifier must give, per phase variant:
dual with an RS256 legacy rule, dual with an HS256 (client secret) legacy rule, and strict.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest
from verifier_kit import (
    DROP,
    HS_SECRET,
    NOW,
    SCENARIOS,
    VARIANTS,
    JwksServer,
    Keys,
    Route,
    Scenario,
    b64,
    b64json,
    hmac_sign,
    reject_reason,
    sign,
    sign_raw,
)


@dataclass
class Ctx:
    """What a case builds its token from."""

    s: Scenario
    k: Keys
    srv: JwksServer
    variant: str
    fetch_urls: list[str] = field(default_factory=list)

    def access(self, header: dict | None = None, key: Any = None, **claims: Any) -> str:
        header = header or self.s.access_header(self.k.rsa)
        return sign(header, self.s.access_claims(**claims), key or self.k.rsa)

    def access_parts(self) -> list[str]:
        return self.access().split(".")

    def id_token(self, *, wrong_key: bool = False, **claims: Any) -> str:
        """A legacy ID token signed the way this variant's legacy rule expects."""
        if self.variant == "dual-HS256":
            secret = b"not-the-client-secret" if wrong_key else HS_SECRET.encode()
            return hmac_sign({"alg": "HS256", "typ": "JWT"}, self.s.id_claims(**claims), secret)
        key = self.k.attacker_rsa if wrong_key else self.k.rsa
        return sign(self.s.id_header(self.k.rsa), self.s.id_claims(**claims), key)


Build = Callable[[Ctx], str]
Expect = str | Callable[[Scenario, str], str]


@dataclass(frozen=True)
class Case:
    id: str
    build: Build
    reason: Expect

    def expected(self, scenario: Scenario, variant: str) -> str:
        return self.reason if isinstance(self.reason, str) else self.reason(scenario, variant)


def header(**changes: Any) -> Build:
    return lambda c: c.access(header=c.s.access_header(c.k.rsa, **changes))


def claims(**changes: Any) -> Build:
    return lambda c: c.access(**changes)


def alg_none(alg: str) -> Build:
    def build(c: Ctx) -> str:
        return f"{b64json(c.s.access_header(c.k.rsa, alg=alg))}.{b64json(c.s.access_claims())}."

    return build


def hs256_with_public_pem(c: Ctx) -> str:
    # CVE-2022-29217 shape: the RSA public key, as PEM text, used as the HMAC secret.
    header = c.s.access_header(c.k.rsa, alg="HS256")
    return hmac_sign(header, c.s.access_claims(), c.k.rsa.public_pem())


def id_token_hs256_with_public_pem(c: Ctx) -> str:
    return hmac_sign({"alg": "HS256", "typ": "JWT"}, c.s.id_claims(), c.k.rsa.public_pem())


def ec_alg_on_rsa_kid(c: Ctx) -> str:
    # The kid of the served RSA key, an ES256 header, the attacker's EC signature.
    return sign(c.s.access_header(c.k.rsa, alg="ES256"), c.s.access_claims(), c.k.attacker_ec)


def swapped_payload(c: Ctx) -> str:
    head, _, signature = c.access_parts()
    return f"{head}.{b64json(c.s.access_claims(sub='admin'))}.{signature}"


def key_url(name: str) -> Build:
    def build(c: Ctx) -> str:
        url = c.srv.add_route(Route(jwks={"keys": [c.k.attacker_rsa.jwk]}), "attacker")
        c.fetch_urls.append(url)
        head = c.s.access_header(c.k.attacker_rsa, **{name: url})
        return sign(head, c.s.access_claims(), c.k.attacker_rsa)

    return build


def embedded_jwk(c: Ctx) -> str:
    head = c.s.access_header(c.k.attacker_rsa, jwk=c.k.attacker_rsa.jwk)
    return sign(head, c.s.access_claims(), c.k.attacker_rsa)


def embedded_x5c(c: Ctx) -> str:
    head = c.s.access_header(c.k.attacker_rsa, x5c=["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKC"])
    return sign(head, c.s.access_claims(), c.k.attacker_rsa)


def infinite_expiry(c: Ctx) -> str:
    body = {**c.s.access_claims(), "exp": "@EXP@"}
    raw = json.dumps(body).replace('"@EXP@"', "1e400").encode()  # parses to float inf
    return sign_raw(c.s.access_header(c.k.rsa), raw, c.k.rsa)


def nan_expiry(c: Ctx) -> str:
    body = {**c.s.access_claims(), "exp": "@EXP@"}
    raw = json.dumps(body).replace('"@EXP@"', "NaN").encode()  # not JSON
    return sign_raw(c.s.access_header(c.k.rsa), raw, c.k.rsa)


def without_audience(c: Ctx) -> str:
    return c.access(client_id=DROP) if c.s.provider == "cognito" else c.access(aud=DROP)


def wrong_audience(c: Ctx) -> str:
    if c.s.provider == "cognito":
        return c.access(client_id="7otherclient7")
    return c.access(aud="https://other-api.example.org")


def both_audiences(c: Ctx) -> str:
    # An access token also addressed to the client holding it: usable as that client's ID token.
    if c.s.provider == "cognito":
        return c.access(aud=[c.s.client])
    return c.access(aud=[c.s.api, c.s.client])


def replace_first_segment(value: str) -> Build:
    def build(c: Ctx) -> str:
        _, payload, signature = c.access_parts()
        return f"{value}.{payload}.{signature}"

    return build


def bad_base64_payload(c: Ctx) -> str:
    head, payload, signature = c.access_parts()
    return f"{head}.{payload[:10]}$%{payload[12:]}.{signature}"


def padded_header(c: Ctx) -> str:
    head, payload, signature = c.access_parts()
    return f"{head}==.{payload}.{signature}"


def duplicate_alg(c: Ctx) -> str:
    raw = b'{"alg":"RS256","kid":"%s","alg":"none"}' % c.k.rsa.kid.encode()
    return replace_first_segment(b64(raw))(c)


def five_segments(c: Ctx) -> str:
    head = b64json({"alg": "RSA-OAEP", "enc": "A256GCM", "kid": c.k.rsa.kid})
    return f"{head}.ZW5jcnlwdGVkLWtleQ.aXY.Y2lwaGVydGV4dA.dGFn"


def unknown_crit(c: Ctx) -> str:
    head = c.s.access_header(c.k.rsa, crit=["urn:example:must-understand"])
    head["urn:example:must-understand"] = True
    return c.access(header=head)


# Expected reasons that depend on the provider or the variant.
def aud_missing_reason(s: Scenario, variant: str) -> str:
    # Where `aud` (Cognito: client_id) is what makes a token an access token, losing it leaves
    # a token that is neither kind.
    return "unrecognized_token" if s.aud_is_discriminator else "missing_claim"


def aud_wrong_reason(s: Scenario, variant: str) -> str:
    return "unrecognized_token" if s.provider == "auth0" else "wrong_audience"


def legacy(dual: str) -> Expect:
    return lambda s, variant: dual if variant.startswith("dual") else "id_token_not_accepted"


def per_variant(**reasons: str) -> Expect:
    return lambda s, variant: reasons[variant.replace("-", "_")]


CORPUS: tuple[Case, ...] = (
    Case("alg-none", alg_none("none"), "disallowed_algorithm"),
    Case("alg-None", alg_none("None"), "disallowed_algorithm"),
    Case("alg-NONE", alg_none("NONE"), "disallowed_algorithm"),
    Case("alg-nOnE", alg_none("nOnE"), "disallowed_algorithm"),
    Case("alg-missing", header(alg=DROP), "disallowed_algorithm"),
    Case("alg-HS256-public-pem", hs256_with_public_pem, "disallowed_algorithm"),
    Case("alg-ES256-on-rsa-kid", ec_alg_on_rsa_kid, "disallowed_algorithm"),
    Case("sig-null", lambda c: c.access().rsplit(".", 1)[0] + ".", "bad_signature"),
    Case("sig-truncated", lambda c: c.access()[:-12], "bad_signature"),
    Case("sig-payload-swapped", swapped_payload, "bad_signature"),
    Case("sig-attacker-key-real-kid", lambda c: c.access(key=c.k.attacker_rsa), "bad_signature"),
    Case("kid-traversal", header(kid="../../../../../../dev/null"), "unknown_kid"),
    Case("kid-sqli", header(kid="x' UNION SELECT 'secret' --"), "invalid_kid"),
    Case("kid-command", header(kid="key|/usr/bin/id"), "invalid_kid"),
    Case("kid-command-subst", header(kid="$(curl evil.example)"), "invalid_kid"),
    Case("kid-int", header(kid=1), "invalid_kid"),
    Case("kid-missing", header(kid=DROP), "invalid_kid"),
    Case("header-jwk", embedded_jwk, "embedded_key"),
    Case("header-jku", key_url("jku"), "embedded_key"),
    Case("header-x5u", key_url("x5u"), "embedded_key"),
    Case("header-x5c", embedded_x5c, "embedded_key"),
    Case("exp-past", claims(now=NOW - 7200), "expired"),
    Case("exp-missing", claims(exp=DROP), "missing_claim"),
    Case("exp-string", claims(exp="9999999999"), "invalid_claim"),
    Case("exp-boolean", claims(exp=True), "invalid_claim"),
    Case("exp-infinite", infinite_expiry, "invalid_claim"),
    Case("exp-nan", nan_expiry, "malformed"),
    Case("nbf-future", claims(nbf=int(NOW) + 3600), "not_yet_valid"),
    Case("iat-future", claims(iat=int(NOW) + 3600, exp=int(NOW) + 7200), "issued_in_future"),
    Case("iat-missing", claims(iat=DROP), "missing_claim"),
    Case("iss-missing", claims(iss=DROP), "missing_claim"),
    Case("iss-wrong", claims(iss="https://evil.example.com/"), "wrong_issuer"),
    Case("iss-prefix", lambda c: c.access(iss=c.s.issuer + ".evil.com"), "wrong_issuer"),
    Case("iss-substring", lambda c: c.access(iss=c.s.issuer[:-2]), "wrong_issuer"),
    Case("iss-case", lambda c: c.access(iss=c.s.issuer.upper()), "wrong_issuer"),
    Case("aud-missing", without_audience, aud_missing_reason),
    Case("aud-wrong", wrong_audience, aud_wrong_reason),
    Case("aud-api-and-client", both_audiences, "ambiguous_token"),
    Case("scope-missing", claims(scope="openid", scp=["openid"]), "insufficient_scope"),
    Case("typ-dpop", header(typ="dpop+jwt"), "wrong_type"),
    Case("typ-not-a-string", header(typ=["JWT"]), "malformed"),
    Case("id-token", lambda c: c.id_token(), legacy("accepted")),
    Case("id-token-wrong-key", lambda c: c.id_token(wrong_key=True), legacy("bad_signature")),
    Case(
        "id-token-HS256-public-pem",
        id_token_hs256_with_public_pem,
        per_variant(
            dual_HS256="bad_signature",
            dual_RS256="disallowed_algorithm",
            strict="disallowed_algorithm",
        ),
    ),
    Case(
        "id-token-extra-audience",
        lambda c: c.id_token(aud=[c.s.client, "someone-else"]),
        legacy("wrong_audience"),
    ),
    Case("id-token-expired", lambda c: c.id_token(now=NOW - 7200), legacy("expired")),
    Case("id-token-wrong-issuer", lambda c: c.id_token(iss="https://x/"), legacy("wrong_issuer")),
    Case("size-20KB", claims(padding="A" * 20_000), "token_too_large"),
    Case("b64-bad-header", replace_first_segment("eyJhbGciOi!!JSUzI1NiJ9"), "malformed"),
    Case("b64-bad-payload", bad_base64_payload, "malformed"),
    Case("b64-padding", padded_header, "malformed"),
    Case("header-not-json", replace_first_segment(b64(b"not json at all")), "malformed"),
    Case("header-json-array", replace_first_segment(b64(b'["alg", "RS256"]')), "malformed"),
    Case("header-duplicate-alg", duplicate_alg, "malformed"),
    Case("segments-2", lambda c: c.access().rsplit(".", 1)[0], "malformed"),
    Case("segments-5-jwe", five_segments, "malformed"),
    Case("segments-empty", lambda c: "..", "malformed"),
    Case("crit-unknown", unknown_crit, "unsupported_crit"),
)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("provider", SCENARIOS)
@pytest.mark.parametrize("case", CORPUS, ids=[case.id for case in CORPUS])
def test_corpus_token_gets_its_reason(
    case: Case,
    provider: str,
    variant: str,
    verifier: Callable[[str, str], ModuleType],
    keys: Keys,
    jwks_server: JwksServer,
) -> None:
    scenario = SCENARIOS[provider]
    module = verifier(provider, variant)
    ctx = Ctx(scenario, keys, jwks_server, variant)
    token = case.build(ctx)
    expected = case.expected(scenario, variant)
    if expected == "accepted":
        assert module.verify(token, now=NOW).kind == "legacy_id_token"
    else:
        assert reject_reason(module, token) == expected
        assert expected in module.REASONS
    for url in ctx.fetch_urls:  # jku / x5u: the verifier never fetches a URL from the token
        assert jwks_server.count(url) == 0


@pytest.mark.parametrize("value", [None, 42, b"\xff\xfe", ["a.b.c"]], ids=repr)
def test_non_string_input_is_malformed(
    value: object, verifier: Callable[[str, str], ModuleType]
) -> None:
    assert reject_reason(verifier("auth0", "dual-RS256"), value) == "malformed"


def test_reasons_of_each_phase(verifier: Callable[[str, str], ModuleType]) -> None:
    dual, strict = verifier("okta", "dual-RS256"), verifier("okta", "strict")
    assert "id_token_after_sunset" in dual.REASONS and "id_token_not_accepted" not in dual.REASONS
    assert "id_token_not_accepted" in strict.REASONS and "id_token_disabled" not in strict.REASONS
    assert len(set(dual.REASONS)) == len(dual.REASONS)


def test_access_shaped_token_signed_with_the_client_secret_is_refused(
    verifier: Callable[[str, str], ModuleType],
) -> None:
    # The client secret signs legacy ID tokens only: an access-token-shaped HS256 token signed
    # with the very secret the dual module holds must not pass the access rule.
    scenario = SCENARIOS["auth0"]
    token = hmac_sign({"alg": "HS256", "typ": "JWT"}, scenario.access_claims(), HS_SECRET.encode())
    assert reject_reason(verifier("auth0", "dual-HS256"), token) == "disallowed_algorithm"
