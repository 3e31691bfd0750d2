"""The verified claims followed into the functions and models they reach, across modules, with the
line of each read (`claims_read_at`, scan/claimflow.py)."""

from __future__ import annotations

from pathlib import Path

from idtoken_migrate.scan.claimflow import decode
from idtoken_migrate.scan.engine import ScanOptions, scan_paths

SERVICE = """\
import jwt

REGION = "eu-west-1"
POOL = "eu-west-1_Ab12Cd34E"


class Gatekeeper:
    def __init__(self, client_id):
        self.client_id = client_id
        self.jwks = jwt.PyJWKClient(f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}/.well-known/jwks.json")

    def check_token(self, credentials):
        token = credentials.credentials
        key = self.jwks.get_signing_key_from_jwt(token).key
        payload = jwt.decode(token, key, algorithms=["RS256"], audience=self.client_id)
        return payload
"""

GUARDS = """\
from fastapi import Depends
from fastapi.security import HTTPBearer

from service import Gatekeeper
from groups import in_group

bearer = HTTPBearer()
keeper = Gatekeeper("app-client")


class NeedsGroup:
    def __init__(self, group):
        self.group = group

    def __call__(self, credentials=Depends(bearer)):
        claims = keeper.check_token(credentials)
        in_group(claims, self.group)
        return claims
"""

GROUPS = """\
def in_group(token_claims, wanted):
    if wanted not in token_claims.get("cognito:groups", []):
        raise PermissionError(wanted)
    return token_claims["custom:tier"]
"""

UNRELATED = """\
def tier_of(record):
    return record["custom:plan"]
"""


def _reads(tmp_path: Path) -> set[tuple[str, str, str]]:
    result = scan_paths([tmp_path], ScanOptions())
    (finding,) = [f for f in result.findings if f.kind == "id-token-bearer"]
    return {(r.claim, r.where, r.how) for r in decode(finding.facts.claims_read_at or "")}


def test_claims_handed_to_a_method_result_then_to_a_helper_elsewhere(tmp_path: Path) -> None:
    for name, text in (("service", SERVICE), ("guards", GUARDS), ("groups", GROUPS)):
        (tmp_path / f"{name}.py").write_text(text)
    (tmp_path / "billing.py").write_text(UNRELATED)
    assert _reads(tmp_path) == {
        ("cognito:groups", "groups.py:2", "get"),
        ("custom:tier", "groups.py:4", "subscript"),
    }  # billing.py reads custom:plan from a record the claims never reach


MODELS = """\
from dataclasses import dataclass


@dataclass
class Reader:
    email: str
    department: str = "none"
"""

ROUTES = """\
from fastapi import Depends, FastAPI

from models import Reader
from service import Gatekeeper

app = FastAPI()
keeper = Gatekeeper("app-client")


def current_claims(credentials=Depends(keeper.bearer)):
    return keeper.check_token(credentials)


@app.get("/me")
def me(claims: dict = Depends(current_claims)):
    reader = Reader(**claims)
    return {"email": reader.email, "department": reader.department}
"""


def test_a_model_built_from_the_claims_reads_its_fields(tmp_path: Path) -> None:
    for name, text in (("service", SERVICE), ("models", MODELS), ("routes", ROUTES)):
        (tmp_path / f"{name}.py").write_text(text)
    assert _reads(tmp_path) == {
        ("email", "models.py:6", "required-field"),
        ("department", "models.py:7", "field"),
    }


def test_nothing_is_followed_out_of_the_site_project(tmp_path: Path) -> None:
    (tmp_path / "api").mkdir()
    (tmp_path / "other").mkdir()
    for name, text in (("service", SERVICE), ("guards", GUARDS)):
        (tmp_path / "api" / f"{name}.py").write_text(text)
    (tmp_path / "other" / "groups.py").write_text(GROUPS)
    assert _reads(tmp_path) == set()


HANDLERS = """\
from service import Gatekeeper
from users import audit_role, sync_user

keeper = Gatekeeper("app-client")


def login(credentials, db):
    claims = keeper.check_token(
        credentials,
    )
    sync_user(
        db,
        claims,  # the verified claims (
    )
    audit_role(
        source=str(db),
        who=claims,
    )
    return "ok"
"""

USERS = """\
def sync_user(db, token_claims):
    db.save(token_claims["custom:role"])


def audit_role(source, who):
    return source, who.get(
        "custom:branch"
    )
"""


def test_claims_passed_in_call_arguments_over_several_lines(tmp_path: Path) -> None:
    for name, text in (("service", SERVICE), ("handlers", HANDLERS), ("users", USERS)):
        (tmp_path / f"{name}.py").write_text(text)
    assert _reads(tmp_path) == {
        ("custom:role", "users.py:2", "subscript"),
        ("custom:branch", "users.py:6", "get"),
    }


SESSION = """\
from service import Gatekeeper

keeper = Gatekeeper("app-client")


class RequestUser:
    def __init__(self, credentials):
        claims = keeper.check_token(credentials)
        self.claims = claims
        self.raw = credentials

    @property
    def role(self):
        return self.claims["custom:role"]

    def in_group(self, group):
        return group in self.claims.get("cognito:groups", [])

    def source(self):
        return self.raw["custom:not-a-claim"]


class Other:
    def role(self):
        return self.claims["custom:elsewhere"]
"""


