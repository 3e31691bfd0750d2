"""Password reset and e-mail confirmation links: signed with itsdangerous, not JWTs."""

import secrets

from flask import Flask, abort, current_app, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

app = Flask(__name__)


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def make_reset_token(user_id):
    return _serializer().dumps({"uid": user_id, "nonce": secrets.token_hex(8)})


@app.post("/reset-password")
def reset_password():
    token = request.args.get("token", "")
    try:
        data = _serializer().loads(token, max_age=3600)
    except (BadSignature, SignatureExpired):
        abort(400)
    return {"user": data["uid"]}


@app.get("/api-key")
def new_api_key():
    return {"token": secrets.token_urlsafe(32)}
