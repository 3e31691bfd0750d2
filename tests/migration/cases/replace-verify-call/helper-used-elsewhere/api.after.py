import os

import jwt
import requests
from flask import jsonify, request

from token_verifier import verify_token

CLIENT_ID = os.environ["CLIENT_ID"]
ISSUER = os.environ["ISSUER"]


def jwks():
    return requests.get(f"{ISSUER}/.well-known/jwks.json", timeout=5).json()


def signing_key(token):
    kid = jwt.get_unverified_header(token)["kid"]
    entry = next(k for k in jwks()["keys"] if k["kid"] == kid)
    return jwt.PyJWK(entry).key


def current_user():
    token = request.headers["Authorization"].split()[1]
    try:
        return verify_token(token)
    except jwt.InvalidTokenError:
        return None


def key_ids():
    return jsonify([k["kid"] for k in jwks()["keys"]])
