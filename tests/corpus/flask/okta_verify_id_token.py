import os

from flask import Flask, abort, g, request
from okta_jwt_verifier import JWTVerifier
from okta_jwt_verifier.exceptions import JWTValidationException

app = Flask(__name__)

OKTA_ISSUER = os.environ["OKTA_ISSUER"]
OKTA_CLIENT_ID = os.environ["OKTA_CLIENT_ID"]


@app.before_request
async def okta_auth():
    token = request.headers.get("Authorization", "").replace("Bearer ", "")
    verifier = JWTVerifier(OKTA_ISSUER, OKTA_CLIENT_ID)
    try:
        # expect: id-token-bearer
        await verifier.verify_id_token(token, claims_to_verify=("iss", "aud", "exp"))
    except JWTValidationException:
        abort(401)
    _headers, claims, _signing_input, _sig = verifier.parse_token(token)
    g.email = claims["email"]


@app.get("/api/profile")
async def profile():
    return {"email": g.email}
