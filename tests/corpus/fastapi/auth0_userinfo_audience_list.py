"""Auth0 access tokens requested with `openid`: aud is [API identifier, /userinfo]."""

import os

import jwt
from fastapi import Header, HTTPException

AUTH0_DOMAIN = os.environ["AUTH0_DOMAIN"]
API_IDENTIFIER = os.environ.get("API_IDENTIFIER", "https://todo.example.com")
_jwks = jwt.PyJWKClient(f"https://{AUTH0_DOMAIN}/.well-known/jwks.json")


def verified_claims(authorization: str = Header(...)) -> dict:
    token = authorization.removeprefix("Bearer ")
    key = _jwks.get_signing_key_from_jwt(token).key
    # expect: access-token
    claims = jwt.decode(
        token,
        key,
        algorithms=["RS256"],
        audience=[API_IDENTIFIER, f"https://{AUTH0_DOMAIN}/userinfo"],
        issuer=f"https://{AUTH0_DOMAIN}/",
    )
    if "todos:write" not in claims.get("permissions", []):
        raise HTTPException(403)
    return claims
