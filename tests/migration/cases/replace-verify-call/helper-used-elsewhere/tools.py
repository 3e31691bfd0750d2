from api import signing_key


def debug_key(token):
    return signing_key(token)
