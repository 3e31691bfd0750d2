"""The classic pattern: the API accepts the SPA's ID token as its bearer credential."""

from functools import wraps

import jwt
import settings
from flask import g, jsonify, request


def requires_auth(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip()
        try:
            claims = jwt.decode(
                token,
                settings.CLIENT_SECRET,  # HS256: signed with the client secret
                algorithms=["HS256"],
                audience=settings.CLIENT_ID,  # an ID token's audience is the client
                issuer=settings.ISSUER,
            )
        except jwt.InvalidTokenError:
            return jsonify(error="invalid_token"), 401
        g.user_id = claims["sub"]
        g.user_email = claims["email"]
        return view(*args, **kwargs)

    return wrapper
