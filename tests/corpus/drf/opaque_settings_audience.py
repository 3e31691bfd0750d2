import jwt
from django.conf import settings
from rest_framework import authentication, exceptions

from .models import ApiUser

_jwk_client = jwt.PyJWKClient(settings.JWT_JWKS_URL)


class JWTBearerAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode()
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        key = _jwk_client.get_signing_key_from_jwt(token).key
        try:
            # expect: ambiguous
            payload = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=settings.JWT_AUDIENCE,
                issuer=settings.JWT_ISSUER,
            )
        except jwt.InvalidTokenError as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from exc
        user, _ = ApiUser.objects.get_or_create(subject=payload["sub"])
        return user, payload
