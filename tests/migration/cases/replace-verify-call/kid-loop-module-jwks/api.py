import os

import requests
from fastapi import HTTPException
from jose import jwk, jwt
from jose.exceptions import JWTError

REGION = os.environ["COGNITO_REGION"]
POOL_ID = os.environ["COGNITO_USER_POOL_ID"]
APP_CLIENT_ID = os.environ["COGNITO_APP_CLIENT_ID"]
KEYS_URL = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}/.well-known/jwks.json"
KEYS = requests.get(KEYS_URL, timeout=5).json()["keys"]


def get_current_user(token: str) -> dict:
    kid = jwt.get_unverified_header(token)["kid"]
    found = None
    for entry in KEYS:
        if entry["kid"] == kid:
            found = entry
            break
    if found is None:
        raise HTTPException(status_code=401, detail="unknown key")
    public_key = jwk.construct(found)
    try:
        claims = jwt.decode(
            token,
            public_key,
            algorithms=["RS256"],
            audience=APP_CLIENT_ID,
            issuer=f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}",
        )
    except JWTError:
        raise HTTPException(status_code=401, detail="invalid token")
    return claims
