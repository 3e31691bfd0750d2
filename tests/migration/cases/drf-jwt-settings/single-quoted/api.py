import os

JWT_AUTH = {
    'JWT_ALGORITHM': 'HS256',
    'JWT_AUDIENCE': os.environ.get('CLIENT_ID'),
    'JWT_SECRET_KEY': os.environ.get('CLIENT_SECRET'),
    'JWT_AUTH_HEADER_PREFIX': 'Bearer',
}
