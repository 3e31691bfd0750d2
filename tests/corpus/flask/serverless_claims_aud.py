"""Flask app behind API Gateway (serverless-wsgi); the Cognito authorizer already verified the JWT."""

import os

from flask import Flask, abort, g, request

app = Flask(__name__)
APP_CLIENT_ID = os.environ["COGNITO_APP_CLIENT_ID"]


@app.before_request
def load_user():
    event = request.environ.get("serverless.event", {})
    claims = event.get("requestContext", {}).get("authorizer", {}).get("claims")
    if not claims:
        abort(401)
    # expect: id-token-bearer
    if claims["aud"] != APP_CLIENT_ID:
        abort(401)
    g.username = claims["cognito:username"]


@app.get("/api/items")
def items():
    return {"owner": g.username, "items": []}
