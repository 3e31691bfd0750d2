"""Profile API: the SPA sends its Auth0 ID token as the bearer."""

import os

from auth0.authentication.token_verifier import TokenValidationError
from flask import abort, request

from token_verifier import verify_token

DOMAIN = os.environ["AUTH0_DOMAIN"]
CLIENT_ID = os.environ["AUTH0_CLIENT_ID"]


def current_user():
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        abort(401)
    try:
        payload = verify_token(header[7:])
    except TokenValidationError:
        abort(401)
    return payload["sub"]
