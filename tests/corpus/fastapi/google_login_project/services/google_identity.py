"""Verify helper in services/: its only caller is the sign-in route in api/ (another package)."""
# corpus: class=4 provider=google

import os

from google.auth.transport import requests as transport
from google.oauth2 import id_token

AUDIENCE = os.environ["GOOGLE_WEB_CLIENT_ID"]


def verify_google_credential(credential: str) -> dict:
    """The Google profile of whoever signed in, or ValueError."""
    # expect: id-token-login
    profile = id_token.verify_oauth2_token(credential, transport.Request(), AUDIENCE)
    if not profile.get("email_verified"):
        raise ValueError("unverified email")
    return profile
