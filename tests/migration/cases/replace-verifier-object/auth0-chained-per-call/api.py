from auth0.authentication.token_verifier import SymmetricSignatureVerifier, TokenVerifier
from flask import g, request

from settings import AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET, ISSUER


def load_user():
    token = request.headers["Authorization"].split()[1]
    keys = SymmetricSignatureVerifier(AUTH0_CLIENT_SECRET)
    g.claims = TokenVerifier(keys, ISSUER, AUTH0_CLIENT_ID).verify(token)
