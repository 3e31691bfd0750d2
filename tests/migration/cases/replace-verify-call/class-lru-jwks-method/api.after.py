import os

import jwt
from fastapi import HTTPException

from token_verifier import verify_token


class PoolAuth:
    def __init__(self):
        self.region = os.environ["POOL_REGION"]
        self.pool_id = os.environ["POOL_ID"]
        self.label = "user pool"

    async def authenticate(self, token: str) -> dict:
        try:
            return verify_token(token)
        except jwt.PyJWTError as error:
            raise HTTPException(status_code=401, detail=str(error))

    def describe(self):
        return f"{self.label} {self.pool_id} ({self.region})"


pool_auth = PoolAuth()
