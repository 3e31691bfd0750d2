from flask import Flask, abort, g, request
from okta_jwt_verifier import IDTokenVerifier
from okta_jwt_verifier.exceptions import JWTValidationException

from config import OKTA_CLIENT_ID, OKTA_ISSUER

app = Flask(__name__)
id_tokens = IDTokenVerifier(issuer=OKTA_ISSUER, client_id=OKTA_CLIENT_ID)


@app.before_request
def authenticate():
    token = request.headers.get("Authorization", "")[len("Bearer ") :]
    try:
        id_tokens.verify_sync(token)
    except JWTValidationException:
        abort(401)
    g.token = token
