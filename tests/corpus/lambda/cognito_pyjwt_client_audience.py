"""PyJWT against a Cognito pool with audience = app client id: only ID tokens carry that aud."""
# corpus: class=2 provider=cognito

import os

import jwt

REGION = os.environ["AWS_REGION"]
POOL = os.environ["POOL_ID"]
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}"
CLIENT = os.environ["WEB_CLIENT"]
JWKS = jwt.PyJWKClient(f"{ISSUER}/.well-known/jwks.json")


def lambda_handler(event, context):
    token = event["headers"]["authorization"].split(" ")[-1]
    key = JWKS.get_signing_key_from_jwt(token).key
    # expect: id-token-bearer
    claims = jwt.decode(token, key, algorithms=["RS256"], audience=CLIENT, issuer=ISSUER)
    groups = claims.get("cognito:groups", [])
    if "admins" not in groups and "reports:read" not in claims.get("permissions", []):
        return {"statusCode": 403, "body": "forbidden"}
    return {"statusCode": 200, "body": claims["sub"]}
