import os

from google.auth.transport.requests import Request
from google.oauth2.id_token import verify_oauth2_token

CLIENT_ID = os.getenv("GOOGLE_CLIENT_ID")
_request = Request()


def lambda_handler(event, context):
    auth = event.get("authorizationToken", "")
    token = auth[7:] if auth.startswith("Bearer ") else auth
    try:
        # expect: id-token-bearer
        idinfo = verify_oauth2_token(token, _request, CLIENT_ID)
    except ValueError:
        raise Exception("Unauthorized") from None
    if not idinfo.get("email_verified"):
        raise Exception("Unauthorized")
    return {
        "principalId": idinfo["sub"],
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}],
        },
        "context": {"email": idinfo["email"]},
    }
