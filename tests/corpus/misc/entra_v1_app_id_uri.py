"""Entra ID v1 tokens for an API exposed as api://contoso-payroll."""

import requests
from jose import jwt

TENANT = "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"
APP_ID_URI = "api://contoso-payroll"
ISSUER = f"https://sts.windows.net/{TENANT}/"
JWKS = requests.get(f"https://login.microsoftonline.com/{TENANT}/discovery/keys", timeout=10).json()


def authorize(authorization_header: str, required_role: str) -> dict:
    token = authorization_header.split(" ")[1]
    # expect: access-token
    claims = jwt.decode(token, JWKS, algorithms=["RS256"], audience=APP_ID_URI, issuer=ISSUER)
    if required_role not in claims.get("roles", []):
        raise PermissionError(required_role)
    return claims
