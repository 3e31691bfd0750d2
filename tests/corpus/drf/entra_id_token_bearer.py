"""The React SPA (MSAL) sends its ID token, whose aud is the SPA's client id, to this API."""

from django.conf import settings
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from .models import StaffUser


class EntraIdAuthentication(BaseAuthentication):
    def authenticate(self, request):
        import jwt

        header = get_authorization_header(request).decode()
        if not header.startswith("Bearer "):
            return None
        token = header[7:]
        jwks = jwt.PyJWKClient(f"https://login.microsoftonline.com/{settings.AZURE_TENANT_ID}/discovery/v2.0/keys")
        key = jwks.get_signing_key_from_jwt(token).key
        try:
            # expect: id-token-bearer
            claims = jwt.decode(token, key, algorithms=["RS256"], audience=settings.AZURE_CLIENT_ID)
        except jwt.InvalidTokenError as exc:
            raise AuthenticationFailed(str(exc)) from exc
        user, _ = StaffUser.objects.get_or_create(upn=claims["preferred_username"])
        return user, None
