import os

import jwt
import requests
from cryptography.x509 import load_pem_x509_certificate
from flask import request

ISSUER = os.environ["OIDC_ISSUER"]
CLIENT_ID = os.environ["CLIENT_ID"]
KEYS_URL = f"{ISSUER}/protocol/openid-connect/certs"


def as_pem(x5c):
    lines = [x5c[i : i + 64] for i in range(0, len(x5c), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def certificate(kid):
    keys = requests.get(KEYS_URL, timeout=5).json()["keys"]
    entry = next(k for k in keys if k["kid"] == kid)
    return load_pem_x509_certificate(as_pem(entry["x5c"][0]).encode())


def user_email():
    token = request.headers.get("Authorization", "")[7:]
    try:
        kid = jwt.get_unverified_header(token)["kid"]
    except jwt.DecodeError:
        return None
    cert = certificate(kid)
    try:
        claims = jwt.decode(token, cert.public_key(), algorithms=["RS256"], audience=CLIENT_ID)
    except jwt.PyJWTError:
        return None
    return claims["email"]
