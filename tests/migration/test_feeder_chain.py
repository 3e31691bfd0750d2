"""What fed the replaced call goes with it, transitively; what something else uses stays and
the plan says so (the whole-file pairs: cases/replace-verify-call/*-chain, kid-loop-*, x5c-*)."""

from __future__ import annotations

import shutil

from idtoken_migrate.migration.plan import MIGRATE, plan_project

from .pairs import CASES, DEFAULT_CONFIG, migrate_source


def test_the_plan_reports_what_it_keeps_and_why(tmp_path):
    case = CASES / "replace-verify-call" / "helper-used-elsewhere"
    for name in ("api.py", "tools.py"):
        shutil.copy(case / name, tmp_path / name)
    (tmp_path / "idtoken-migrate.yaml").write_text(DEFAULT_CONFIG)
    _config, plan = plan_project(tmp_path)
    (site,) = plan.sites
    kept = [n for n in site.notes if n.startswith("kept ")]
    assert kept == [
        "kept `jwks` (line 11): also used at line 17; it fed the old call, review it by hand",
        "kept `signing_key` (line 15): another module uses it (an import or `__all__`); it fed "
        "the old call, review it by hand",
    ]


def test_without_the_other_module_the_helper_goes_too(tmp_path):
    case = CASES / "replace-verify-call" / "helper-used-elsewhere"
    body = (case / "api.py").read_text().split("\n\n\n", 1)[1]
    action, _why, after = migrate_source(tmp_path, "import requests\n\n\n" + body)
    assert action == MIGRATE
    assert "def signing_key" not in after and "get_unverified_header" not in after
    assert "def jwks" in after  # key_ids() still lists the keys


ROUTED = """
from flask import Flask

app = Flask(__name__)


@app.route("/key")
def published_key():
    return CLIENT_SECRET


def user():
    token = request.headers["Authorization"][7:]
    key = published_key()
    try:
        return jwt.decode(token, key, algorithms=["HS256"], audience=CLIENT_ID)
    except jwt.InvalidTokenError:
        return None
"""


def test_a_helper_a_decorator_registers_stays(tmp_path):
    action, _why, after = migrate_source(tmp_path, ROUTED)
    assert action == MIGRATE
    assert "key = published_key()" not in after
    assert '@app.route("/key")\ndef published_key():' in after


FINALLY = """
import logging

log = logging.getLogger(__name__)


def user():
    token = request.headers["Authorization"][7:]
    try:
        kid = jwt.get_unverified_header(token)["kid"]
    except jwt.DecodeError:
        return None
    finally:
        log.debug("header read")
    key = {"kid": kid, "secret": CLIENT_SECRET}["secret"]
    try:
        return jwt.decode(token, key, algorithms=["HS256"], audience=CLIENT_ID)
    except jwt.InvalidTokenError:
        return None
"""


def test_a_try_left_empty_goes_and_its_finally_still_runs(tmp_path):
    action, _why, after = migrate_source(tmp_path, FINALLY)
    assert action == MIGRATE
    assert "get_unverified_header" not in after and "except jwt.DecodeError" not in after
    assert after.count("try:") == 1
    assert '    log.debug("header read")\n    try:\n        return verify_token(token)' in after
