import jwt
from aiohttp import web


async def whoami(request: web.Request) -> web.Response:
    token = request.headers.get("Authorization", "")[len("Bearer "):]
    # expect: unverified-decode
    unverified = jwt.decode_complete(token, options={"verify_signature": False})
    claims = unverified["payload"]
    return web.json_response({"user": claims["sub"], "email": claims.get("email")})


app = web.Application()
app.router.add_get("/whoami", whoami)
