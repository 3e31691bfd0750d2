"""Internal admin tool backend: only checks the signature of the Auth0 token the UI sends."""

from auth0.authentication.token_verifier import AsymmetricSignatureVerifier

AUTH0_DOMAIN = "acme-admin.eu.auth0.com"
# expect: id-token-bearer
_signature = AsymmetricSignatureVerifier(f"https://{AUTH0_DOMAIN}/.well-known/jwks.json")


def current_admin(headers: dict) -> dict:
    token = headers["Authorization"].split(" ", 1)[1]
    payload = _signature.verify_signature(token)
    if not payload["email"].endswith("@acme.example"):
        raise PermissionError("not staff")
    return {"email": payload["email"], "name": payload.get("name")}
