import os

import jwt
from aiohttp import web

CLIENT_ID = os.environ["OIDC_CLIENT_ID"]
ISSUER = os.environ["OIDC_ISSUER"]
jwk_client = jwt.PyJWKClient(f"{ISSUER}/.well-known/jwks.json")


@web.middleware
async def oidc_auth(request, handler):
    if request.path.startswith("/public"):
        return await handler(request)
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer "):
        raise web.HTTPUnauthorized()
    token = auth[7:]
    key = jwk_client.get_signing_key_from_jwt(token)
    # expect: id-token-bearer
    decoded = jwt.decode_complete(token, key.key, algorithms=["RS256", "ES256"], audience=CLIENT_ID, issuer=ISSUER)
    payload = decoded["payload"]
    request["user"] = {"sub": payload["sub"], "email": payload["email"]}
    return await handler(request)


async def me(request):
    return web.json_response(request["user"])


app = web.Application(middlewares=[oidc_auth])
app.router.add_get("/me", me)
