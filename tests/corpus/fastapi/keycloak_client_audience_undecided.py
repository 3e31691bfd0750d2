"""Keycloak with an audience mapper: aud is the client id for access tokens too; nothing else decides."""
# corpus: class=2 provider=keycloak

import os

from fastapi import Depends, FastAPI
from fastapi.security import OAuth2AuthorizationCodeBearer
from jose import jwt

SERVER = os.environ["KEYCLOAK_SERVER_URL"]
REALM = os.environ["KEYCLOAK_REALM"]
ISSUER = f"{SERVER}/realms/{REALM}"
CLIENT_ID = os.environ["KEYCLOAK_CLIENT_ID"]
JWKS: dict = {"keys": []}
scheme = OAuth2AuthorizationCodeBearer(f"{ISSUER}/protocol/openid-connect/auth", f"{ISSUER}/protocol/openid-connect/token")
app = FastAPI()


def user(token: str = Depends(scheme)) -> dict:
    # expect: ambiguous
    return jwt.decode(token, JWKS, algorithms=["RS256"], audience=CLIENT_ID, issuer=ISSUER)


@app.get("/profile")
def profile(claims: dict = Depends(user)):
    return {"sub": claims["sub"]}
