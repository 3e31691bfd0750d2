"""Helpers for the admin CLI: builds test tokens and pretty-prints raw ones."""

import base64
import json

import jwt


def make_test_token(sub: str, key: str) -> str:
    return jwt.encode({"sub": sub, "aud": "local-dev"}, key, algorithm="HS256")


def show(jwt: str) -> str:
    header_b64, payload_b64, _ = jwt.split(".")
    header = json.loads(base64.urlsafe_b64decode(header_b64 + "=="))
    payload = json.loads(base64.urlsafe_b64decode(payload_b64 + "=="))
    return json.dumps({"header": header, "payload": payload}, indent=2)


def header_of(jwt: bytes) -> str:
    return jwt.decode("ascii").split(".")[0]
