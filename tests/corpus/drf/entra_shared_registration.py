"""Entra ID, one app registration for SPA and API: aud is the client id for both token kinds.

Issue 12, class 2: on an Entra issuer `audience=CLIENT_ID` is the API's own access-token audience;
only scp/roles would tell an ID token apart, and nothing here reads them.
"""
# corpus: class=2 provider=entra

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
            # expect: access-token
            claims = jwt.decode(token, key, algorithms=["RS256"], audience=settings.AZURE_CLIENT_ID)
        except jwt.InvalidTokenError as exc:
            raise AuthenticationFailed(str(exc)) from exc
        user, _ = StaffUser.objects.get_or_create(upn=claims["preferred_username"])
        return user, None
