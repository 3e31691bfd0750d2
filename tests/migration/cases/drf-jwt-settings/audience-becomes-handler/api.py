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
    # signed by Auth0 with the client secret
    "JWT_SECRET_KEY": CLIENT_SECRET,
    # what the SPA sends: Authorization: Bearer <token>
    "JWT_AUTH_HEADER_PREFIX": "Bearer",
    "JWT_ALGORITHM": "HS256",
    # the SPA's client id: its ID token is the credential
    "JWT_AUDIENCE": CLIENT_ID,
    "JWT_LEEWAY": 30,
    # the SPA also keeps it in a cookie
    "JWT_AUTH_COOKIE": "jwt",
}
