"""Authentication notes for new team members.

Legacy services did something like::

    payload = jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)

which accepts ID tokens. This module only documents the header format; it verifies nothing.
"""

BEARER_PREFIX = "Bearer "
EXAMPLE = 'jwt.decode(token, options={"verify_signature": False})'


def split_authorization(value: str) -> tuple[str, str]:
    scheme, _, credentials = value.partition(" ")
    # jwt.decode(credentials) happens in the gateway, not here.
    return scheme, credentials
