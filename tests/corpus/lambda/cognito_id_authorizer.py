"""API Gateway TOKEN authorizer: the web app forwards the Cognito ID token it got at login."""

import os

import jwt

REGION = os.environ["AWS_REGION"]
USER_POOL_ID = os.environ["USER_POOL_ID"]
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{USER_POOL_ID}"
jwks_client = jwt.PyJWKClient(f"{ISSUER}/.well-known/jwks.json")


def _policy(principal, effect, resource, context=None):
    return {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
        "context": context or {},
    }


def lambda_handler(event, context):
    token = event["authorizationToken"].replace("Bearer ", "")
    key = jwks_client.get_signing_key_from_jwt(token)
    # expect: id-token-bearer
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=os.environ["APP_CLIENT_ID"], issuer=ISSUER)
    if claims.get("token_use") != "id":
        return _policy("anonymous", "Deny", event["methodArn"])
    return _policy(claims["sub"], "Allow", event["methodArn"], {"email": claims["email"]})
