"""The app's own session tokens (HS256, its own key): not OpenID Connect, no finding."""

import os
import time

from itsdangerous import URLSafeTimedSerializer

_signer = URLSafeTimedSerializer(os.environ["APP_SECRET"])


def create_access_token(subject: str) -> str:
    return _signer.dumps({"sub": subject, "iat": int(time.time())})


def read_access_token(token: str) -> dict:
    return _signer.loads(token, max_age=3600)
