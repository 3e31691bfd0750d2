from aiohttp import web
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.jose.errors import JoseError

from .settings import CLIENT_ID, ISSUER, JWKS

jwt = JsonWebToken(["RS256"])
key_set = JsonWebKey.import_key_set(JWKS)


async def require_user(request: web.Request) -> dict:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer":
        raise web.HTTPUnauthorized()
    # expect: id-token-bearer
    claims = jwt.decode(
        token,
        key_set,
        claims_options={
            "iss": {"essential": True, "value": ISSUER},
            "aud": {"essential": True, "value": CLIENT_ID},
        },
    )
    try:
        claims.validate()
    except JoseError:
        raise web.HTTPUnauthorized() from None
    return claims


async def profile(request: web.Request) -> web.Response:
    claims = await require_user(request)
    return web.json_response({"name": claims.get("name"), "email": claims.get("email")})
