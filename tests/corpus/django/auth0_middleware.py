from django.conf import settings
from django.http import JsonResponse
from django.utils.deprecation import MiddlewareMixin
from jwt import PyJWKClient, decode
from jwt.exceptions import PyJWTError

_jwks = PyJWKClient(f"https://{settings.AUTH0_DOMAIN}/.well-known/jwks.json")


class Auth0TokenMiddleware(MiddlewareMixin):
    """Accepts the SPA's Auth0 token on every /api/ request."""

    def process_request(self, request):
        if not request.path.startswith("/api/"):
            return None
        auth = request.META.get("HTTP_AUTHORIZATION", "")
        if not auth.startswith("Bearer "):
            return JsonResponse({"detail": "authentication required"}, status=401)
        token = auth.split(" ", 1)[1]
        try:
            signing_key = _jwks.get_signing_key_from_jwt(token)
            # expect: id-token-bearer
            payload = decode(
                token,
                signing_key.key,
                algorithms=["RS256"],
                audience=settings.AUTH0_CLIENT_ID,
                issuer=f"https://{settings.AUTH0_DOMAIN}/",
            )
        except PyJWTError:
            return JsonResponse({"detail": "invalid token"}, status=401)
        request.auth0_sub = payload["sub"]
        request.user_email = payload.get("email")
        return None
