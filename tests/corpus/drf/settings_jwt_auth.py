"""settings.py excerpt (djangorestframework-jwt + Auth0, HS256 era)."""

import base64
import os

AUTH0_DOMAIN = os.environ.get("AUTH0_DOMAIN", "acme.auth0.com")
AUTH0_CLIENT_ID = os.environ["AUTH0_CLIENT_ID"]
AUTH0_CLIENT_SECRET = os.environ["AUTH0_CLIENT_SECRET"]

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ("rest_framework.permissions.IsAuthenticated",),
    "DEFAULT_AUTHENTICATION_CLASSES": (
        "rest_framework_jwt.authentication.JSONWebTokenAuthentication",
    ),
}

# expect: id-token-bearer
JWT_AUTH = {
    "JWT_SECRET_KEY": base64.urlsafe_b64decode(AUTH0_CLIENT_SECRET + "=="),
    "JWT_ALGORITHM": "HS256",
    "JWT_AUDIENCE": AUTH0_CLIENT_ID,
    "JWT_ISSUER": f"https://{AUTH0_DOMAIN}/",
    "JWT_AUTH_HEADER_PREFIX": "Bearer",
    "JWT_PAYLOAD_GET_USERNAME_HANDLER": "accounts.jwt.get_username_from_payload",
}
