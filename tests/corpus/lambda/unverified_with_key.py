import os

import jwt

SECRET = os.environ["JWT_SECRET"]


def handler(event, context):
    token = event["authorizationToken"].removeprefix("Bearer ")
    # expect: unverified-decode
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_signature": False})
    effect = "Allow" if claims.get("role") == "admin" else "Deny"
    return {
        "principalId": claims["sub"],
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}],
        },
    }
