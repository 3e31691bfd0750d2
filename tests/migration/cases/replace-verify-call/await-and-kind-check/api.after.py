import os

import jwt
from flask import request

from token_verifier import verify_token

CLIENT_ID = os.environ["CLIENT_ID"]
CLIENT_SECRET = os.environ["CLIENT_SECRET"]


async def user():
    token = request.headers["Authorization"][7:]
    try:
        claims = verify_token(token)
    except jwt.InvalidTokenError:
        return None
    return claims["email"]
