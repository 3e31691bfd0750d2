# -*- coding: utf-8 -*-
"""Python 2.7 Flask API from the Auth0 HS256 era: the client secret verifies the ID token."""
# corpus: class=7 provider=auth0
import jwt
from functools import wraps
from flask import request, g, abort

import settings


def requires_auth(f):
    @wraps(f)
    def decorated(*args, **kwargs):
        header = request.headers.get('Authorization', None)
        if not header:
            abort(401)
        token = header.split()[1]
        try:
            # expect: id-token-bearer
            payload = jwt.decode(token, settings.AUTH0_CLIENT_SECRET,
                                 audience=settings.AUTH0_CLIENT_ID)
        except jwt.ExpiredSignature, e:
            print "expired token", e
            abort(401)
        g.user = payload
        return f(*args, **kwargs)
    return decorated


@requires_auth
def profile():
    print "profile of", g.user['email']
    return g.user['email']
