"""Legacy Auth0 API (2017 quickstart style): HS256 ID tokens signed with the client secret."""

import base64
import os
from functools import wraps

import jwt
from flask import Flask, g, jsonify, request

app = Flask(__name__)

AUTH0_DOMAIN = os.environ["AUTH0_DOMAIN"]
AUTH0_CLIENT_ID = os.environ["AUTH0_CLIENT_ID"]
AUTH0_CLIENT_SECRET = os.environ["AUTH0_CLIENT_SECRET"]


def get_token_auth_header():
    auth = request.headers.get("Authorization", "")
    parts = auth.split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise PermissionError("Authorization header must be a Bearer token")
    return parts[1]


def requires_auth(f):
    @wraps(f)
    def decorated(*args, **kwargs):
        token = get_token_auth_header()
        secret = base64.b64decode(AUTH0_CLIENT_SECRET.replace("_", "/").replace("-", "+"))
        try:
            # expect: id-token-bearer
            payload = jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                audience=AUTH0_CLIENT_ID,
                issuer=f"https://{AUTH0_DOMAIN}/",
            )
        except jwt.InvalidTokenError:
            return jsonify({"message": "invalid token"}), 401
        g.current_user = payload
        g.email = payload["email"]
        return f(*args, **kwargs)

    return decorated


@app.route("/api/private")
@requires_auth
def private():
    return jsonify({"hello": g.email})
