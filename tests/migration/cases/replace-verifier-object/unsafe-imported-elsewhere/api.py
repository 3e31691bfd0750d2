from auth0.authentication.token_verifier import AsymmetricSignatureVerifier, TokenVerifier

from settings import AUTH0_CLIENT_ID, AUTH0_DOMAIN

tv = TokenVerifier(
    signature_verifier=AsymmetricSignatureVerifier(f"https://{AUTH0_DOMAIN}/.well-known/jwks.json"),
    issuer=f"https://{AUTH0_DOMAIN}/",
    audience=AUTH0_CLIENT_ID,
)


def user_from_token(token):
    return tv.verify(token)["sub"]