def test_claims_stored_on_the_instance_and_read_in_other_methods(tmp_path: Path) -> None:
    (tmp_path / "service.py").write_text(SERVICE)
    (tmp_path / "session.py").write_text(SESSION)
    assert _reads(tmp_path) == {
        ("custom:role", "session.py:14", "subscript"),
        ("cognito:groups", "session.py:17", "get"),
    }  # not what another attribute holds, nor another class's `self.claims`


AUTHN = """\
from service import Gatekeeper

keeper = Gatekeeper("app-client")


def authenticate(credentials):
    payload = keeper.check_token(credentials)
    record = {"name": payload["cognito:username"]}
    return record, payload
"""

VIEWS = """\
from authn import authenticate


def profile(credentials):
    record, claims = authenticate(credentials)
    return {"nick": record["custom:nickname"], "team": claims["custom:team"]}
"""


def test_a_returned_tuple_is_followed_into_the_item_the_caller_unpacks(tmp_path: Path) -> None:
    for name, text in (("service", SERVICE), ("authn", AUTHN), ("views", VIEWS)):
        (tmp_path / f"{name}.py").write_text(text)
    assert _reads(tmp_path) == {
        ("cognito:username", "authn.py:8", "subscript"),
        ("custom:team", "views.py:6", "subscript"),
    }  # `record` is the first item: custom:nickname is no claim


DECORATOR = """\
from functools import wraps

import jwt
from flask import g, request

KEYS = jwt.PyJWKClient("https://cognito-idp.eu-west-1.amazonaws.com/pool/.well-known/jwks.json")


def requires_auth(view):
    @wraps(view)
    def decorated(*args, **kwargs):
        token = request.headers["Authorization"][7:]
        key = KEYS.get_signing_key_from_jwt(token).key
        g.claims = jwt.decode(token, key, algorithms=["RS256"], audience="app-client")
        return view(*args, **kwargs)

    return decorated
"""

VIEWS_G = """\
from flask import g

from auth import requires_auth


@requires_auth
def me():
    return {"email": g.claims["email"], "role": g.claims.get("custom:role")}


def unrelated():
    return g.settings["custom:theme"]
"""


def test_claims_kept_on_flask_g_are_read_in_the_views(tmp_path: Path) -> None:
    (tmp_path / "auth.py").write_text(DECORATOR)
    (tmp_path / "views.py").write_text(VIEWS_G)
    assert _reads(tmp_path) == {
        ("email", "views.py:8", "subscript"),
        ("custom:role", "views.py:8", "get"),
    }


STATE = """\
import os

import jwt
from fastapi import HTTPException, Request

SECRET = os.environ["AUTH0_CLIENT_SECRET"]
CLIENT_ID = os.environ["AUTH0_CLIENT_ID"]


async def authenticate(request: Request, call_next):
    token = request.headers.get("authorization", "")[7:]
    try:
        payload = jwt.decode(token, SECRET, algorithms=["HS256"], audience=CLIENT_ID)
    except jwt.PyJWTError:
        raise HTTPException(status_code=401)
    request.state.user = payload
    return await call_next(request)
"""

ROUTES_STATE = """\
from fastapi import Request


def dashboard(request: Request):
    if "admin" not in request.state.user.get("roles", []):
        return None
    return request.state.user["org"]
"""


def test_claims_kept_on_request_state_are_read_in_the_routes(tmp_path: Path) -> None:
    (tmp_path / "middleware.py").write_text(STATE)
    (tmp_path / "routes.py").write_text(ROUTES_STATE)
    assert _reads(tmp_path) == {
        ("roles", "routes.py:5", "get"),
        ("org", "routes.py:7", "subscript"),
    }


SERVICE_G = """\
from flask import g, request

from service import Gatekeeper

keeper = Gatekeeper("app-client")


def load_user():
    g.user = keeper.check_token(request.headers["Authorization"][7:])


def team():
    return g.user["custom:team"]
"""


def test_a_verify_method_result_kept_on_flask_g(tmp_path: Path) -> None:
    (tmp_path / "service.py").write_text(SERVICE)
    (tmp_path / "hooks.py").write_text(SERVICE_G)
    assert _reads(tmp_path) == {("custom:team", "hooks.py:13", "subscript")}


USERS_ROUTES = """\
from fastapi import APIRouter, Depends

from service import Gatekeeper

router = APIRouter()
keeper = Gatekeeper("app-client")


@router.get("/users/me")
async def read_me(
    claims: dict = Depends(keeper.check_token),
):
    return {"name": claims["cognito:username"]}
"""


def test_a_bound_method_dependency_hands_its_claims_to_the_route(tmp_path: Path) -> None:
    (tmp_path / "service.py").write_text(SERVICE)
    (tmp_path / "users.py").write_text(USERS_ROUTES)
    assert _reads(tmp_path) == {("cognito:username", "users.py:13", "subscript")}
