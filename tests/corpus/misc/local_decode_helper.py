"""Cursor pagination: opaque tokens are base64 JSON, nothing to do with JWTs."""

import base64
import json


def encode(cursor: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode()


def decode(token: str) -> dict:
    padded = token + "=" * (-len(token) % 4)
    return json.loads(base64.urlsafe_b64decode(padded))


def next_page(request_args: dict, rows: list) -> dict:
    token = request_args.get("page_token")
    cursor = decode(token) if token else {"offset": 0}
    offset = cursor["offset"] + len(rows)
    return {"rows": rows, "next_page_token": encode({"offset": offset})}
