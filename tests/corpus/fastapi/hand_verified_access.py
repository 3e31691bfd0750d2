"""Same hand-written check, but on the access token: `client_id` and `token_use` decide it."""
# corpus: class=5 provider=cognito

import os

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jose import jwk, jwt
from jose.utils import base64url_decode

APP_CLIENT_ID = os.environ["COGNITO_APP_CLIENT_ID"]
JWKS: dict = {}
scheme = HTTPBearer()


def current_user(creds: HTTPAuthorizationCredentials = Depends(scheme)) -> dict:
    token = creds.credentials
    key = jwk.construct(JWKS[jwt.get_unverified_header(token)["kid"]])
    message, sig = token.rsplit(".", 1)
    if not key.verify(message.encode("utf-8"), base64url_decode(sig.encode("utf-8"))):
        raise HTTPException(401)
    # expect: access-token
    claims = jwt.get_unverified_claims(token)
    if claims.get("token_use") != "access" or claims.get("client_id") != APP_CLIENT_ID:
        raise HTTPException(401)
    return claims
