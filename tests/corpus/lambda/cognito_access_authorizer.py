"""Lambda REQUEST authorizer for a Cognito user pool: access tokens only, checked by client_id."""

import os

import jwt

POOL_URL = f"https://cognito-idp.{os.environ['AWS_REGION']}.amazonaws.com/{os.environ['USER_POOL_ID']}"
APP_CLIENT_ID = os.environ["APP_CLIENT_ID"]
_jwks = jwt.PyJWKClient(POOL_URL + "/.well-known/jwks.json")


def handler(event, context):
    header = event["headers"].get("authorization", "")
    token = header.split(" ")[-1]
    signing_key = _jwks.get_signing_key_from_jwt(token)
    # Cognito access tokens have no aud claim: check client_id instead.
    # expect: access-token
    claims = jwt.decode(
        token,
        signing_key.key,
        algorithms=["RS256"],
        issuer=POOL_URL,
        options={"verify_aud": False, "require": ["exp", "iss", "client_id"]},
    )
    if claims["token_use"] != "access" or claims["client_id"] != APP_CLIENT_ID:
        return {"isAuthorized": False}
    return {
        "isAuthorized": "orders/read" in claims.get("scope", "").split(),
        "context": {"sub": claims["sub"]},
    }
