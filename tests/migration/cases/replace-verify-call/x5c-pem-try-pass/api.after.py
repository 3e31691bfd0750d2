import os

import jwt
from flask import request

from token_verifier import verify_token

ISSUER = os.environ["OIDC_ISSUER"]
CLIENT_ID = os.environ["CLIENT_ID"]
KEYS_URL = f"{ISSUER}/protocol/openid-connect/certs"


def user_email():
    token = request.headers.get("Authorization", "")[7:]
    try:
        claims = verify_token(token)
    except jwt.PyJWTError:
        return None
    return claims["email"]
