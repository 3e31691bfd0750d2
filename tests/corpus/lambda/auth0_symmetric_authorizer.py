import os

from auth0.authentication.token_verifier import SymmetricSignatureVerifier, TokenValidationError

AUTH0_CLIENT_SECRET = os.environ["AUTH0_CLIENT_SECRET"]
# expect: id-token-bearer
signature_verifier = SymmetricSignatureVerifier(AUTH0_CLIENT_SECRET)


def handler(event, context):
    token = event["authorizationToken"].removeprefix("Bearer ")
    try:
        payload = signature_verifier.verify_signature(token)
    except TokenValidationError:
        raise Exception("Unauthorized") from None
    return {
        "principalId": payload["sub"],
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}],
        },
        "context": {"email": payload.get("email", ""), "name": payload.get("name", "")},
    }
