import os

CLIENT_ID = os.environ["CLIENT_ID"]

JWT_AUTH = {
    "JWT_PAYLOAD_GET_USERNAME_HANDLER": "accounts.jwt.username_from_payload",
    "JWT_DECODE_HANDLER": "accounts.jwt.decode_with_client_secret",
    "JWT_AUDIENCE": CLIENT_ID,
    "JWT_SECRET_KEY": os.environ["CLIENT_SECRET"],
    "JWT_VERIFY_EXPIRATION": True}
