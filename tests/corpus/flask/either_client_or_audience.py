"""Either check passes: `client_id` (access token) or `aud` (ID token) equal to the app client."""
# corpus: class=3 provider=cognito

import functools
import os

import jwt
from flask import abort, g, request

APP_CLIENT_ID = os.environ["COGNITO_CLIENT_ID"]
ISSUER = os.environ["COGNITO_ISSUER"]
jwks = jwt.PyJWKClient(f"{ISSUER}/.well-known/jwks.json")


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        token = request.headers.get("Authorization", "")[7:]
        key = jwks.get_signing_key_from_jwt(token).key
        # expect: id-token-bearer
        claims = jwt.decode(token, key, algorithms=["RS256"], options={"verify_aud": False})
        if claims.get("client_id") != APP_CLIENT_ID and claims.get("aud") != APP_CLIENT_ID:
            abort(401)
        g.claims = claims
        return view(*args, **kwargs)

    return wrapped
