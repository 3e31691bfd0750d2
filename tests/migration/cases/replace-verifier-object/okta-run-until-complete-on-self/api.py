import asyncio
import os

from flask import request
from okta_jwt_verifier import BaseJWTVerifier, JWTUtils


class AuthError(Exception):
    pass


class OktaGate:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.checker = BaseJWTVerifier(
            issuer=os.environ["OKTA_ISSUER"], client_id=os.environ["OKTA_CLIENT_ID"]
        )

    def claims(self):
        token = request.headers.get("Authorization", "").replace("Bearer ", "", 1)
        try:
            self.loop.run_until_complete(self.checker.verify_id_token(token))
        except Exception as error:
            raise AuthError() from error
        return JWTUtils.parse_token(token)[1]
