"""Keycloak, audience the client id, no typ check: by default only the ID token carries that aud."""
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
    # expect: id-token-bearer
    return jwt.decode(token, JWKS, algorithms=["RS256"], audience=CLIENT_ID, issuer=ISSUER)


@app.get("/profile")
def profile(claims: dict = Depends(user)):
    return {"sub": claims["sub"]}
