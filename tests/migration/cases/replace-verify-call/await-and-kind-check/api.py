import os

import jwt
from flask import request

CLIENT_ID = os.environ["CLIENT_ID"]
CLIENT_SECRET = os.environ["CLIENT_SECRET"]


async def user():
    token = request.headers["Authorization"][7:]
    try:
        claims = await jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
    except jwt.InvalidTokenError:
        return None
    if claims["token_use"] != "id":
        raise PermissionError("expected an ID token")
    return claims["email"]
