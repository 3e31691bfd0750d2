from auth0.authentication.token_verifier import SymmetricSignatureVerifier, TokenVerifier
from flask import abort, request

from settings import AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET, ISSUER

tv = TokenVerifier(
    signature_verifier=SymmetricSignatureVerifier(AUTH0_CLIENT_SECRET),
    issuer=ISSUER,
    audience=AUTH0_CLIENT_ID,
)


def user():
    try:
        return tv.verify(request.headers["Authorization"][7:])
    except KeyError:
        abort(401)
