from aiohttp import web
from authlib.jose import JsonWebToken

API_IDENTIFIER = "https://api.fleet.example.com"
ISSUER = "https://fleet-example.us.auth0.com/"


def make_auth(jwks):
    decoder = JsonWebToken(["RS256"])

    @web.middleware
    async def access_token_auth(request, handler):
        token = request.headers.get("Authorization", "").replace("Bearer ", "")
        # expect: access-token
        claims = decoder.decode(
            token,
            jwks,
            claims_options={
                "iss": {"essential": True, "value": ISSUER},
                "aud": {"essential": True, "value": API_IDENTIFIER},
            },
        )
        claims.validate()
        request["permissions"] = claims.get("permissions", [])
        return await handler(request)

    return access_token_auth
