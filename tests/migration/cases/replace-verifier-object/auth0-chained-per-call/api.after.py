from flask import g, request

from token_verifier import verify_token


def load_user():
    token = request.headers["Authorization"].split()[1]
    g.claims = verify_token(token)
