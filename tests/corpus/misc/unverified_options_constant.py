"""Queue consumer: messages carry the caller's token; we trust its claims (nothing verifies them)."""

import json

import jwt

NO_VERIFY = {"verify_signature": False, "verify_exp": False}


def handle(message: bytes) -> dict:
    envelope = json.loads(message)
    # expect: unverified-decode
    caller = jwt.decode(envelope["authorization"].split()[-1], options=NO_VERIFY)
    return {"tenant": caller["tenant_id"], "user": caller["sub"], "body": envelope["body"]}
