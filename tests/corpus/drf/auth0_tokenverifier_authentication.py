from auth0.authentication.token_verifier import (
    AsymmetricSignatureVerifier,
    TokenValidationError,
    TokenVerifier,
)
from django.conf import settings
from rest_framework import authentication, exceptions

from .users import user_for_auth0_profile


class Auth0IdTokenAuthentication(authentication.BaseAuthentication):
    def __init__(self):
        self.domain = settings.AUTH0_DOMAIN
        self.client_id = settings.AUTH0_CLIENT_ID
        signature_verifier = AsymmetricSignatureVerifier(
            f"https://{self.domain}/.well-known/jwks.json"
        )
        # expect: id-token-bearer
        self.verifier = TokenVerifier(
            signature_verifier=signature_verifier,
            issuer=f"https://{self.domain}/",
            audience=self.client_id,
        )

    def authenticate(self, request):
        auth = authentication.get_authorization_header(request).split()
        if len(auth) != 2 or auth[0].lower() != b"bearer":
            return None
        try:
            profile = self.verifier.verify(auth[1].decode())
        except TokenValidationError as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from exc
        return user_for_auth0_profile(profile["sub"], profile.get("email")), None
