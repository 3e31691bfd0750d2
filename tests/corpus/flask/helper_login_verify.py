"""Login callback that delegates the ID token check to a small helper."""
# corpus: class=1 provider=generic

import os

import jwt
import requests
from flask import Flask, redirect, request, session

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]
ISSUER = os.environ["OIDC_ISSUER"]
CLIENT_ID = os.environ["OIDC_CLIENT_ID"]
_jwks = jwt.PyJWKClient(f"{ISSUER}/.well-known/jwks.json")


def _verify_id_token(raw: str) -> dict:
    key = _jwks.get_signing_key_from_jwt(raw).key
    # expect: id-token-login
    return jwt.decode(raw, key, algorithms=["RS256"], audience=CLIENT_ID, issuer=ISSUER)


@app.get("/oidc/callback")
def oidc_callback():
    tokens = requests.post(
        f"{ISSUER}/oauth/token",
        data={"grant_type": "authorization_code", "code": request.args["code"],
              "client_id": CLIENT_ID, "client_secret": os.environ["OIDC_CLIENT_SECRET"]},
        timeout=10,
    ).json()
    claims = _verify_id_token(tokens["id_token"])
    session["user"] = {"sub": claims["sub"], "email": claims.get("email")}
    return redirect("/")
