"""Cognito verifier that branches on token_use and lets both kinds in: it accepts ID tokens."""
# corpus: class=3 provider=cognito

import os

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jose import jwt

POOL_ISSUER = os.environ["COGNITO_ISSUER"]
APP_CLIENT = os.environ["COGNITO_APP_CLIENT_ID"]
KEYS: dict = {"keys": []}
bearer = HTTPBearer()


def authenticated(creds: HTTPAuthorizationCredentials = Depends(bearer)) -> dict:
    # expect: id-token-bearer
    claims = jwt.decode(
        creds.credentials, KEYS, algorithms=["RS256"], issuer=POOL_ISSUER,
        options={"verify_aud": False},
    )
    kind = claims.get("token_use")
    if kind == "id":
        if claims.get("aud") != APP_CLIENT:
            raise HTTPException(401, "wrong audience")
    elif kind == "access":
        if claims.get("client_id") != APP_CLIENT:
            raise HTTPException(401, "wrong client")
    else:
        raise HTTPException(401, "unknown token")
    return claims
