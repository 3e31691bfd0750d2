"""Entra ID v2 API: the app registration is shared, so aud is the API's own client id (GUID).

Access tokens are told apart from ID tokens by the scp claim.
"""

import os

import jwt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2AuthorizationCodeBearer

TENANT_ID = os.environ["AZURE_TENANT_ID"]
CLIENT_ID = os.environ["AZURE_CLIENT_ID"]
ISSUER = f"https://login.microsoftonline.com/{TENANT_ID}/v2.0"
jwks_client = jwt.PyJWKClient(f"https://login.microsoftonline.com/{TENANT_ID}/discovery/v2.0/keys")

oauth2 = OAuth2AuthorizationCodeBearer(
    authorizationUrl=f"https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/authorize",
    tokenUrl=f"https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token",
)
app = FastAPI()


def validate(token: str = Depends(oauth2)) -> dict:
    key = jwks_client.get_signing_key_from_jwt(token).key
    # expect: access-token
    claims = jwt.decode(token, key, algorithms=["RS256"], audience=CLIENT_ID, issuer=ISSUER)
    scopes = claims.get("scp", "").split()
    if "Tasks.ReadWrite" not in scopes:
        raise HTTPException(403, "missing scope")
    return claims


@app.get("/tasks")
def tasks(claims: dict = Depends(validate)):
    return {"oid": claims["oid"], "tasks": []}
