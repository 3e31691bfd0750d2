import os

CLIENT_ID = os.environ["CLIENT_ID"]

JWT_AUTH = {
    "JWT_PAYLOAD_GET_USERNAME_HANDLER": "accounts.jwt.username_from_payload",
    "JWT_DECODE_HANDLER": "token_verifier.verify_token"}
