import os

import requests
from auth0.authentication.token_verifier import AsymmetricSignatureVerifier, TokenVerifier
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse

DOMAIN = os.environ["AUTH0_DOMAIN"]
CLIENT_ID = os.environ["AUTH0_CLIENT_ID"]
CLIENT_SECRET = os.environ["AUTH0_CLIENT_SECRET"]

app = FastAPI()


@app.get("/callback")
def callback(request: Request, code: str):
    token_response = requests.post(
        f"https://{DOMAIN}/oauth/token",
        json={"grant_type": "authorization_code", "client_id": CLIENT_ID,
              "client_secret": CLIENT_SECRET, "code": code,
              "redirect_uri": str(request.url_for("callback"))},
        timeout=10,
    ).json()
    sv = AsymmetricSignatureVerifier(f"https://{DOMAIN}/.well-known/jwks.json")
    # expect: id-token-login
    tv = TokenVerifier(signature_verifier=sv, issuer=f"https://{DOMAIN}/", audience=CLIENT_ID)
    profile = tv.verify(token_response["id_token"], nonce=request.session.get("nonce"))
    request.session["user"] = {"sub": profile["sub"], "name": profile.get("name")}
    return RedirectResponse("/")
