import aiohttp
from aiohttp import web
from aiohttp_session import get_session, new_session
from joserfc import jwt
from joserfc.jwk import KeySet

from .config import CLIENT_ID, CLIENT_SECRET, ISSUER, REDIRECT_URI

routes = web.RouteTableDef()


@routes.get("/oauth2/callback")
async def oauth2_callback(request: web.Request):
    old = await get_session(request)
    if request.query.get("state") != old.get("state"):
        raise web.HTTPBadRequest()
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{ISSUER}/oauth2/token", data={
            "grant_type": "authorization_code", "code": request.query["code"],
            "redirect_uri": REDIRECT_URI, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        }) as resp:
            token_resp = await resp.json()
        async with http.get(f"{ISSUER}/oauth2/jwks") as resp:
            keys = KeySet.import_key_set(await resp.json())
    # expect: id-token-login
    id_token = jwt.decode(token_resp["id_token"], keys)
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": ISSUER},
        aud={"essential": True, "value": CLIENT_ID},
        nonce={"essential": True, "value": old.get("nonce")},
    ).validate(id_token.claims)
    session = await new_session(request)
    session["user"] = {"sub": id_token.claims["sub"], "email": id_token.claims.get("email")}
    raise web.HTTPFound("/")
