"""Django middleware for an Entra v1 API: issuer sts.windows.net, audience the API's client id."""
# corpus: class=2 provider=entra

import jwt
from django.conf import settings
from django.http import JsonResponse

ISSUER = f"https://sts.windows.net/{settings.TENANT}/"
KEYS = jwt.PyJWKClient(f"https://login.microsoftonline.com/{settings.TENANT}/discovery/keys")


class BearerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header.startswith("Bearer "):
            token = header.split()[1]
            key = KEYS.get_signing_key_from_jwt(token).key
            try:
                # expect: access-token
                request.claims = jwt.decode(
                    token, key, algorithms=["RS256"], audience=settings.CLIENT_ID, issuer=ISSUER
                )
            except jwt.PyJWTError:
                return JsonResponse({"error": "invalid token"}, status=401)
        return self.get_response(request)
