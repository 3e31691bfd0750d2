from auth0.authentication.token_verifier import (
    AsymmetricSignatureVerifier,
    TokenValidationError,
    TokenVerifier,
)
from django.conf import settings
from rest_framework.exceptions import AuthenticationFailed


def authenticate(request):
    raw = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")[2]
    jwks_url = f"https://{settings.AUTH0_DOMAIN}/.well-known/jwks.json"
    issuer = f"https://{settings.AUTH0_DOMAIN}/"
    signature = AsymmetricSignatureVerifier(jwks_url)
    verifier = TokenVerifier(
        signature_verifier=signature, issuer=issuer, audience=settings.AUTH0_CLIENT_ID
    )
    try:
        claims = verifier.verify(raw)
    except TokenValidationError as error:
        raise AuthenticationFailed(str(error)) from error
    return claims["sub"], claims.get("email")
