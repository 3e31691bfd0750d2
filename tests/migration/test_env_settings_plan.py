"""The plan says which value the verifier takes from which of the app's variables (issuer_env,
audience_env, client_ids_env), and warns when the keys cannot follow an issuer read from one."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from idtoken_migrate.migration.plan import plan_project
from idtoken_migrate.report.plan import render_plan

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "fastapi_cognito_jose"
ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E"
CLIENT = "3n4b5urk1ft4fl3mg5e62d9ado"


def project(tmp_path: Path, **extra: object) -> Path:
    root = tmp_path / "app"
    shutil.copytree(FIXTURE, root)
    config = {
        "version": 1,
        "provider": "cognito",
        "issuer": ISSUER,
        "access_token": {"audience": [CLIENT]},
        "legacy_id_token": {"client_ids": [CLIENT]},
        "window": {"sunset": "2099-01-01"},
        **extra,
    }
    (root / "idtoken-migrate.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return root


def test_each_variable_read_at_start_up_is_listed_once(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        issuer_env="COGNITO_ISSUER",
        access_token={"audience": [CLIENT], "audience_env": "COGNITO_APP_CLIENT_ID"},
        legacy_id_token={"client_ids": [CLIENT], "client_ids_env": "COGNITO_APP_CLIENT_ID"},
    )
    _, plan = plan_project(root)
    reads = {e.name: e.why for e in plan.env if e.action == "read"}
    assert reads == {
        "COGNITO_ISSUER": f"issuer read at start-up; unset or empty: {ISSUER}",
        "COGNITO_APP_CLIENT_ID": (
            "access_token.audience read at start-up (comma or space separated); unset or empty: "
            f"{CLIENT}; and legacy_id_token.client_ids read at start-up (comma or space "
            f"separated); unset or empty: {CLIENT}"
        ),
    }
    text = render_plan(plan, "text")
    assert f"read   COGNITO_ISSUER: issuer read at start-up; unset or empty: {ISSUER}" in text
    assert "`COGNITO_ISSUER`" in render_plan(plan, "markdown")
    # .env.example lists what the migration adds, not the app's own variables
    example = next(f for f in plan.files if f.path == ".env.example")
    assert "COGNITO_ISSUER" not in example.what
    _, strict = plan_project(root, phase="strict")
    assert [e.name for e in strict.env if e.action == "read"] == [
        "COGNITO_ISSUER",
        "COGNITO_APP_CLIENT_ID",
    ]
    assert "legacy_id_token" not in next(
        e.why for e in strict.env if e.action == "read" and e.name == "COGNITO_APP_CLIENT_ID"
    )


def test_without_the_keys_nothing_is_read(tmp_path: Path) -> None:
    _, plan = plan_project(project(tmp_path))
    assert not [e for e in plan.env if e.action == "read"]
    assert not [r for r in plan.risks if "issuer_env" in r]


def test_keys_that_cannot_follow_the_issuer_are_a_risk(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        issuer_env="COGNITO_ISSUER",
        jwks_uri="https://keys.example.com/jwks.json",
    )
    _, plan = plan_project(root)
    assert any(
        r.startswith(
            "issuer_env: the issuer is read from $COGNITO_ISSUER at start-up but the "
            "JWKS URL stays https://keys.example.com/jwks.json"
        )
        for r in plan.risks
    ), plan.risks
