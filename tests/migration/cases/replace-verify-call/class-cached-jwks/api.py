import json
import os
from functools import cached_property

import jwt
import requests
from jwt.algorithms import RSAAlgorithm


class TokenError(Exception):
    pass


class IdTokenChecker:
    """The ID token the web client forwards, checked against the pool's published keys."""

    def __init__(self, issuer, client_id):
        self.issuer = issuer
        self.client_id = client_id
        self.keys_url = f"{self.pool_url}/.well-known/jwks.json"

    def __repr__(self):
        return f"IdTokenChecker({self.issuer!r})"

    @cached_property
    def _keys(self):
        reply = requests.get(self.keys_url, timeout=5)
        reply.raise_for_status()
        return {jwk["kid"]: json.dumps(jwk) for jwk in reply.json()["keys"]}

    @property
    def pool_url(self):
        return self.issuer.rstrip("/")

    def _signing_key(self, token):
        try:
            kid = jwt.get_unverified_header(token)["kid"]
        except jwt.DecodeError as error:
            raise TokenError(str(error))
        return RSAAlgorithm.from_jwk(self._keys[kid])

    def check(self, token):
        key = self._signing_key(token)
        if key is None:
            raise TokenError("no key for this token")
        try:
            return jwt.decode(token, key, audience=self.client_id, issuer=self.pool_url, algorithms=["RS256"])
        except jwt.InvalidTokenError as error:
            raise TokenError(str(error))


checker = IdTokenChecker(os.environ["ISSUER"], os.environ["CLIENT_ID"])


def current_claims(request):
    return checker.check(request.headers["Authorization"].removeprefix("Bearer "))
