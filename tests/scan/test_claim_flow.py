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
