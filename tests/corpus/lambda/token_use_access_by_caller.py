"""The same configurable verifier, wired with the access kind: access-token validation."""
# corpus: class=3 provider=cognito

import os

import jwt

ISSUER = os.environ["COGNITO_ISSUER"]
keys = jwt.PyJWKClient(ISSUER + "/.well-known/jwks.json")


def verify(token, required_token_use):
    signing_key = keys.get_signing_key_from_jwt(token).key
    # expect: access-token
    claims = jwt.decode(token, signing_key, algorithms=["RS256"], issuer=ISSUER,
                        options={"verify_aud": False})
    if claims["token_use"] != required_token_use:
        raise ValueError("token_use mismatch")
    return claims


def authorizer(event, context):
    claims = verify(event["authorizationToken"], required_token_use="access")
    return {"principalId": claims["sub"], "policyDocument": {"Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow",
                           "Resource": event["methodArn"]}]}}
