from auth0.authentication.token_verifier import SymmetricSignatureVerifier, TokenVerifier
from flask import Flask, g, request

from settings import AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET, ISSUER

app = Flask(__name__)
verifier = TokenVerifier(
    signature_verifier=SymmetricSignatureVerifier(AUTH0_CLIENT_SECRET),
    issuer=ISSUER,
    audience=AUTH0_CLIENT_ID,
)


def install(flask_app, token_verifier):
    @flask_app.before_request
    def load_user():
        g.user = token_verifier.verify(request.headers["Authorization"].split()[1])


install(app, verifier)
