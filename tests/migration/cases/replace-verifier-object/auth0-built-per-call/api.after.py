from auth0.authentication.token_verifier import TokenValidationError
from rest_framework.exceptions import AuthenticationFailed

from token_verifier import verify_token


def authenticate(request):
    raw = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")[2]
    try:
        claims = verify_token(raw)
    except TokenValidationError as error:
        raise AuthenticationFailed(str(error)) from error
    return claims["sub"], claims.get("email")
