"""A dependency named like a login: its claims become every request's identity, so it is a bearer."""
# corpus: class=1 provider=generic

import os

from fastapi import Depends, FastAPI
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jose import jwt

app = FastAPI()
bearer = HTTPBearer()
CLIENT_ID = os.environ["OIDC_CLIENT_ID"]
JWKS = {"keys": []}


def login_required(creds: HTTPAuthorizationCredentials = Depends(bearer)) -> dict:
    # expect: id-token-bearer
    return jwt.decode(creds.credentials, JWKS, algorithms=["RS256"], audience=CLIENT_ID)


@app.get("/me")
def me(claims: dict = Depends(login_required)):
    return {"sub": claims["sub"], "email": claims.get("email")}


@app.get("/orders")
def orders(claims: dict = Depends(login_required)):
    return []
