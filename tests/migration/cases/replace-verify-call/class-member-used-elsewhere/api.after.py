import os

import jwt
import requests
from flask import abort, request

from token_verifier import verify_token


class KeyedVerifier:
    def __init__(self):
        self.jwks_url = os.environ["ISSUER"] + "/.well-known/jwks.json"
        self._key_set = None

    @property
    def key_set(self):
        if self._key_set is None:
            self._key_set = self._download()
        return self._key_set

    def _download(self):
        return requests.get(self.jwks_url, timeout=5).json()["keys"]

    def _public_key(self, kid):
        for entry in self.key_set:
            if entry["kid"] == kid:
                return jwt.PyJWK(entry).key
        abort(401)

    def key_ids(self):
        return [entry["kid"] for entry in self.key_set]

    def claims(self):
        token = request.headers["Authorization"].removeprefix("Bearer ")
        try:
            return verify_token(token)
        except jwt.InvalidTokenError:
            abort(401)


verifier = KeyedVerifier()
