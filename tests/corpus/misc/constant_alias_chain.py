"""Shared auth helpers of a small internal platform."""

import os

import jwt

CLIENT_ID = os.environ["PORTAL_CLIENT_ID"]
EXPECTED_AUDIENCE = CLIENT_ID
ISSUER = os.environ["PORTAL_ISSUER"]
_keys = jwt.PyJWKClient(f"{ISSUER}/protocol/openid-connect/certs")


def _extract(headers) -> str:
    scheme, _, value = headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value:
        raise PermissionError("no bearer token")
    return value


def verify(token: str) -> dict:
    key = _keys.get_signing_key_from_jwt(token)
    # expect: id-token-bearer
    return jwt.decode(token, key.key, algorithms=["RS256"], audience=EXPECTED_AUDIENCE, issuer=ISSUER)


def authenticate(headers) -> str:
    return verify(_extract(headers))["sub"]
