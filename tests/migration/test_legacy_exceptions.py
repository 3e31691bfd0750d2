"""PyJWT 1.x exception aliases around a migrated site: rewritten to names PyJWT >= 2.13 has, or
the site is refused with the reason (never an `except` that raises AttributeError)."""

from __future__ import annotations

import jwt
import libcst as cst

from idtoken_migrate.migration.plan import MIGRATE, UNSAFE

from .pairs import migrate_source as migrate


def _except_names(source: str) -> list[str]:
    names: list[str] = []

    class _Handlers(cst.CSTVisitor):
        def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
            if node.type is not None:
                names.append(cst.Module(body=()).code_for_node(node.type))

    cst.parse_module(source).visit(_Handlers())
    return names


def test_pyjwt1_aliases_become_the_current_names(tmp_path):
    action, _why, after = migrate(
        tmp_path,
        """

def user():
    token = request.headers["Authorization"][7:]
    try:
        return jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
    except jwt.ExpiredSignature:
        return "expired"
    except (jwt.InvalidAudience, jwt.exceptions.InvalidIssuer):
        return "wrong"
    except jwt.PyJWTError:
        return None


def elsewhere(error):
    return isinstance(error, jwt.ExpiredSignature)
""",
    )
    assert action == MIGRATE, _why
    assert _except_names(after) == [
        "jwt.ExpiredSignatureError",
        "(jwt.InvalidAudienceError, jwt.exceptions.InvalidIssuerError)",
        "jwt.PyJWTError",
    ]
    assert "isinstance(error, jwt.ExpiredSignatureError)" in after
    for caught in _except_names(after):  # each exists in the PyJWT the tests run (>= 2.13)
        assert eval(caught, {"jwt": jwt})
    assert not hasattr(jwt, "ExpiredSignature")


def test_from_import_of_an_alias_keeps_its_local_name(tmp_path):
    _action, _why, after = migrate(
        tmp_path,
        """from jwt import ExpiredSignature, InvalidTokenError


def user():
    token = request.headers["Authorization"][7:]
    try:
        return jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
    except ExpiredSignature:
        return "expired"
    except InvalidTokenError:
        return None
""",
    )
    assert "from jwt import ExpiredSignatureError as ExpiredSignature, InvalidTokenError" in after
    assert "except ExpiredSignature:" in after
    assert not hasattr(jwt, "ExpiredSignature") and hasattr(jwt, "ExpiredSignatureError")


def test_a_name_that_does_not_exist_refuses_the_site(tmp_path):
    action, why, after = migrate(
        tmp_path,
        """

def user():
    token = request.headers["Authorization"][7:]
    try:
        return jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
    except jwt.exceptions.InvalidClaimsError:
        return "claims"
    except jwt.InvalidTokenError:
        return None
""",
    )
    assert action == UNSAFE
    assert "jwt.exceptions.InvalidClaimsError does not exist in PyJWT >= 2.13" in why
    assert "jwt.decode(" in after  # left as it was
