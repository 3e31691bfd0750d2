from auth0.authentication.token_verifier import AsymmetricSignatureVerifier, TokenVerifier

import settings

if settings.IDP == "auth0":
    tv = TokenVerifier(
        signature_verifier=AsymmetricSignatureVerifier(settings.AUTH0_JWKS),
        issuer=settings.AUTH0_ISSUER,
        audience=settings.AUTH0_CLIENT_ID,
    )
else:
    tv = None


def subject(token):
    if tv is None:
        return "anonymous"
    return tv.verify(token)["sub"]
