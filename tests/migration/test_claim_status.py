"""The plan names each claim the legacy code reads, where, and whether the access token carries
it (the provider profile's `user_claims:`), before anything changes."""

from __future__ import annotations

from idtoken_migrate.migration.plan import plan_project
from idtoken_migrate.report.plan import render_plan

CONFIG = """version: 1
provider: cognito
issuer: https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E
access_token: {audience: [app-client]}
legacy_id_token: {client_ids: [app-client]}
window: {sunset: 2099-01-01}
"""

AUTH = """\
import jwt

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E"
keys = jwt.PyJWKClient(ISSUER + "/.well-known/jwks.json")


def claims_of(token):
    key = keys.get_signing_key_from_jwt(token).key
    claims = jwt.decode(token, key, algorithms=["RS256"], audience="app-client", issuer=ISSUER)
    return claims
"""

ACCOUNTS = """\
from auth import claims_of


def account(request):
    claims = claims_of(request.headers["Authorization"][7:])
    return audit(claims)


def audit(who):
    groups = who.get("cognito:groups", [])
    return who["cognito:username"], who["custom:team"], groups
"""


def _project(tmp_path, extra: str = ""):
    (tmp_path / "idtoken-migrate.yaml").write_text(CONFIG + extra)
    (tmp_path / "auth.py").write_text(AUTH)
    (tmp_path / "accounts.py").write_text(ACCOUNTS)
    return plan_project(tmp_path)[1]


def test_each_claim_with_where_it_is_read_and_what_the_access_token_does(tmp_path):
    plan = _project(tmp_path)
    claims = {c.claim: c for c in plan.claims}
    assert set(claims) == {"cognito:groups", "cognito:username", "custom:team"}
    groups = claims["cognito:groups"]
    assert (groups.provided, groups.access_token) == (True, "carried")
    assert groups.reads == ("accounts.py:10 (get)",)
    username = claims["cognito:username"]
    assert (username.provided, username.access_token) == (False, "renamed")
    assert username.note.startswith("as `username`")
    assert username.read_lines == ("accounts.py:11",)
    team = claims["custom:team"]
    assert (team.provided, team.access_token) == (False, "absent")
    assert team.read_lines == ("accounts.py:11",)
    risk = next(r for r in plan.risks if "`custom:team`" in r)
    assert "(read at accounts.py:11; verified at auth.py:9)" in risk
    assert "do not carry it" in risk and "pre-token-generation trigger" in risk
    text = render_plan(plan, "text")
    assert "      access token: renamed: as `username`" in text
    assert "      read along the way at accounts.py:11 (subscript)" in text


def test_a_mapping_provides_the_claim(tmp_path):
    plan = _project(tmp_path, "claims: {custom:team: team}\n")
    team = next(c for c in plan.claims if c.claim == "custom:team")
    assert (team.provided, team.source, team.read_lines) == (True, "team", ())
    assert not [r for r in plan.risks if "`custom:team`" in r]


MEMBERS = """\
from auth import claims_of


class Member:
    def __init__(self, request):
        claims = claims_of(
            request.headers["Authorization"][7:],
        )
        self.claims = claims

    def team(self):
        return record_team(
            self.name(),
            self.claims,
        )

    def name(self):
        return "member"


def record_team(label, who):
    return label, who["custom:team"]
"""


def test_a_claim_read_through_the_instance_and_a_call_over_lines_is_named(tmp_path):
    (tmp_path / "idtoken-migrate.yaml").write_text(CONFIG)
    (tmp_path / "auth.py").write_text(AUTH)
    (tmp_path / "members.py").write_text(MEMBERS)
    plan = plan_project(tmp_path)[1]
    team = next(c for c in plan.claims if c.claim == "custom:team")
    assert (team.provided, team.access_token, team.read_lines) == (
        False,
        "absent",
        ("members.py:22",),
    )
    risk = next(r for r in plan.risks if "`custom:team`" in r)
    assert "(read at members.py:22; verified at auth.py:9)" in risk
