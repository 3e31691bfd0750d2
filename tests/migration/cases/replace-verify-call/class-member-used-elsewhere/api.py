import os

import jwt
import requests
from flask import abort, request


class KeyedVerifier:
    def __init__(self):
        self.client_id = os.environ["CLIENT_ID"]
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
        key = self._public_key(jwt.get_unverified_header(token)["kid"])
        try:
            return jwt.decode(token, key, algorithms=["RS256"], audience=self.client_id)
        except jwt.InvalidTokenError:
            abort(401)


verifier = KeyedVerifier()
