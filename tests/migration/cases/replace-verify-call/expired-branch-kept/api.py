import os

import jwt
from flask import request

CLIENT_ID = os.environ["CLIENT_ID"]
CLIENT_SECRET = os.environ["CLIENT_SECRET"]


def user():
    token = request.headers["Authorization"].split()[1]
    try:
        payload = jwt.decode(
            token,
            CLIENT_SECRET,  # the SPA's client secret
            algorithms=["HS256"],
            audience=CLIENT_ID,
        )
    except jwt.ExpiredSignatureError:
        return {"code": "token_expired"}, 401
    except jwt.InvalidTokenError:
        return {"code": "invalid_token"}, 401
    return payload["sub"]
