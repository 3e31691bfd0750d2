import os

from authlib.integrations.flask_client import OAuth
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken
from flask import Flask, redirect, session, url_for

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]
oauth = OAuth(app)
oauth.register(
    "auth0",
    client_id=os.environ["AUTH0_CLIENT_ID"],
    client_secret=os.environ["AUTH0_CLIENT_SECRET"],
    server_metadata_url=f"https://{os.environ['AUTH0_DOMAIN']}/.well-known/openid-configuration",
    client_kwargs={"scope": "openid profile email"},
)


@app.route("/login")
def login():
    return oauth.auth0.authorize_redirect(url_for("callback", _external=True))


@app.route("/callback")
def callback():
    token = oauth.auth0.authorize_access_token()
    jwks = JsonWebKey.import_key_set(oauth.auth0.fetch_jwk_set())
    # expect: id-token-login
    claims = jwt.decode(
        token["id_token"],
        jwks,
        claims_cls=CodeIDToken,
        claims_options={"aud": {"essential": True, "value": os.environ["AUTH0_CLIENT_ID"]}},
        claims_params={"nonce": session.pop("nonce", None), "access_token": token["access_token"]},
    )
    claims.validate()
    session["user"] = {"sub": claims["sub"], "name": claims.get("name")}
    return redirect("/")
