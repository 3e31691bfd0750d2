"""Mobile backend: the Android app sends its Google Sign-In ID token on every call."""

import os
from functools import wraps

from flask import Flask, abort, g, request
from google.auth.transport import requests as google_requests
from google.oauth2 import id_token

app = Flask(__name__)
GOOGLE_CLIENT_ID = os.getenv("GOOGLE_CLIENT_ID")
_request = google_requests.Request()


def bearer_token():
    value = request.headers.get("Authorization")
    if not value or not value.startswith("Bearer "):
        abort(401)
    return value.split(" ", 1)[1]


def verify_user(token):
    # expect: id-token-bearer
    info = id_token.verify_oauth2_token(token, _request, GOOGLE_CLIENT_ID)
    if info["iss"] not in ("accounts.google.com", "https://accounts.google.com"):
        raise ValueError("wrong issuer")
    return info


def google_user_required(fn):
    @wraps(fn)
    def inner(*args, **kwargs):
        try:
            g.user = verify_user(bearer_token())
        except ValueError:
            abort(401)
        return fn(*args, **kwargs)

    return inner


@app.route("/api/notes")
@google_user_required
def notes():
    return {"owner": g.user["email"], "notes": []}
