import os

JWT_AUTH = {
    'JWT_DECODE_HANDLER': 'token_verifier.verify_token',
    'JWT_AUTH_HEADER_PREFIX': 'Bearer',
}
