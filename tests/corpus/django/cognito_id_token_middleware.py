import json
import urllib.request

import jwt
from django.conf import settings
from django.core.exceptions import PermissionDenied

JWKS_URL = (
    f"https://cognito-idp.{settings.COGNITO_REGION}.amazonaws.com/"
    f"{settings.COGNITO_USER_POOL_ID}/.well-known/jwks.json"
)
with urllib.request.urlopen(JWKS_URL) as resp:  # noqa: S310
    PUBLIC_KEYS = {
        k["kid"]: jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(k)) for k in json.load(resp)["keys"]
    }


def cognito_middleware(get_response):
    def middleware(request):
        token = request.COOKIES.get("id_token") or request.headers.get("Authorization", "")[7:]
        kid = jwt.get_unverified_header(token)["kid"]
        # expect: id-token-bearer
        claims = jwt.decode(
            token,
            PUBLIC_KEYS[kid],
            algorithms=["RS256"],
            audience=settings.COGNITO_APP_CLIENT_ID,
        )
        if claims["token_use"] != "id":
            raise PermissionDenied("not an id token")
        request.cognito_username = claims["cognito:username"]
        return get_response(request)

    return middleware
