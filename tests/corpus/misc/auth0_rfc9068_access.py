"""Auth0 with the RFC 9068 access token profile enabled for our API."""

import jwt

AUTH0_DOMAIN = "acme.us.auth0.com"
API_AUDIENCE = "https://api.acme.example"
_jwks = jwt.PyJWKClient(f"https://{AUTH0_DOMAIN}/.well-known/jwks.json")


def verify_access_token(token: str) -> dict:
    if jwt.get_unverified_header(token).get("typ", "").lower() not in ("at+jwt", "application/at+jwt"):
        raise PermissionError("not an access token")
    key = _jwks.get_signing_key_from_jwt(token)
    # expect: access-token
    return jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        audience=[API_AUDIENCE],
        issuer=f"https://{AUTH0_DOMAIN}/",
        options={"require": ["exp", "iat", "sub", "client_id", "jti"]},
    )
