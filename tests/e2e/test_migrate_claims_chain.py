"""Issue 18, points 3 and 4, end to end with real signed tokens and a JWKS on 127.0.0.1.

`fastapi_cognito_roles` authorizes in other modules with Cognito user-pool attributes the access
token lacks (`custom:role`): the plan names them, with the line, before anything changes, and
with a mapping the role-checked routes keep working, dual -> kill switch -> sunset -> strict.
`flask_cognito_own_jwks` has its own JWKS lookup around `jwt.decode`: once migrated no helper
is left, an unknown kid is a 401 (it was a 500) and a rotated key reaches the verifier's refresh.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli

from .harness import (
    FIXTURES,
    AppSpec,
    JwksServer,
    SigningKey,
    copy_app,
    load_app,
    make_providers,
    write_migration_config,
)
from .phases import shorten_refetch

KILL_SWITCH = "IDTOKEN_MIGRATE_REJECT_ID_TOKENS"
ROLES = "fastapi_cognito_roles"
ROLE_MAP = {"custom:role": "role", "custom:branch": "branch"}  # as a pre-token trigger adds them


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def roles_app(folder: Path, p, env: dict[str, str] | None = None):
    base = {"COGNITO_ISSUER": p.issuer, "COGNITO_APP_CLIENT_ID": p.client_id}
    return load_app(folder, AppSpec("fastapi", "main:app"), {**base, **(env or {})})


def librarian_id_token(p, role: str = "librarian") -> str:
    return p.id_token(**{"custom:role": role, "cognito:groups": ["staff"]})


def librarian_access_token(p, role: str = "librarian") -> str:
    return p.access_token(role=role, **{"cognito:groups": ["staff"]})


def test_legacy_roles_app_authorizes_with_id_token_attributes(tmp_path, providers):
    p = providers["cognito"]
    folder = copy_app(ROLES, tmp_path)
    with roles_app(folder, p) as app:
        assert app.get("/manage", token=librarian_id_token(p)).status == 200
        assert app.get("/manage", token=librarian_id_token(p, "reader")).status == 403
        me = app.get("/me", token=librarian_id_token(p))
        assert me.json() == {"email": p.email, "role": "librarian", "branch": "central"}
        assert app.get("/manage", token=librarian_access_token(p)).status == 401


def test_the_plan_names_each_claim_where_it_is_read_before_anything_changes(tmp_path, providers):
    p = providers["cognito"]
    folder = copy_app(ROLES, tmp_path)
    write_migration_config(folder, p, claims={"email": "email"})
    before = {f: f.read_bytes() for f in folder.rglob("*.py")}
    code, out, err = run("plan", str(folder), "--format", "json")
    assert code == 0, err
    claims = {c["claim"]: c for c in json.loads(out)["claims"]}
    role = claims["custom:role"]
    assert role["provided"] is False and role["access_token"] == "absent"
    members = (folder / "members.py").read_text().splitlines()
    line = next(i for i, t in enumerate(members, 1) if 'claims["custom:role"]' in t)
    field = next(i for i, t in enumerate(members, 1) if 'alias="custom:role"' in t)
    assert f"members.py:{line}" in role["read_lines"]
    assert f"members.py:{field}" in role["read_lines"]  # a required field of the Member model
    groups = claims["cognito:groups"]
    assert groups["provided"] is True and groups["access_token"] == "carried"
    assert any(r.startswith("members.py:") and r.endswith("(get)") for r in groups["reads"])
    assert claims["custom:branch"]["read_lines"] == []  # optional field: a default, no failure
    code, _out, err = run("apply", str(folder), "--phase", "dual", "--write")
    assert code != 0 and "custom:role" in err
    assert {f: f.read_bytes() for f in folder.rglob("*.py")} == before  # nothing written


def test_with_the_mapping_role_checks_survive_every_phase(tmp_path, providers):
    p = providers["cognito"]
    folder = copy_app(ROLES, tmp_path)
    write_migration_config(folder, p, claims=ROLE_MAP)
    code, out, err = run("plan", str(folder), "--format", "json")
    role = {c["claim"]: c for c in json.loads(out)["claims"]}["custom:role"]
    assert role["provided"] is True and role["source"] == "role"
    code, _out, err = run("apply", str(folder), "--phase", "dual", "--write")
    assert code == 0, err
    with roles_app(folder, p) as app:
        assert app.get("/manage", token=librarian_id_token(p)).status == 200
        assert app.get("/manage", token=librarian_access_token(p)).status == 200
        assert app.get("/manage", token=librarian_access_token(p, "reader")).status == 403
        me = app.get("/me", token=librarian_access_token(p))
        assert me.json() == {"email": p.email, "role": "librarian", "branch": "central"}
        for kind, token in p.bad_access_tokens().items():
            assert app.get("/manage", token=token).status == 401, kind
        killed = {KILL_SWITCH: "1"}
        assert app.get("/manage", token=librarian_id_token(p), env=killed).status == 401
        assert app.get("/manage", token=librarian_access_token(p), env=killed).status == 200
    write_migration_config(folder, p, claims=ROLE_MAP, sunset="2020-01-01")
    code, _out, err = run("apply", str(folder), "--phase", "dual", "--write")
    assert code == 0, err
    with roles_app(folder, p) as app:
        assert app.get("/manage", token=librarian_id_token(p)).status == 401
        assert app.get("/manage", token=librarian_access_token(p)).status == 200
    code, _out, err = run("apply", str(folder), "--phase", "strict", "--write")
    assert code == 0, err
    with roles_app(folder, p) as app:
        assert app.get("/manage", token=librarian_id_token(p)).status == 401
        assert app.get("/manage", token=librarian_access_token(p)).status == 200
        assert app.get("/me", token=librarian_access_token(p)).json()["role"] == "librarian"


OWN_JWKS = "flask_cognito_own_jwks"


def test_own_jwks_lookup_is_gone_and_the_verifier_refresh_is_reached(tmp_path):
    with JwksServer() as server:
        p = make_providers(server)["cognito"]
        jwks_path = urlparse(p.jwks_uri).path
        published = server.documents[jwks_path]
        rotated = SigningKey.generate("cognito-rs256-2")
        fx = FIXTURES[OWN_JWKS]

        def rotate() -> None:
            server.add(jwks_path, {"keys": [*published["keys"], rotated.public_jwk]})

        def unrotate() -> None:
            server.add(jwks_path, published)

        new_key_token = p.id_token(header={"kid": rotated.kid}, key=rotated)
        made_up_kid = p.id_token(header={"kid": "no-such-kid"})
        with fx.load(p) as legacy:  # before: the app's own cache and lookup
            assert legacy.get(fx.me_path, token=p.id_token()).status == 200
            rotate()
            assert legacy.get(fx.me_path, token=new_key_token).status == 500
            assert legacy.get(fx.me_path, token=made_up_kid).status == 500
        unrotate()

        folder = copy_app(OWN_JWKS, tmp_path)
        write_migration_config(folder, p)
        code, _out, err = run("apply", str(folder), "--phase", "dual", "--write")
        assert code == 0, err
        auth = (folder / "auth.py").read_text()
        for leftover in (
            "_keys_by_kid",
            "_public_key",
            "get_unverified_header",
            "RSAAlgorithm",
            "urllib",
            "lru_cache",
            "from_jwk",
        ):
            assert leftover not in auth, leftover
        shorten_refetch(folder)
        with fx.load(p, folder=folder) as app:
            assert app.get(fx.me_path, token=p.id_token()).status == 200
            fetched = server.hits[jwks_path]
            assert app.get(fx.me_path, token=made_up_kid).status == 401
            rotate()
            assert app.get(fx.me_path, token=new_key_token).status == 200
            assert server.hits[jwks_path] > fetched  # the verifier refetched the JWKS
            access = p.access_token(header={"kid": rotated.kid}, key=rotated)
            assert app.get(fx.me_path, token=access).json()["email"] == p.email
        unrotate()
