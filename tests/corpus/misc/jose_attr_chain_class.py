"""Starlette middleware; settings come from the constructor."""

import jose.jwt
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse


class OIDCAuthMiddleware(BaseHTTPMiddleware):
    def __init__(self, app, issuer: str, client_id: str, jwks: dict):
        super().__init__(app)
        self.issuer = issuer
        self.client_id = client_id
        self.jwks = jwks

    def verify(self, token: str) -> dict:
        # expect: id-token-bearer
        return jose.jwt.decode(
            token, self.jwks, algorithms=["RS256"], audience=self.client_id, issuer=self.issuer
        )

    async def dispatch(self, request, call_next):
        header = request.headers.get("authorization")
        if not header:
            return JSONResponse({"detail": "Not authenticated"}, status_code=401)
        try:
            claims = self.verify(header.split(" ", 1)[1])
        except jose.JWTError:
            return JSONResponse({"detail": "Invalid token"}, status_code=401)
        request.state.user_email = claims.get("email")
        return await call_next(request)
