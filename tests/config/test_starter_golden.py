"""What `init` writes, byte for byte, for four projects (tests/golden/starter_*.yaml): no scan,
an Auth0 app verifying HS256 ID tokens with the client secret from the environment (its .env read
into a dict), a Google Sign-In app (the access tokens come from another issuer), and a Cognito app
whose client id is read from the environment with a default.

Regenerate after an intended change: IDTOKEN_MIGRATE_UPDATE_GOLDEN=1 pytest -k starter_golden
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from idtoken_migrate.config.file import load_config
from idtoken_migrate.config.starter import render_starter_config
from idtoken_migrate.model import Finding, ScanResult, ScanStats, SiteFacts

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE_GOLDEN = "IDTOKEN_MIGRATE_UPDATE_GOLDEN"
TODAY = dt.date(2026, 1, 1)


def site(kind: str, provider: str, library: str, line: int, **facts: object) -> Finding:
    return Finding(
        rule="IDT101",
        kind=kind,
        path="app/auth.py",
        line=line,
        column=5,
        end_line=line + 3,
        end_column=6,
        confidence="high",
        library=library,
        provider=provider,
        message="a verification site",
        evidence=(f"{provider} names in the settings",),
        fingerprint=f"f{line}",
        symbol="current_user",
        facts=SiteFacts(**facts),
    )


def auth0_hs256(root: Path) -> ScanResult:
    (root / "app").mkdir()
    (root / "app" / "settings.py").write_text(
        'from dotenv import dotenv_values\n\nenv = dotenv_values(".env")\n', encoding="utf-8"
    )
    legacy = site(
        "id-token-bearer",
        "auth0",
        "pyjwt",
        15,
        key_expr='os.environ["AUTH0_CLIENT_SECRET"]',
        audience_expr="settings.AUTH0_CLIENT_ID",
        issuer_expr='"https://acme.eu.auth0.com/"',
        algorithms='["HS256"]',
        claims_read=("email", "name", "https://acme.example/roles"),
    )
    access = site("access-token", "auth0", "pyjwt", 40, audience_expr='"https://api.acme.example"')
    return ScanResult(root=str(root), findings=(legacy, access), stats=ScanStats(files=3))


def google_signin(root: Path) -> ScanResult:
    legacy = site(
        "id-token-bearer",
        "google",
        "google-auth",
        9,
        audience_expr='"1234-abc.apps.googleusercontent.com"',
        algorithm_values=("RS256",),
    )
    return ScanResult(root=str(root), findings=(legacy,), stats=ScanStats(files=1))


def cognito_env(root: Path) -> ScanResult:
    (root / "app").mkdir()
    (root / "app" / "auth.py").write_text(
        "import os\n"
        'CLIENT_ID = os.environ.get("COGNITO_CLIENT_ID", "4abc5defg6hij7klm8nop9qrs0")\n'
        'ISSUER = os.environ["COGNITO_ISSUER"]\n',
        encoding="utf-8",
    )
    legacy = site(
        "id-token-bearer",
        "cognito",
        "python-jose",
        12,
        audience_expr="CLIENT_ID",
        issuer_expr="ISSUER",
        key_expr="jwks",
        algorithms='["RS256"]',
    )
    return ScanResult(root=str(root), findings=(legacy,), stats=ScanStats(files=2))


SCENARIOS = {
    "none": None,
    "auth0_hs256": auth0_hs256,
    "google_signin": google_signin,
    "cognito_env": cognito_env,
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_starter_golden(name: str, tmp_path: Path) -> None:
    make = SCENARIOS[name]
    text = render_starter_config(make(tmp_path) if make else None, today=TODAY)
    golden = GOLDEN / f"starter_{name}.yaml"
    if os.environ.get(UPDATE_GOLDEN):
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"missing {golden}; run with {UPDATE_GOLDEN}=1"
    assert text == golden.read_text(encoding="utf-8"), f"init's output changed; {UPDATE_GOLDEN}=1"
    (tmp_path / "idtoken-migrate.yaml").write_text(text, encoding="utf-8")
    assert load_config(None, tmp_path).version == 1  # and it loads
