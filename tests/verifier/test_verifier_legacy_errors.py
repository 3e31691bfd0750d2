"""Errors stay errors: an expired token still reaches the legacy library's own "expired" handler,
and every other rejection its generic one, so legacy `except` clauses answer as they did."""

from __future__ import annotations

import warnings
from pathlib import Path
from types import ModuleType

import jwt
import pytest
from auth0.authentication.token_verifier import TokenValidationError as Auth0Error
from okta_jwt_verifier.exceptions import JWTValidationException as OktaError
from verifier_kit import NOW, SCENARIOS, Keys, render_and_load, sign

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # authlib.jose announces its own deprecation
    from authlib.jose.errors import ExpiredTokenError as AuthlibExpired
    from authlib.jose.errors import JoseError as AuthlibError
from jose.exceptions import ExpiredSignatureError as JoseExpired
from jose.exceptions import JWTError as JoseError
from joserfc.errors import ExpiredTokenError as JoserfcExpired
from joserfc.errors import JoseError as JoserfcError

# (the library's "expired" exception, or None when it has none; its generic one)
LIBRARIES: dict[str, tuple[type[Exception] | None, type[Exception]]] = {
    "pyjwt": (jwt.ExpiredSignatureError, jwt.InvalidTokenError),
    "python-jose": (JoseExpired, JoseError),
    "authlib": (AuthlibExpired, AuthlibError),
    "joserfc": (JoserfcExpired, JoserfcError),
    "auth0-python": (None, Auth0Error),  # TokenVerifier raises TokenValidationError for all
    "okta-jwt-verifier": (None, OktaError),
}


@pytest.fixture(scope="module")
def modules(provider_routes: dict[str, str], module_dir: Path) -> dict[str, ModuleType]:
    scenario = SCENARIOS["auth0"]
    config = scenario.config(jwks_uri=provider_routes["auth0"])
    return {
        library: render_and_load(config, "dual", module_dir, legacy_exceptions=[library])
        for library in LIBRARIES
        if library != "pyjwt"
    } | {"pyjwt": render_and_load(config, "dual", module_dir)}


def _legacy_handler(
    module: ModuleType, token: str, expired: type[Exception] | None, generic: type[Exception]
) -> str:
    """What a legacy `try: decode(...) except Expired: ... except Generic: ...` would answer."""
    expired_branch = (expired,) if expired else ()
    try:
        module.verify_token(token, now=NOW)
    except expired_branch:
        return "expired-branch"
    except generic:
        return "generic-branch"
    return "accepted"


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_expired_access_token_reaches_the_legacy_expired_branch(
    library: str, modules: dict[str, ModuleType], keys: Keys
) -> None:
    scenario = SCENARIOS["auth0"]
    claims = scenario.access_claims(now=NOW - 7200)  # expired an hour ago
    token = sign(scenario.access_header(keys.rsa), claims, keys.rsa)
    expired, generic = LIBRARIES[library]
    want = "expired-branch" if expired else "generic-branch"
    assert _legacy_handler(modules[library], token, expired, generic) == want


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_other_rejections_reach_the_generic_branch_only(
    library: str, modules: dict[str, ModuleType], keys: Keys
) -> None:
    scenario = SCENARIOS["auth0"]
    claims = scenario.access_claims(aud="https://another-api.example.com")
    token = sign(scenario.access_header(keys.rsa), claims, keys.rsa)
    expired, generic = LIBRARIES[library]
    assert _legacy_handler(modules[library], token, expired, generic) == "generic-branch"


def test_one_module_answers_every_legacy_library_of_the_project(
    provider_routes: dict[str, str], module_dir: Path, keys: Keys
) -> None:
    scenario = SCENARIOS["auth0"]
    config = scenario.config(jwks_uri=provider_routes["auth0"])
    libraries = ["auth0-python", "okta-jwt-verifier", "python-jose"]
    module = render_and_load(config, "dual", module_dir, legacy_exceptions=libraries)
    token = sign(scenario.access_header(keys.rsa), scenario.access_claims(aud="x"), keys.rsa)
    for library in [*libraries, "pyjwt"]:
        expired, generic = LIBRARIES[library]
        assert _legacy_handler(module, token, expired, generic) == "generic-branch", library
