"""Incoming webhooks are signed JWS payloads (HS256 with the shared webhook secret)."""

import json
import os

from jose import jws
from jose.exceptions import JWSError

WEBHOOK_SECRET = os.environ["WEBHOOK_SECRET"]


def parse_webhook(body: bytes) -> dict:
    try:
        payload = jws.verify(body.decode(), WEBHOOK_SECRET, algorithms=["HS256"])
    except JWSError as exc:
        raise ValueError("bad webhook signature") from exc
    event = json.loads(payload)
    return {"type": event["type"], "id": event["id"]}
