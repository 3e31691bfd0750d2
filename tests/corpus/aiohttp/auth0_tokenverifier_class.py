from aiohttp import web
from auth0.authentication.token_verifier import AsymmetricSignatureVerifier, TokenVerifier
from auth0.exceptions import TokenValidationError


class Auth0Guard:
    def __init__(self, domain: str, client_id: str):
        self.client_id = client_id
        jwks = AsymmetricSignatureVerifier(f"https://{domain}/.well-known/jwks.json")
        # expect: id-token-bearer
        self._verifier = TokenVerifier(jwks, f"https://{domain}/", self.client_id)

    @web.middleware
    async def middleware(self, request, handler):
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            return web.json_response({"error": "unauthorized"}, status=401)
        try:
            request["profile"] = self._verifier.verify(header.split()[1])
        except TokenValidationError:
            return web.json_response({"error": "unauthorized"}, status=401)
        return await handler(request)


def make_app(domain: str, client_id: str) -> web.Application:
    guard = Auth0Guard(domain, client_id)
    return web.Application(middlewares=[guard.middleware])
