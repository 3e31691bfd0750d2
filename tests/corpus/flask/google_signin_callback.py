"""Google Identity Services "Sign in with Google" button posting to our login endpoint."""

import os

from flask import Flask, abort, redirect, request, session
from google.auth.transport import requests as google_requests
from google.oauth2 import id_token

app = Flask(__name__)
app.secret_key = os.environ["FLASK_SECRET_KEY"]
GOOGLE_CLIENT_ID = os.environ["GOOGLE_CLIENT_ID"]


@app.post("/login/google")
def google_sign_in():
    csrf_cookie = request.cookies.get("g_csrf_token")
    if not csrf_cookie or csrf_cookie != request.form.get("g_csrf_token"):
        abort(400, "CSRF check failed")
    credential = request.form["credential"]
    try:
        # expect: id-token-login
        idinfo = id_token.verify_oauth2_token(
            credential, google_requests.Request(), GOOGLE_CLIENT_ID
        )
    except ValueError:
        abort(401)
    session.clear()
    session["user_id"] = idinfo["sub"]
    session["email"] = idinfo["email"]
    return redirect("/")
