import jwt
from django.conf import settings
from django.http import HttpResponseForbidden

jwks_client = jwt.PyJWKClient(settings.OIDC_JWKS_URI)


class BearerAuthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.headers.get("Authorization", "")
        if raw.startswith("Bearer "):
            token = raw.removeprefix("Bearer ")
            signing_key = jwks_client.get_signing_key_from_jwt(token)
            try:
                # expect: ambiguous
                claims = jwt.decode(
                    token,
                    signing_key.key,
                    algorithms=["RS256"],
                    issuer=settings.OIDC_ISSUER,
                    options={"verify_aud": False},
                )
            except jwt.PyJWTError:
                return HttpResponseForbidden()
            request.subject = claims["sub"]
        return self.get_response(request)
