import jwt as pyjwt
from flask import Flask, abort, current_app, g, request

app = Flask(__name__)
app.config.from_prefixed_env()

_jwks = pyjwt.PyJWKClient(app.config["OIDC_JWKS_URL"], cache_keys=True)


def login_required(view):
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            abort(401)
        token = header[len("Bearer ") :]
        key = _jwks.get_signing_key_from_jwt(token)
        try:
            # expect: id-token-bearer
            claims = pyjwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=current_app.config["OIDC_CLIENT_ID"],
                issuer=current_app.config["OIDC_ISSUER"],
            )
        except pyjwt.PyJWTError:
            abort(401)
        g.user_id = claims["sub"]
        g.display_name = claims.get("name")
        return view(*args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


@app.get("/me")
@login_required
def me():
    return {"id": g.user_id, "name": g.display_name}
