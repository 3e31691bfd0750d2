"""Opaque audience; the names say access token: the helper, its parameter and its message."""
# corpus: class=8 provider=generic

import jwt
from django.conf import settings
from django.http import JsonResponse

keys = jwt.PyJWKClient(settings.OIDC_JWKS_URL)


def verify_access_token(access_token):
    key = keys.get_signing_key_from_jwt(access_token).key
    try:
        # expect: access-token
        return jwt.decode(access_token, key, algorithms=["RS256"], audience=settings.OIDC_AUDIENCE)
    except jwt.ExpiredSignatureError:
        raise PermissionError("access token expired")


def invoices(request):
    claims = verify_access_token(request.headers["Authorization"][7:])
    return JsonResponse({"invoices": [], "for": claims["sub"]})
