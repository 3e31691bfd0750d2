import json
import os
from functools import lru_cache

import jwt
import requests
from flask import abort, request
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = os.environ["CLIENT_ID"]
ISSUER = os.environ["ISSUER"]
JWKS_URL = f"{ISSUER}/.well-known/jwks.json"


@lru_cache(maxsize=1)
def fetch_jwks():
    return requests.get(JWKS_URL, timeout=5).json()["keys"]


def key_for(kid):
    for candidate in fetch_jwks():
        if candidate["kid"] == kid:
            return RSAAlgorithm.from_jwk(json.dumps(candidate))
    return None


def current_user():
    token = request.headers["Authorization"].removeprefix("Bearer ")
    header = jwt.get_unverified_header(token)
    kid = header.get("kid")
    if kid is None:
        abort(401)
    public_key = key_for(kid)
    if public_key is None:
        abort(401)
    try:
        claims = jwt.decode(token, public_key, algorithms=["RS256"], audience=CLIENT_ID, issuer=ISSUER)
    except jwt.InvalidTokenError:
        abort(401)
    return claims["sub"]
