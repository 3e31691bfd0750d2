"""A module that re-binds PyJWT's decode under a private name before using it."""

import os

import jwt
from flask import abort, request

CLIENT_ID = os.environ["OIDC_CLIENT_ID"]
CLIENT_SECRET = os.environ["OIDC_CLIENT_SECRET"]
_decode = jwt.decode


def current_user():
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        abort(401)
    # expect: id-token-bearer
    claims = _decode(header[7:], CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
    return claims["email"]
