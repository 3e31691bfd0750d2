"""replace-verify-call on small sources: what it edits, what it keeps, and when it refuses."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from idtoken_migrate.apply import compute
from idtoken_migrate.plan import MIGRATE, UNSAFE, plan_project

CONFIG = """version: 1
provider: auth0
issuer: https://t.eu.auth0.com/
access_token: {audience: https://api.example, algorithms: [RS256]}
legacy_id_token: {client_ids: [spa-client], algorithms: [HS256], secret_env: CLIENT_SECRET}
window: {sunset: 2099-01-01}
"""
HEAD = """import os

import jwt
from flask import request

CLIENT_ID = os.environ["CLIENT_ID"]
CLIENT_SECRET = os.environ["CLIENT_SECRET"]
"""


def migrate(tmp_path: Path, body: str) -> tuple[str, str, str]:
    (tmp_path / "idtoken-migrate.yaml").write_text(CONFIG)
    (tmp_path / "api.py").write_text(HEAD + body)
    config, plan = plan_project(tmp_path)
    assert len(plan.sites) == 1, plan.sites
    site = plan.sites[0]
    result = compute(plan, config, tmp_path)
    after = {c.path: c.after.decode() for c in result.changes}.get("api.py", HEAD + body)
    cst.parse_module(after)
    return site.action, site.why, after


def test_await_and_kind_check_go_with_the_call(tmp_path):
    action, _why, after = migrate(
        tmp_path,
        """

async def user():
    token = request.headers["Authorization"][7:]
    try:
        claims = await jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
    except jwt.InvalidTokenError:
        return None
    if claims["token_use"] != "id":
        raise PermissionError("expected an ID token")
    return claims["email"]
""",
    )
    assert action == MIGRATE
    assert "claims = verify_token(token)" in after
    assert "await" not in after and "token_use" not in after
    assert "from token_verifier import verify_token" in after
    assert 'claims["email"]' in after


def test_existing_verify_token_name_gets_an_alias(tmp_path):
    _action, _why, after = migrate(
        tmp_path,
        """

def verify_token(t):
    return t


def user():
    token = request.headers["Authorization"][7:]
    try:
        return jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
    except jwt.InvalidTokenError:
        return None
""",
    )
    assert "import verify_token as idtoken_migrate_verify_token" in after
    assert "return idtoken_migrate_verify_token(token)" in after


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        pytest.param(
            'claims = jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID, '
            "complete=True)",
            "complete=",
            id="complete",
        ),
        pytest.param(
            'claims = jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)'
            "\n        print(claims.header)",
            "claims.header",
            id="result-attribute",
        ),
    ],
)
def test_unsafe_sites_are_left_untouched(tmp_path, call, reason):
    body = f"""

def user():
    token = request.headers["Authorization"][7:]
    try:
        {call}
    except jwt.InvalidTokenError:
        return None
    return claims
"""
    action, why, after = migrate(tmp_path, body)
    assert action == UNSAFE and reason in why
    assert after == HEAD + body


def _one_site_project(tmp_path):
    (tmp_path / "idtoken-migrate.yaml").write_text(CONFIG)
    body = """

def user():
    token = request.headers["Authorization"][7:]
    try:
        return jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
    except jwt.InvalidTokenError:
        return None
"""
    (tmp_path / "api.py").write_text(HEAD + body)
    return plan_project(tmp_path)


def test_review_engine_skips_what_the_reviewer_declines(tmp_path):
    from idtoken_migrate.apply import drive, propose

    config, plan = _one_site_project(tmp_path)
    seen = []
    result = drive(propose(plan, config, tmp_path), lambda p: seen.append(p.title) and False)
    assert len(seen) == 1 and "api.py:" in seen[0]  # declined: no verifier, no other file
    assert not result.changes and result.skipped[0].reason == "skipped by you"
    result = drive(propose(plan, config, tmp_path), lambda p: True)
    assert {c.path for c in result.changes} >= {"api.py", "token_verifier.py", ".env.example"}


def test_an_accepted_site_always_gets_its_verifier(tmp_path):
    """Declining the generated verifier after accepting a site would leave an import of a
    module that does not exist: the verifier is required, whatever the answer."""
    from idtoken_migrate.apply import drive, propose

    config, plan = _one_site_project(tmp_path)
    required = []

    def accept_sites_only(proposal):
        if proposal.required:
            required.append(proposal.change.path)
        return proposal.site is not None

    result = drive(propose(plan, config, tmp_path), accept_sites_only)
    assert required == ["token_verifier.py"]
    assert {c.path for c in result.changes} == {"api.py", "token_verifier.py"}
