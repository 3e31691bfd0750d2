from flask import Flask, abort, g, request
from okta_jwt_verifier.exceptions import JWTValidationException

from token_verifier import verify_token

app = Flask(__name__)


@app.before_request
def authenticate():
    token = request.headers.get("Authorization", "")[len("Bearer ") :]
    try:
        verify_token(token)
    except JWTValidationException:
        abort(401)
    g.token = token
