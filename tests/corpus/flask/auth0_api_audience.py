"""Auth0 API quickstart: RS256 access tokens for our API identifier."""

import jwt
from flask import Flask, jsonify, request

AUTH0_DOMAIN = "example-tenant.eu.auth0.com"
API_AUDIENCE = "https://api.example.com"
ALGORITHMS = ["RS256"]

app = Flask(__name__)
jwks_client = jwt.PyJWKClient(f"https://{AUTH0_DOMAIN}/.well-known/jwks.json")


class AuthError(Exception):
    def __init__(self, error, status_code):
        self.error = error
        self.status_code = status_code


def requires_scope(required_scope, payload):
    return required_scope in payload.get("scope", "").split()


@app.route("/api/orders")
def orders():
    token = request.headers.get("Authorization", "").split(" ")[-1]
    signing_key = jwks_client.get_signing_key_from_jwt(token)
    # expect: access-token
    payload = jwt.decode(
        token,
        signing_key.key,
        algorithms=ALGORITHMS,
        audience=API_AUDIENCE,
        issuer=f"https://{AUTH0_DOMAIN}/",
    )
    if not requires_scope("read:orders", payload):
        raise AuthError({"code": "insufficient_scope"}, 403)
    return jsonify(orders=[], caller=payload["sub"])
