import os

from aiohttp import web
from okta_jwt_verifier import JWTVerifier
from okta_jwt_verifier.exceptions import JWTValidationException

ISSUER = os.environ["OKTA_ISSUER"]
CLIENT_ID = os.environ["OKTA_CLIENT_ID"]


@web.middleware
async def okta_id_token_auth(request: web.Request, handler):
    token = request.headers.get("Authorization", "").partition(" ")[2]
    try:
        # expect: id-token-bearer
        await JWTVerifier(ISSUER, CLIENT_ID).verify_id_token(token, nonce=None)
    except JWTValidationException:
        raise web.HTTPUnauthorized() from None
    return await handler(request)


app = web.Application(middlewares=[okta_id_token_auth])
