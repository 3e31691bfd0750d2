import os

import jwt

from token_verifier import verify_token


class TokenError(Exception):
    pass


class IdTokenChecker:
    """The ID token the web client forwards, checked against the pool's published keys."""

    def __init__(self, issuer, client_id):
        self.issuer = issuer

    def __repr__(self):
        return f"IdTokenChecker({self.issuer!r})"

    def check(self, token):
        try:
            return verify_token(token)
        except jwt.InvalidTokenError as error:
            raise TokenError(str(error))


checker = IdTokenChecker(os.environ["ISSUER"], os.environ["CLIENT_ID"])


def current_claims(request):
    return checker.check(request.headers["Authorization"].removeprefix("Bearer "))
