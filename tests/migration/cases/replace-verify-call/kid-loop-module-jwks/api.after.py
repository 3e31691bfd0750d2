import os
from fastapi import HTTPException
from jose.exceptions import JWTError

from token_verifier import verify_token

REGION = os.environ["COGNITO_REGION"]
POOL_ID = os.environ["COGNITO_USER_POOL_ID"]
APP_CLIENT_ID = os.environ["COGNITO_APP_CLIENT_ID"]
KEYS_URL = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}/.well-known/jwks.json"


def get_current_user(token: str) -> dict:
    try:
        claims = verify_token(token)
    except JWTError:
        raise HTTPException(status_code=401, detail="invalid token")
    return claims
