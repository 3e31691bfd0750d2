"""The SPA stores the ID token in a cookie and the API reads it from there."""

import os

import jwt
from flask import Flask, abort, g, request

app = Flask(__name__)
OIDC_CLIENT_ID = os.environ["OIDC_CLIENT_ID"]
OIDC_PUBLIC_KEY = open(os.environ["OIDC_PUBLIC_KEY_FILE"]).read()


@app.before_request
def from_cookie():
    token = request.cookies.get("id_token")
    if token is None:
        abort(401)
    try:
        # expect: id-token-bearer
        g.claims = jwt.decode(
            token,
            OIDC_PUBLIC_KEY,
            algorithms=["RS256"],
            audience=OIDC_CLIENT_ID,
            options={"verify_signature": True, "require": ["exp", "iat", "sub"]},
        )
    except jwt.InvalidTokenError:
        abort(401)


@app.get("/api/settings")
def user_settings():
    return {"sub": g.claims["sub"]}
