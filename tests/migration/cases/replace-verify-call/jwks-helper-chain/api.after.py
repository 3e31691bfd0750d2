import os

import jwt
from flask import abort, request

from token_verifier import verify_token

CLIENT_ID = os.environ["CLIENT_ID"]
ISSUER = os.environ["ISSUER"]
JWKS_URL = f"{ISSUER}/.well-known/jwks.json"


def current_user():
    token = request.headers["Authorization"].removeprefix("Bearer ")
    try:
        claims = verify_token(token)
    except jwt.InvalidTokenError:
        abort(401)
    return claims["sub"]
