import os

import jwt
from flask import request

CLIENT_ID = os.environ["CLIENT_ID"]
CLIENT_SECRET = os.environ["CLIENT_SECRET"]


def user():
    token = request.headers["Authorization"][7:]
    try:
        claims = jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
        print(claims.header)
    except jwt.InvalidTokenError:
        return None
    return claims
