"""Keycloak realm, audience the client id: the typ claim check says it takes ID tokens."""
# corpus: class=2 provider=keycloak

import functools
import os

import jwt
from flask import abort, g, request

REALM_URL = os.environ["KEYCLOAK_URL"] + "/realms/" + os.environ["KEYCLOAK_REALM"]
CLIENT = os.environ["KEYCLOAK_CLIENT_ID"]
certs = jwt.PyJWKClient(REALM_URL + "/protocol/openid-connect/certs")


def authenticated(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        raw = request.headers.get("Authorization", "").removeprefix("Bearer ")
        key = certs.get_signing_key_from_jwt(raw).key
        # expect: id-token-bearer
        claims = jwt.decode(raw, key, algorithms=["RS256"], audience=CLIENT, issuer=REALM_URL)
        if claims.get("typ") != "ID":
            abort(401)
        g.user = claims
        return view(*args, **kwargs)

    return wrapper
