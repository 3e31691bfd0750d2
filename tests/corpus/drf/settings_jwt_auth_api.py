"""settings/production.py: djangorestframework-jwt validating Auth0 API access tokens (RS256)."""

from cryptography.hazmat.backends import default_backend
from cryptography.x509 import load_pem_x509_certificate

from .base import *  # noqa: F403

API_IDENTIFIER = "https://api.shop.example.com"
AUTH0_DOMAIN = "shop-example.eu.auth0.com"

with open("/etc/shop/auth0.pem", "rb") as fh:
    PUBLIC_KEY = load_pem_x509_certificate(fh.read(), default_backend()).public_key()

# expect: access-token
JWT_AUTH = {
    "JWT_PAYLOAD_GET_USERNAME_HANDLER": "shop.auth.jwt_get_username_from_payload_handler",
    "JWT_PUBLIC_KEY": PUBLIC_KEY,
    "JWT_ALGORITHM": "RS256",
    "JWT_AUDIENCE": API_IDENTIFIER,
    "JWT_ISSUER": f"https://{AUTH0_DOMAIN}/",
    "JWT_AUTH_HEADER_PREFIX": "Bearer",
}
