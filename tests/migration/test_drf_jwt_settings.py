"""`drf-jwt-settings`: a `JWT_AUTH` whose audience is a client id hands every token to the generated
verifier through `JWT_DECODE_HANDLER`; the entries of the old decode go, the rest stays. Shapes
that the codemod cannot see whole are left untouched with the reason."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from samples import AUTH0_HS256_CONFIG

from idtoken_migrate.migration.apply import compute
from idtoken_migrate.migration.plan import MIGRATE, UNSAFE, plan_project
from idtoken_migrate.report.plan import plan_text

HEAD = """\
import os

AUTH0_DOMAIN = os.environ.get("AUTH0_DOMAIN", "shop.eu.auth0.com")
AUTH0_CLIENT_ID = os.environ.get("AUTH0_CLIENT_ID", "AbCdEf123")
AUTH0_CLIENT_SECRET = os.environ.get("AUTH0_CLIENT_SECRET", "")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": (
        "rest_framework_jwt.authentication.JSONWebTokenAuthentication",
    ),
}
"""
HANDLER = '"JWT_DECODE_HANDLER": "shop.token_verifier.verify_token"'


def migrated(tmp_path: Path, settings: str) -> tuple[object, str]:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop/__init__.py").write_text("")
    (tmp_path / "shop/settings.py").write_text(HEAD + settings)
    (tmp_path / "idtoken-migrate.yaml").write_text(AUTH0_HS256_CONFIG)
    config, plan = plan_project(tmp_path)
    (site,) = plan.sites
    if site.action != MIGRATE:
        return site, ""
    changes = {c.path: c.after for c in compute(plan, config, tmp_path).changes}
    text = changes["shop/settings.py"].decode()
    ast.parse(text)
    return site, text.removeprefix(HEAD)


def test_the_audience_line_becomes_the_decode_handler(tmp_path):
    site, after = migrated(
        tmp_path,
        """\
JWT_AUTH = {
    "JWT_SECRET_KEY": AUTH0_CLIENT_SECRET,
    "JWT_ALGORITHM": "HS256",
    "JWT_AUDIENCE": AUTH0_CLIENT_ID,
    "JWT_ISSUER": f"https://{AUTH0_DOMAIN}/",
    "JWT_AUTH_HEADER_PREFIX": "Bearer",  # what the SPA sends
    "JWT_PAYLOAD_GET_USERNAME_HANDLER": "shop.users.username_from_payload",
}
""",
    )
    assert after == (
        "JWT_AUTH = {\n"
        f"    {HANDLER},\n"
        '    "JWT_AUTH_HEADER_PREFIX": "Bearer",  # what the SPA sends\n'
        '    "JWT_PAYLOAD_GET_USERNAME_HANDLER": "shop.users.username_from_payload",\n'
        "}\n"
    )


def test_a_custom_decode_handler_is_replaced_in_place(tmp_path):
    site, after = migrated(
        tmp_path,
        """\
JWT_AUTH = {
    "JWT_AUDIENCE": AUTH0_CLIENT_ID,
    "JWT_DECODE_HANDLER": "shop.auth0.decode_with_secret",
    "JWT_SECRET_KEY": AUTH0_CLIENT_SECRET,
}
""",
    )
    assert after == f"JWT_AUTH = {{\n    {HANDLER},\n}}\n"


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        pytest.param(
            'SIMPLE_JWT = {"AUDIENCE": AUTH0_CLIENT_ID, "SIGNING_KEY": AUTH0_CLIENT_SECRET,'
            ' "ALGORITHM": "HS256"}\n',
            "only drf-jwt's JWT_AUTH has a decode-handler setting",
            id="simplejwt",
        ),
        pytest.param(
            'BASE = {}\nJWT_AUTH = {**BASE, "JWT_AUDIENCE": AUTH0_CLIENT_ID,'
            ' "JWT_SECRET_KEY": AUTH0_CLIENT_SECRET}\n',
            "has `**` entries",
            id="spread",
        ),
        pytest.param(
            'JWT_AUTH = {"JWT_AUDIENCE": AUTH0_CLIENT_ID, "JWT_SECRET_KEY": AUTH0_CLIENT_SECRET}\n'
            'JWT_AUTH["JWT_AUDIENCE"] = AUTH0_CLIENT_ID\n',
            "is read or changed after it is assigned",
            id="changed-later",
        ),
    ],
)
def test_shapes_it_cannot_see_whole_are_left_untouched(tmp_path, settings, reason):
    site, _after = migrated(tmp_path, settings)
    assert site.action == UNSAFE, site.why
    assert reason in site.why


def test_the_plan_names_the_new_setting_and_the_frameworks_answers(tmp_path):
    site, _after = migrated(
        tmp_path, 'JWT_AUTH = {"JWT_AUDIENCE": AUTH0_CLIENT_ID, "JWT_ALGORITHM": "HS256"}\n'
    )
    assert site.action == MIGRATE
    _config, plan = plan_project(tmp_path)
    text = plan_text(plan)
    assert 'now: JWT_AUTH["JWT_DECODE_HANDLER"] = "shop.token_verifier.verify_token"' in text
    answers = {r.reason: (r.before, r.after) for r in site.rejections}
    expired = "401 Token has expired. (`except jwt.ExpiredSignatureError`, in the framework)"
    assert answers["expired"] == (expired, expired)
    assert answers["bad_signature"][1].startswith("401 Error decoding token.")
    assert answers["unknown_kid"] == ("-", answers["unknown_kid"][1])
    assert answers["unknown_kid"][1].startswith("401 Invalid token.")
    assert "no `except` around the call" not in text


def test_dropping_the_last_entries_keeps_the_closing_layout(tmp_path):
    site, after = migrated(
        tmp_path,
        'JWT_AUTH = {"JWT_AUTH_HEADER_PREFIX": "JWT", "JWT_AUDIENCE": AUTH0_CLIENT_ID,'
        ' "JWT_SECRET_KEY": AUTH0_CLIENT_SECRET}\n',
    )
    assert after == f'JWT_AUTH = {{"JWT_AUTH_HEADER_PREFIX": "JWT", {HANDLER}}}\n'
