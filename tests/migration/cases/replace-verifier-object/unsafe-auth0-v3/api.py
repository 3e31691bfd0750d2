from auth0.v3.authentication.token_verifier import (
    AsymmetricSignatureVerifier,
    TokenValidationError,
    TokenVerifier,
)

from settings import AUTH0_CLIENT_ID, AUTH0_DOMAIN, JWKS_URL

verifier = TokenVerifier(
    signature_verifier=AsymmetricSignatureVerifier(JWKS_URL),
    issuer=f"https://{AUTH0_DOMAIN}/",
    audience=AUTH0_CLIENT_ID,
)


def subject(token):
    try:
        return verifier.verify(token)["sub"]
    except TokenValidationError:
        return None
