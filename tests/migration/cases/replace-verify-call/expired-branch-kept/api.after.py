import os

import jwt
from flask import request

from token_verifier import verify_token

CLIENT_ID = os.environ["CLIENT_ID"]
CLIENT_SECRET = os.environ["CLIENT_SECRET"]


def user():
    token = request.headers["Authorization"].split()[1]
    try:
        payload = verify_token(token)
    except jwt.ExpiredSignatureError:
        return {"code": "token_expired"}, 401
    except jwt.InvalidTokenError:
        return {"code": "invalid_token"}, 401
    return payload["sub"]
