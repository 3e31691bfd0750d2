"""What fed the replaced call goes with it, transitively; what something else uses stays and
the plan says so (the whole-file pairs: cases/replace-verify-call/*-chain, kid-loop-*, x5c-*)."""

from __future__ import annotations

import shutil

from idtoken_migrate.migration.plan import MIGRATE, plan_project

from .pairs import CASES, DEFAULT_CONFIG, migrate_source


def _kept_notes(tmp_path, case_name: str) -> list[str]:
    """The plan's `kept ...` notes for the case's api.py and tools.py."""
    case = CASES / "replace-verify-call" / case_name
    for name in ("api.py", "tools.py"):
        shutil.copy(case / name, tmp_path / name)
    (tmp_path / "idtoken-migrate.yaml").write_text(DEFAULT_CONFIG)
    _config, plan = plan_project(tmp_path)
    (site,) = plan.sites
    return [n for n in site.notes if n.startswith("kept ")]


def test_the_plan_reports_what_it_keeps_and_why(tmp_path):
    assert _kept_notes(tmp_path, "helper-used-elsewhere") == [
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


def test_the_plan_reports_the_class_members_it_keeps(tmp_path):
    kept = _kept_notes(tmp_path, "class-member-used-elsewhere")
    assert [n.removesuffix("; it fed the old call, review it by hand") for n in kept] == [
        "kept `KeyedVerifier._download` (line 20): also used at line 17",
        "kept `KeyedVerifier._public_key` (line 23): tools.py uses `._public_key`",
        "kept `KeyedVerifier.key_set` (line 15): also used at line 24",
    ]


def test_without_the_other_module_the_members_go_but_what_a_method_reads(tmp_path):
    case = CASES / "replace-verify-call" / "class-member-used-elsewhere"
    body = (case / "api.py").read_text().split("\n\n\n", 1)[1]
    action, _why, after = migrate_source(
        tmp_path, "import requests\nfrom flask import abort\n\n\n" + body
    )
    assert action == MIGRATE
    assert "def _public_key" not in after and "get_unverified_header" not in after
    assert "def key_set" in after and "def _download" in after  # key_ids() reads the keys
    assert "self._key_set = None" in after and "self.jwks_url" in after
    assert "self.client_id" not in after  # only the old call read it


CHECKER = """

class Checker:
    def __init__(self):
        self.keys_url = os.environ["ISSUER"] + "/.well-known/jwks.json"
        self._jwks = None

    def _get_jwks(self):
        if self._jwks is None:
            self._jwks = requests.get(self.keys_url, timeout=5).json()
        return self._jwks

    def _key(self, kid):
        return jwt.PyJWK(next(k for k in self._get_jwks()["keys"] if k["kid"] == kid)).key

    def verify(self, token):
        key = self._key(jwt.get_unverified_header(token)["kid"])
        return jwt.decode(token, key, algorithms=["RS256"], audience=CLIENT_ID)
"""


def _checker(extra: str = "", change: tuple[str, str] = ("", "")) -> str:
    return "import requests\n" + CHECKER.replace(*change) + extra


def test_members_reached_through_self_go_with_the_call(tmp_path):
    action, _why, after = migrate_source(tmp_path, _checker())
    assert action == MIGRATE
    assert "    def verify(self, token):\n        return verify_token(token)\n" in after
    for gone in ("_get_jwks", "_key", "keys_url", "_jwks", "requests"):
        assert gone not in after, gone
    assert "    def __init__(self):\n        pass\n" in after


def test_a_member_named_as_a_string_stays(tmp_path):
    extra = '\n\ndef flush(checker):\n    setattr(checker, "_jwks", None)\n'
    action, _why, after = migrate_source(tmp_path, _checker(extra))
    assert action == MIGRATE
    assert "self._jwks = None" in after and "def _get_jwks" not in after


def test_a_method_a_subclass_overrides_stays(tmp_path):
    extra = "\n\nclass Pinned(Checker):\n    def _key(self, kid):\n        return PINNED[kid]\n"
    action, _why, after = migrate_source(tmp_path, _checker(extra))
    assert action == MIGRATE
    assert "    def _key(self, kid):\n        return jwt.PyJWK(" in after
    assert "def _get_jwks" in after  # the kept _key still calls it
    assert "key = self._key(" not in after


def test_a_member_stored_outside_init_or_bound_in_the_class_stays(tmp_path):
    reset = "    def reset(self):\n        self._jwks = None\n\n    def _get_jwks(self):"
    action, _why, after = migrate_source(
        tmp_path, _checker(change=("    def _get_jwks(self):", reset))
    )
    assert action == MIGRATE
    assert "def _get_jwks" not in after and after.count("self._jwks = None") == 2
    slot = "class Checker:\n    keys_url = None\n"
    action, _why, after = migrate_source(tmp_path, _checker(change=("class Checker:\n", slot)))
    assert action == MIGRATE
    assert 'self.keys_url = os.environ["ISSUER"]' in after


def test_a_member_a_decorator_registers_stays(tmp_path):
    registered = "    @hooks.register\n    def _get_jwks(self):"
    action, _why, after = migrate_source(
        tmp_path, _checker(change=("    def _get_jwks(self):", registered))
    )
    assert action == MIGRATE
    assert "@hooks.register\n    def _get_jwks(self):" in after and "def _key" not in after


def test_a_test_patching_a_member_keeps_it(tmp_path):
    (tmp_path / "test_api.py").write_text(
        "from unittest import mock\n\nfrom api import Checker\n\n"
        'PATCH = mock.patch.object(Checker, "_get_jwks")\n'
    )
    action, _why, after = migrate_source(tmp_path, _checker())
    assert action == MIGRATE
    assert "def _get_jwks" in after and "def _key" not in after
