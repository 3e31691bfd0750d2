"""Request identity for every project route: the bearer token checked against the pool."""
# corpus: class=4 provider=cognito

import jwt
from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cbp_app.auth.pool import APP_CLIENT_ID, ISSUER, group_names, jwks_client

bearer = HTTPBearer()


def current_member(creds: HTTPAuthorizationCredentials = Depends(bearer)) -> dict:
    token = creds.credentials
    try:
        key = jwks_client.get_signing_key_from_jwt(token).key
        # expect: id-token-bearer
        claims = jwt.decode(token, key, algorithms=["RS256"], audience=APP_CLIENT_ID, issuer=ISSUER)
    except jwt.PyJWTError as exc:
        raise HTTPException(status_code=401, detail="invalid token") from exc
    return {"id": claims["sub"], "email": claims.get("email"), "groups": group_names(claims)}
