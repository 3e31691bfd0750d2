import os

import jwt
from flask import request

from token_verifier import verify_token as idtoken_migrate_verify_token

CLIENT_ID = os.environ["CLIENT_ID"]
CLIENT_SECRET = os.environ["CLIENT_SECRET"]


def verify_token(t):
    return t


def user():
    token = request.headers["Authorization"][7:]
    try:
        return idtoken_migrate_verify_token(token)
    except jwt.InvalidTokenError:
        return None
