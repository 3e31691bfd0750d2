from auth0.authentication.token_verifier import SymmetricSignatureVerifier, TokenVerifier
from flask import Flask, current_app, request

from settings import AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET, ISSUER

app = Flask(__name__)
app.config["ID_TOKENS"] = TokenVerifier(
    signature_verifier=SymmetricSignatureVerifier(AUTH0_CLIENT_SECRET),
    issuer=ISSUER,
    audience=AUTH0_CLIENT_ID,
)


@app.get("/me")
def me():
    claims = current_app.config["ID_TOKENS"].verify(request.headers["Authorization"][7:])
    return {"sub": claims["sub"]}
