"""Entra External ID (ciamlogin.com) API: its own client id is the access-token audience."""
# corpus: class=2 provider=entra

import os

import jwt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

TENANT = os.environ["CIAM_TENANT_SUBDOMAIN"]
TENANT_GUID = os.environ["CIAM_TENANT_GUID"]
API_APP_ID = os.environ["API_APP_CLIENT_ID"]
AUTHORITY = f"https://{TENANT_GUID}.ciamlogin.com/{TENANT_GUID}/v2.0"
keys = jwt.PyJWKClient(f"https://{TENANT}.ciamlogin.com/{TENANT_GUID}/discovery/v2.0/keys")
auth = HTTPBearer()
app = FastAPI()


def principal(creds: HTTPAuthorizationCredentials = Depends(auth)) -> dict:
    key = keys.get_signing_key_from_jwt(creds.credentials).key
    # expect: access-token
    claims = jwt.decode(
        creds.credentials, key, algorithms=["RS256"], audience=API_APP_ID, issuer=AUTHORITY
    )
    if "Orders.Read" not in claims.get("roles", []):
        raise HTTPException(403)
    return claims


@app.get("/orders")
def orders(who: dict = Depends(principal)):
    return {"for": who["oid"]}
