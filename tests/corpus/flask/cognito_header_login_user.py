"""Hosted-UI front end sends the Cognito ID token in the header once; Flask-Login keeps the session."""
# corpus: class=1 provider=cognito

import os

import jwt
from flask import Flask, jsonify, request
from flask_login import LoginManager, UserMixin, login_user

app = Flask(__name__)
login_manager = LoginManager(app)
REGION = os.environ["AWS_REGION"]
POOL = os.environ["COGNITO_USER_POOL_ID"]
APP_CLIENT_ID = os.environ["COGNITO_APP_CLIENT_ID"]
jwks = jwt.PyJWKClient(f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}/.well-known/jwks.json")


class User(UserMixin):
    def __init__(self, sub):
        self.id = sub


@app.post("/session")
def open_session():
    token = request.headers["Authorization"].split(" ", 1)[1]
    key = jwks.get_signing_key_from_jwt(token).key
    # expect: id-token-login
    claims = jwt.decode(token, key, algorithms=["RS256"], audience=APP_CLIENT_ID)
    login_user(User(claims["sub"]), remember=True)
    return jsonify(ok=True)
