import os
from functools import lru_cache

import jwt
import requests
from fastapi import HTTPException


class PoolAuth:
    def __init__(self):
        self.region = os.environ["POOL_REGION"]
        self.pool_id = os.environ["POOL_ID"]
        self.client_id = os.environ["CLIENT_ID"]
        self._jwks = None
        self.label = "user pool"

    @lru_cache(maxsize=1)
    def _get_jwks(self):
        if self._jwks is None:
            url = f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}/.well-known/jwks.json"
            self._jwks = requests.get(url, timeout=5).json()
        return self._jwks

    def _public_key(self, kid):
        jwk = next((k for k in self._get_jwks()["keys"] if k["kid"] == kid), None)
        return jwt.PyJWK(jwk).key if jwk else None

    async def authenticate(self, token: str) -> dict:
        kid = jwt.get_unverified_header(token).get("kid")
        key = self._public_key(kid)
        if key is None:
            raise HTTPException(status_code=401, detail="unknown signing key")
        try:
            return jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self.client_id,
                issuer=f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}",
            )
        except jwt.PyJWTError as error:
            raise HTTPException(status_code=401, detail=str(error))

    def describe(self):
        return f"{self.label} {self.pool_id} ({self.region})"


pool_auth = PoolAuth()
