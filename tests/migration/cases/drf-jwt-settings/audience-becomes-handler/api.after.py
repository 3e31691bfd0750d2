"""Settings of an API that accepts the SPA's ID token through drf-jwt."""

import os

CLIENT_ID = os.environ["CLIENT_ID"]
CLIENT_SECRET = os.environ["CLIENT_SECRET"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": (
        "rest_framework_jwt.authentication.JSONWebTokenAuthentication",
    ),
}

JWT_AUTH = {
    # what the SPA sends: Authorization: Bearer <token>
    "JWT_AUTH_HEADER_PREFIX": "Bearer",
    "JWT_DECODE_HANDLER": "token_verifier.verify_token",
    # the SPA also keeps it in a cookie
    "JWT_AUTH_COOKIE": "jwt",
}
