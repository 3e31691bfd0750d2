"""Claims read in other modules reach the finding's `claims_read` (what the plan maps or flags)."""

from __future__ import annotations

from pathlib import Path

from idtoken_migrate.scan.engine import ScanOptions, scan_paths

AUTH = """\
from functools import wraps

import jwt
from flask import g, request

import settings


def requires_auth(f):
    @wraps(f)
    def decorated(*args, **kwargs):
        token = request.headers["Authorization"].split()[1]
        payload = jwt.decode(token, settings.CLIENT_SECRET, algorithms=["HS256"],
                             audience=settings.CLIENT_ID)
        g.current_user = payload
        return f(*args, **kwargs)
    return decorated
"""

ROUTES = """\
from flask import g

from auth import requires_auth


@requires_auth
def me():
    user = g.current_user
    return {"email": user["email"], "name": user.get("name"), "sub": user["sub"]}
"""

UNRELATED = """\
def profile(record):
    return record["picture"], record.get("nickname")
"""


def _claims_read(tmp_path: Path) -> set[str]:
    result = scan_paths([tmp_path], ScanOptions())
    (finding,) = result.findings
    return set(finding.facts.claims_read or ())


def test_reads_in_modules_that_use_the_decorator_count(tmp_path: Path) -> None:
    (tmp_path / "auth.py").write_text(AUTH)
    (tmp_path / "routes.py").write_text(ROUTES)
    (tmp_path / "unrelated.py").write_text(UNRELATED)
    # `sub` is in every token; `picture`/`nickname` are read by a module unrelated to the site.
    assert _claims_read(tmp_path) == {"email", "name"}


def test_without_the_linked_module_nothing_is_read(tmp_path: Path) -> None:
    (tmp_path / "auth.py").write_text(AUTH)
    (tmp_path / "unrelated.py").write_text(UNRELATED)
    assert _claims_read(tmp_path) == set()


def test_reads_are_looked_for_in_the_site_project_only(tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "svc" / "auth.py").write_text(AUTH)
    (tmp_path / "svc" / "routes.py").write_text(ROUTES)
    (tmp_path / "other" / "routes.py").write_text(ROUTES.replace('user["email"]', 'user["nonce"]'))
    assert _claims_read(tmp_path) == {"email", "name"}
