"""HTTP API (payload v2) Lambda authorizer, simple responses."""

import json
import os
import urllib.request

from jose import jwt

APP_CLIENT_ID = os.environ["APP_CLIENT_ID"]
ISSUER = os.environ["COGNITO_ISSUER"]
with urllib.request.urlopen(f"{ISSUER}/.well-known/jwks.json") as resp:  # noqa: S310
    JWKS = json.load(resp)


def handler(event, context):
    token = event["headers"].get("authorization", "").replace("Bearer ", "")
    try:
        # expect: id-token-bearer
        claims = jwt.decode(token, JWKS, algorithms=["RS256"], audience=APP_CLIENT_ID, issuer=ISSUER)
    except Exception:
        return {"isAuthorized": False}
    return {"isAuthorized": True, "context": {"email": claims["email"]}}
