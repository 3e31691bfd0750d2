"""Opaque audience; only the names say which token: the helper and its message name ID tokens."""
# corpus: class=8 provider=generic

import jwt
from django.conf import settings
from django.http import JsonResponse

keys = jwt.PyJWKClient(settings.OIDC_JWKS_URL)


def verify_id_token(raw):
    key = keys.get_signing_key_from_jwt(raw).key
    try:
        # expect: id-token-bearer
        return jwt.decode(raw, key, algorithms=["RS256"], audience=settings.OIDC_AUDIENCE)
    except jwt.InvalidTokenError:
        raise PermissionError("invalid ID token")


def orders(request):
    claims = verify_id_token(request.headers["Authorization"][7:])
    return JsonResponse({"orders": [], "for": claims["sub"]})
