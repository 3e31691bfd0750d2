"""Profile API: the SPA sends its Auth0 ID token as the bearer."""

import os

from auth0.authentication.token_verifier import (
    AsymmetricSignatureVerifier,
    TokenValidationError,
    TokenVerifier,
)
from flask import abort, request

DOMAIN = os.environ["AUTH0_DOMAIN"]
CLIENT_ID = os.environ["AUTH0_CLIENT_ID"]

keys = AsymmetricSignatureVerifier(f"https://{DOMAIN}/.well-known/jwks.json")
id_tokens = TokenVerifier(signature_verifier=keys, issuer=f"https://{DOMAIN}/", audience=CLIENT_ID)


def current_user():
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        abort(401)
    try:
        payload = id_tokens.verify(header[7:])
    except TokenValidationError:
        abort(401)
    return payload["sub"]
