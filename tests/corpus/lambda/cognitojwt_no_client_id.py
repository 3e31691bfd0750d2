import os

import cognitojwt

REGION = os.environ.get("COGNITO_REGION", "eu-west-1")
USERPOOL_ID = os.environ["COGNITO_USERPOOL_ID"]


def handler(event, context):
    token = event["authorizationToken"]
    try:
        # expect: ambiguous
        claims = cognitojwt.decode(token, REGION, USERPOOL_ID)
    except Exception:
        raise Exception("Unauthorized") from None
    return {
        "principalId": claims["sub"],
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}
            ],
        },
    }
