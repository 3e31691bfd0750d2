import asyncio

from django.conf import settings
from okta_jwt_verifier import JWTVerifier
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed


class OktaAccessTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != b"bearer":
            return None
        token = parts[1].decode()
        verifier = JWTVerifier(
            issuer=settings.OKTA_ISSUER,
            client_id=settings.OKTA_CLIENT_ID,
            audience="api://default",
        )
        try:
            # expect: access-token
            asyncio.run(verifier.verify_access_token(token))
        except Exception as exc:
            raise AuthenticationFailed("invalid access token") from exc
        _, claims, _, _ = verifier.parse_token(token)
        return None, {"uid": claims.get("uid"), "scopes": claims.get("scp", [])}
