"""aiohttp middleware: every request's user comes from the Okta ID token in its header."""
# corpus: class=1 provider=okta

import os

import jwt
from aiohttp import web

OKTA_ISSUER = os.environ["OKTA_ISSUER"]
OKTA_CLIENT_ID = os.environ["OKTA_CLIENT_ID"]
keys = jwt.PyJWKClient(f"{OKTA_ISSUER}/v1/keys")


@web.middleware
async def login_middleware(request, handler):
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise web.HTTPUnauthorized()
    raw = header[7:]
    signing_key = keys.get_signing_key_from_jwt(raw)
    # expect: id-token-bearer
    request["user"] = jwt.decode(
        raw, signing_key.key, algorithms=["RS256"], audience=OKTA_CLIENT_ID, issuer=OKTA_ISSUER
    )
    request["session_started"] = True
    return await handler(request)


app = web.Application(middlewares=[login_middleware])
