"""Reusable verification helper; each service passes its own audience from its own config."""

import jwt
from aiohttp import web


def make_verifier(jwks_url: str, issuer: str, audience: str):
    client = jwt.PyJWKClient(jwks_url)

    def verify(token: str) -> dict:
        key = client.get_signing_key_from_jwt(token)
        # expect: ambiguous
        return jwt.decode(token, key.key, algorithms=["RS256"], audience=audience, issuer=issuer)

    return verify


def auth_middleware(verify):
    @web.middleware
    async def middleware(request, handler):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            request["claims"] = verify(token)
        except jwt.PyJWTError:
            raise web.HTTPUnauthorized() from None
        return await handler(request)

    return middleware
