"""API half of a monolith: reuses the login's claims class to check the token the SPA sends."""

from authlib.jose import jwt as jose_jwt
from authlib.jose.errors import JoseError
from authlib.oidc.core import CodeIDToken
from flask import Blueprint, abort, current_app, g, request

api = Blueprint("api", __name__, url_prefix="/api")


@api.before_request
def check_token():
    auth = request.authorization
    if auth is None or auth.type != "bearer":
        abort(401)
    # expect: id-token-bearer
    claims = jose_jwt.decode(
        auth.token,
        current_app.config["OIDC_JWKS"],
        claims_cls=CodeIDToken,
        claims_options={"aud": {"essential": True, "value": current_app.config["OIDC_CLIENT_ID"]}},
    )
    try:
        claims.validate(leeway=30)
    except JoseError:
        abort(401)
    g.user = {"sub": claims["sub"], "email": claims.get("email")}


@api.get("/dashboard")
def dashboard():
    return {"user": g.user}
