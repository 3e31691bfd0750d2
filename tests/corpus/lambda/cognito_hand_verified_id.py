"""API Gateway authorizer after the Cognito sample: signature by hand, then manual claim checks."""
# corpus: class=5 provider=cognito

import os
import time

import requests
from jose import jwk, jwt
from jose.utils import base64url_decode

POOL_ID = os.environ["USER_POOL_ID"]
CLIENT_ID = os.environ["APP_CLIENT_ID"]
KEYS_URL = f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL_ID}/.well-known/jwks.json"
KEYS = {k["kid"]: k for k in requests.get(KEYS_URL, timeout=5).json()["keys"]}


def check(token):
    kid = jwt.get_unverified_header(token)["kid"]
    public_key = jwk.construct(KEYS[kid])
    signed, signature = token.rsplit(".", 1)
    if not public_key.verify(signed.encode(), base64url_decode(signature.encode())):
        return None
    # expect: id-token-bearer
    claims = jwt.get_unverified_claims(token)
    if claims["exp"] < time.time():
        return None
    if claims["aud"] != CLIENT_ID:
        return None
    return claims


def handler(event, context):
    claims = check(event["authorizationToken"])
    effect = "Allow" if claims else "Deny"
    return {
        "principalId": claims["sub"] if claims else "anonymous",
        "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]},
    }
