"""Celery task authentication: jobs submitted over HTTP carry the submitter's token."""

import os

from jwt import InvalidTokenError
from jwt import decode as jwt_decode

OIDC_CLIENT_ID = os.getenv("OIDC_CLIENT_ID")
with open(os.environ["OIDC_PUBLIC_KEY_PATH"]) as fh:
    OIDC_PUBLIC_KEY = fh.read()


def submitter(headers: dict) -> str:
    token = headers.get("Authorization", "").split(" ")[-1]
    try:
        # expect: id-token-bearer
        claims = jwt_decode(token, OIDC_PUBLIC_KEY, algorithms=["RS256"], audience=OIDC_CLIENT_ID)
    except InvalidTokenError as exc:
        raise PermissionError("bad token") from exc
    return claims["email"]
