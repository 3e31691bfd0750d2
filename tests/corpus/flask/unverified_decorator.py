from functools import wraps

import jwt
from flask import Flask, g, jsonify, request

app = Flask(__name__)


def authenticated(f):
    """TODO(security): verify the signature once we have the JWKS wired up."""

    @wraps(f)
    def wrapper(*args, **kwargs):
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        if not token:
            return jsonify(error="missing token"), 401
        # expect: unverified-decode
        claims = jwt.decode(token, options={"verify_signature": False})
        g.user_id = claims["sub"]
        g.roles = claims.get("roles", [])
        return f(*args, **kwargs)

    return wrapper


@app.get("/admin/reports")
@authenticated
def reports():
    if "admin" not in g.roles:
        return jsonify(error="forbidden"), 403
    return jsonify(reports=[])
