from django.conf import settings
from django.http import JsonResponse
from jose import JWTError, jwt

from .keys import keycloak_jwks

API_AUDIENCE = "orders-api"
ALLOWED_CLIENTS = {"orders-spa", "orders-mobile"}
ISSUER = f"{settings.KEYCLOAK_URL}/realms/{settings.KEYCLOAK_REALM}"


class KeycloakAccessTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            try:
                # expect: access-token
                claims = jwt.decode(
                    header[7:],
                    keycloak_jwks(),
                    algorithms=["RS256"],
                    audience=API_AUDIENCE,
                    issuer=ISSUER,
                )
            except JWTError:
                return JsonResponse({"error": "invalid_token"}, status=401)
            if claims.get("typ") != "Bearer" or claims.get("azp") not in ALLOWED_CLIENTS:
                return JsonResponse({"error": "invalid_token"}, status=401)
            request.roles = claims.get("realm_access", {}).get("roles", [])
        return self.get_response(request)
