"""Each rejection reason is also the error the replaced library raised for that failure, so an
app's specific `except` branch (`except jwt.DecodeError: ... 401`, `except
jwt.InvalidAudienceError: ... 400`) gives the answer it gave. Real tokens, real keys."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import jwt
import pytest
from jose.exceptions import ExpiredSignatureError as JoseExpired
from jose.exceptions import JWTClaimsError, JWTError
from verifier_kit import DROP, NOW, SCENARIOS, Keys, b64json, render_and_load, rsa_key, sign

# reason -> the PyJWT error its rejection must also be (and python-jose's, when it has one)
EXPECTED = {
    "malformed": (jwt.DecodeError, JWTError),
    "bad_signature": (jwt.InvalidSignatureError, JWTError),
    "disallowed_algorithm": (jwt.InvalidAlgorithmError, JWTError),
    "wrong_issuer": (jwt.InvalidIssuerError, JWTClaimsError),
    "expired": (jwt.ExpiredSignatureError, JoseExpired),
    "unrecognized_token": (jwt.InvalidAudienceError, JWTClaimsError),
    "missing_claim": (jwt.MissingRequiredClaimError, JWTClaimsError),
}


@pytest.fixture(scope="module")
def modules(provider_routes: dict[str, str], module_dir: Path) -> dict[str, ModuleType]:
    config = SCENARIOS["auth0"].config(jwks_uri=provider_routes["auth0"])
    jose = render_and_load(config, "dual", module_dir, legacy_exceptions=["python-jose"])
    return {"pyjwt": render_and_load(config, "dual", module_dir), "python-jose": jose}


def _tokens(keys: Keys) -> dict[str, str]:
    s = SCENARIOS["auth0"]
    header = s.access_header(keys.rsa)
    return {
        "malformed": "not-a-jwt",
        "bad_signature": sign(header, s.access_claims(), rsa_key(keys.rsa.kid)),
        "disallowed_algorithm": f"{b64json({'alg': 'none'})}.{b64json(s.access_claims())}.",
        "wrong_issuer": sign(header, s.access_claims(iss="https://evil.example/"), keys.rsa),
        "expired": sign(header, s.access_claims(now=NOW - 7200), keys.rsa),
        "unrecognized_token": sign(header, s.access_claims(aud="https://other.example"), keys.rsa),
        "missing_claim": sign(header, s.access_claims(exp=DROP), keys.rsa),
    }


@pytest.mark.parametrize("reason", sorted(EXPECTED))
def test_the_rejection_is_the_library_error_for_its_failure(
    reason: str, modules: dict[str, ModuleType], keys: Keys
) -> None:
    token = _tokens(keys)[reason]
    pyjwt_error, jose_error = EXPECTED[reason]
    for library, module in modules.items():
        with pytest.raises(module.TokenRejected) as caught:
            module.verify_token(token, now=NOW)
        rejected = caught.value
        assert rejected.reason == reason
        assert isinstance(rejected, pyjwt_error), (library, type(rejected).__mro__)
        assert isinstance(rejected, jose_error) == (library == "python-jose"), library
        assert isinstance(rejected, jwt.InvalidTokenError)  # the broad handler still catches it


def test_a_specific_branch_answers_only_its_own_failure(
    modules: dict[str, ModuleType], keys: Keys
) -> None:
    """What `except jwt.DecodeError: 401 / except jwt.InvalidAudienceError: 400 / except
    jwt.InvalidTokenError: 403` answers for each token."""

    def answer(token: str) -> int:
        try:
            modules["pyjwt"].verify_token(token, now=NOW)
        except jwt.DecodeError:
            return 401
        except jwt.InvalidAudienceError:
            return 400
        except jwt.InvalidTokenError:
            return 403
        return 200

    tokens = _tokens(keys)
    assert answer(tokens["bad_signature"]) == 401  # InvalidSignatureError is a DecodeError
    assert answer(tokens["malformed"]) == 401
    assert answer(tokens["unrecognized_token"]) == 400
    assert answer(tokens["expired"]) == 403
    assert answer(tokens["wrong_issuer"]) == 403
