"""The plan states, per rejection reason, which `except` branch of the site answers it before and
after the migration, read from the code around the site."""

from __future__ import annotations

import shutil
from pathlib import Path

from samples import AUTH0_HS256_CONFIG

from idtoken_migrate.migration.plan import plan_project

CONFIG = AUTH0_HS256_CONFIG
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "flask_auth0_pyjwt1_b64"

APP = """\
import jwt
from flask import request

import settings


def current_user():
    token = request.headers["Authorization"].split()[1]
    try:
        return jwt.decode(token, settings.AUTH0_CLIENT_SECRET, algorithms=["HS256"],
                          audience=settings.AUTH0_CLIENT_ID)
    except jwt.ExpiredSignatureError:
        return {"error": "token_expired"}
    except jwt.InvalidAudienceError:
        return {"error": "wrong_audience"}
    except jwt.InvalidTokenError:
        return {"error": "invalid_token"}
"""


def _rejections(folder: Path) -> dict[str, tuple[str, str]]:
    _config, plan = plan_project(folder)
    (site,) = plan.sites
    return {r.reason: (r.before, r.after) for r in site.rejections}


def test_each_reason_reaches_the_branch_it_reached_before(tmp_path: Path) -> None:
    (tmp_path / "idtoken-migrate.yaml").write_text(CONFIG)
    (tmp_path / "app.py").write_text(APP)
    rejections = _rejections(tmp_path)
    expired = "handled (`except jwt.ExpiredSignatureError`, line 12)"
    audience = "handled (`except jwt.InvalidAudienceError`, line 14)"
    generic = "handled (`except jwt.InvalidTokenError`, line 16)"
    assert rejections["expired"] == (expired, expired)
    assert rejections["wrong_audience"] == (audience, audience)
    assert rejections["bad_signature"] == (generic, generic)
    assert rejections["wrong_issuer"] == ("accepted (the call passes no issuer)", generic)
    assert rejections["id_token_disabled"] == ("-", generic)  # the legacy code had no such check


def test_statuses_come_from_the_branches(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    shutil.copytree(FIXTURE, folder)
    (folder / "idtoken-migrate.yaml").write_text(CONFIG)
    rejections = _rejections(folder)
    # `except jwt.ExpiredSignature` (PyJWT 1.x) is the branch for expired, before and after
    assert rejections["expired"][1] == "401 (`except jwt.ExpiredSignature`, line 38)"
    assert rejections["wrong_audience"][1] == "400 (`except jwt.InvalidAudienceError`, line 40)"
    assert rejections["bad_signature"][1] == "401 (`except jwt.DecodeError`, line 42)"
    assert rejections["malformed"][1] == "401 (`except jwt.DecodeError`, line 42)"
    assert rejections["disallowed_algorithm"][1] == "400 (`except Exception`, line 44)"
    assert all(
        before in ("-", after) for before, after in rejections.values() if "accepted" not in before
    )
    _config, plan = plan_project(folder)
    assert any(
        "the same `except` branch answers as before: " in n and "bad_signature 401" in n
        for n in plan.sites[0].notes
    )
