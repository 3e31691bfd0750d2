"""2,000 files, 5 planted positives: the raw-bytes prefilter keeps libcst away from >= 95%."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from idtoken_migrate.model import ID_TOKEN_BEARER

TOTAL_FILES = 2000
MENTIONS_JWT = 20  # decoys that name `jwt` in prose only: they pass the prefilter, find nothing

PLANTED = {
    "services/billing/auth.py": """\
import os

import jwt
from flask import request

CLIENT_ID = os.environ["AUTH0_CLIENT_ID"]
CLIENT_SECRET = os.environ["AUTH0_CLIENT_SECRET"]


def current_user():
    token = request.headers["Authorization"].split()[1]
    claims = jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
    return claims["email"]
""",
    "services/orders/middleware.py": """\
import jwt as pyjwt
from django.conf import settings


class TokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        payload = pyjwt.decode(
            token, settings.OIDC_PUBLIC_KEY, algorithms=["RS256"], audience=settings.OIDC_CLIENT_ID
        )
        request.user_email = payload.get("email")
        return self.get_response(request)
""",
    "lambdas/authorizer/handler.py": """\
import os

from jwt import decode

APP_CLIENT_ID = os.getenv("APP_CLIENT_ID")


def handler(event, context):
    token = event["authorizationToken"]
    key = os.environ["POOL_PUBLIC_KEY"]
    claims = decode(token, key, algorithms=["RS256"], audience=APP_CLIENT_ID)
    return {"principalId": claims["cognito:username"]}
""",
    "gateway/deps.py": """\
import jwt
from fastapi import Header

from .settings import GOOGLE_CLIENT_ID, GOOGLE_PUBLIC_KEY


def user(authorization: str = Header(...)):
    token = authorization.split(" ", 1)[1]
    claims = jwt.decode(token, GOOGLE_PUBLIC_KEY, algorithms=["RS256"], audience=GOOGLE_CLIENT_ID)
    return {"email": claims["email"], "name": claims.get("name")}
""",
    "legacy/api/views.py": """\
import base64

import jwt
from flask import g, request

AUTH0_CLIENT_ID = "Xy12AbCdEfGh"
AUTH0_CLIENT_SECRET = "c2VjcmV0LXNlY3JldC1zZWNyZXQ"


def load_user():
    token = request.headers.get("Authorization", "")[7:]
    secret = base64.urlsafe_b64decode(AUTH0_CLIENT_SECRET + "==")
    g.user = jwt.decode(token, secret, algorithms=["HS256"], audience=AUTH0_CLIENT_ID)
""",
}


def _plain_module(i: int) -> str:
    """Ordinary application code: os, json, requests, dataclasses; some talk about tokens."""
    kind = i % 5
    if kind == 0:
        return f'''\
"""Report job #{i}."""

import json
import os
from pathlib import Path

OUTPUT = Path(os.environ.get("REPORT_DIR", "/tmp")) / "report_{i}.json"


def build(rows):
    totals = {{}}
    for row in rows:
        totals[row["region"]] = totals.get(row["region"], 0) + row["amount"]
    OUTPUT.write_text(json.dumps(totals, indent=2))
    return totals
'''
    if kind == 1:
        return f"""\
import requests

BASE_URL = "https://partner-{i}.example.com/v2"


class PartnerClient:
    def __init__(self, api_token: str):
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {{api_token}}"

    def fetch(self, item_id: int) -> dict:
        resp = self.session.get(f"{{BASE_URL}}/items/{{item_id}}", timeout=10)
        resp.raise_for_status()
        return resp.json()
"""
    if kind == 2:
        return f"""\
from dataclasses import dataclass, field


@dataclass
class Order{i}:
    id: int
    lines: list = field(default_factory=list)

    def total(self) -> float:
        return sum(line.price * line.quantity for line in self.lines)

    def describe(self) -> str:
        return f"order {{self.id}}: {{len(self.lines)}} lines"
"""
    if kind == 3:
        return f'''\
import base64
import json
import tokenize


def decode_cursor(token: str) -> dict:
    """Pagination cursor {i}: base64 JSON, not a credential."""
    return json.loads(base64.urlsafe_b64decode(token + "=="))


def count_tokens(path: str) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in tokenize.tokenize(fh.readline))
'''
    return f"""\
import os

import requests

TOKEN_URL = os.environ.get("TOKEN_URL", "https://login.example.com/oauth/token")


def service_access_token_{i}() -> str:
    resp = requests.post(
        TOKEN_URL,
        data={{"grant_type": "client_credentials", "client_id": os.environ["SVC_ID"]}},
        timeout=10,
    )
    return resp.json()["access_token"]
"""


def _mentions_jwt(i: int) -> str:
    return f'''\
"""Settings module {i}. Note: this service does not use jwt; the gateway handles auth."""

DEBUG = False
ALLOWED_HOSTS = ["svc-{i}.internal"]
'''


@pytest.fixture(scope="session")
def big_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scale")
    for rel, source in PLANTED.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(source, encoding="utf-8")
    remaining = TOTAL_FILES - len(PLANTED)
    for i in range(remaining):
        folder = root / f"pkg_{i % 40:02d}" / f"sub_{i % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        source = _mentions_jwt(i) if i < MENTIONS_JWT else _plain_module(i)
        (folder / f"module_{i:04d}.py").write_text(source, encoding="utf-8")
    return root


def test_prefilter_keeps_libcst_away(big_tree: Path) -> None:
    from idtoken_migrate.scan.engine import ScanOptions, scan_paths

    started = time.perf_counter()
    result = scan_paths([big_tree], ScanOptions())
    elapsed = time.perf_counter() - started

    assert not result.errors, result.errors
    bearer = sorted(f.path for f in result.findings if f.kind == ID_TOKEN_BEARER)
    assert bearer == sorted(PLANTED), [f.to_json() for f in result.findings]
    assert len(result.findings) == len(PLANTED), [f.to_json() for f in result.findings]

    stats = result.stats
    print(f"\n{stats.to_json()} in {elapsed:.2f}s")
    assert stats.files == TOTAL_FILES
    assert stats.prefiltered >= 0.95 * TOTAL_FILES, stats
    assert stats.parsed <= len(PLANTED) + MENTIONS_JWT, stats
    assert stats.prefiltered + stats.parsed == TOTAL_FILES, stats
    assert result.to_json()["stats"]["prefiltered"] == stats.prefiltered
