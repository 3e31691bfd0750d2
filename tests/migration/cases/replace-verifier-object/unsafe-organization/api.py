from auth0.authentication.token_verifier import SymmetricSignatureVerifier, TokenVerifier
from flask import request

from settings import AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET, AUTH0_ORG, ISSUER

members = TokenVerifier(
    signature_verifier=SymmetricSignatureVerifier(AUTH0_CLIENT_SECRET),
    issuer=ISSUER,
    audience=AUTH0_CLIENT_ID,
)


def member():
    return members.verify(request.headers["Authorization"][7:], organization=AUTH0_ORG)
