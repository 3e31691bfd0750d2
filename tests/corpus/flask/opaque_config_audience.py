import jwt
from flask import Flask, abort, current_app, g, request

app = Flask(__name__)
app.config.from_envvar("APP_SETTINGS")


@app.before_request
def authenticate():
    if request.endpoint == "health":
        return None
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        abort(401)
    token = header[7:]
    jwks = jwt.PyJWKClient(current_app.config["JWKS_URL"])
    key = jwks.get_signing_key_from_jwt(token)
    # expect: ambiguous
    g.claims = jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        audience=current_app.config["JWT_AUDIENCE"],
        issuer=current_app.config["JWT_ISSUER"],
    )
    return None


@app.get("/health")
def health():
    return "ok"
