import os

from jose import jwt

from .keys import cognito_jwks

APP_CLIENT_IDS = set(os.environ["APP_CLIENT_IDS"].split(","))
ISSUER = os.environ["COGNITO_ISSUER"]


def handler(event, context):
    token = event["authorizationToken"].split(" ")[-1]
    # expect: access-token
    claims = jwt.decode(token, cognito_jwks(), algorithms=["RS256"], issuer=ISSUER, options={"verify_aud": False})
    if claims.get("token_use") != "access":
        raise Exception("Unauthorized")
    if claims.get("client_id") not in APP_CLIENT_IDS:
        raise Exception("Unauthorized")
    return {
        "principalId": claims["username"],
        "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}]},
    }
