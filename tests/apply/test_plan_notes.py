"""The plan tells the reviewer which legacy `except` branches still run after the migration."""

from __future__ import annotations

from pathlib import Path

from samples import AUTH0_HS256_CONFIG

from idtoken_migrate.plan import plan_project

CONFIG = AUTH0_HS256_CONFIG

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


def test_expired_branch_still_runs_other_specific_ones_do_not(tmp_path: Path) -> None:
    (tmp_path / "idtoken-migrate.yaml").write_text(CONFIG)
    (tmp_path / "app.py").write_text(APP)
    _config, plan = plan_project(tmp_path)
    (site,) = plan.sites
    notes = " ".join(site.notes)
    assert "`except jwt.ExpiredSignatureError` still catches expired tokens" in notes
    assert "`except jwt.InvalidAudienceError` is no longer reached" in notes
    assert "ExpiredSignatureError` is no longer reached" not in notes
