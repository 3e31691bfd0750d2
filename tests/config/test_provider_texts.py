"""Provider names and `init`'s issuer placeholder come from the provider profiles: the starter
writes the profile's first issuer format with each part as YOUR_PART, with its note, and plan,
apply and check refuse it (and what an earlier init wrote) until it is replaced."""

from __future__ import annotations

from pathlib import Path

import pytest

from idtoken_migrate.config.file import ConfigError, check_placeholders, load_config
from idtoken_migrate.config.providers import issuer_placeholder, load_provider, short_name
from idtoken_migrate.config.starter import render_starter_config
from idtoken_migrate.model import ScanResult, ScanStats
from idtoken_migrate.scan.engine import ScanOptions, scan_paths

CONFIG = """\
version: 1
provider: {provider}
issuer: {issuer}
access_token: {{audience: [https://api.example], algorithms: [RS256]}}
legacy_id_token: {{client_ids: [spa-client]}}
window: {{sunset: 2099-01-01}}
"""


@pytest.mark.parametrize(
    ("provider", "expected"),
    [
        ("okta", "https://YOUR_ORG.okta.com/oauth2/YOUR_AUTHORIZATION_SERVER_ID"),
        ("cognito", "https://cognito-idp.YOUR_REGION.amazonaws.com/YOUR_USER_POOL_ID"),
        ("keycloak", "https://YOUR_HOST/realms/YOUR_REALM"),
        ("google", "https://accounts.google.com"),  # a real issuer: nothing to replace
    ],
)
def test_the_issuer_placeholder_is_the_profile_first_format(provider: str, expected: str) -> None:
    assert issuer_placeholder(load_provider(provider)) == expected


@pytest.mark.parametrize(
    "issuer",
    [
        "https://YOUR_ORG.okta.com/oauth2/YOUR_AUTHORIZATION_SERVER_ID",  # what init writes now
        "https://YOUR_ORG.okta.com/oauth2/default",  # what an earlier init wrote
    ],
)
def test_plan_refuses_the_placeholder_issuer(tmp_path: Path, issuer: str) -> None:
    path = tmp_path / "idtoken-migrate.yaml"
    path.write_text(CONFIG.format(provider="okta", issuer=issuer), encoding="utf-8")
    config = load_config(path, tmp_path)
    with pytest.raises(ConfigError, match=r"idtoken-migrate.yaml:3: issuer: still the placeholder"):
        check_placeholders(config, path)
    path.write_text(CONFIG.format(provider="okta", issuer="https://acme.okta.com/oauth2/ausx"))
    check_placeholders(load_config(path, tmp_path), path)  # a real issuer passes


def test_the_starter_names_the_provider_issuer_format_and_note(tmp_path: Path) -> None:
    (tmp_path / "auth.py").write_text(
        "import jwt\n"
        "def user(request):\n"
        "    token = request.headers['Authorization'].split()[1]\n"
        "    return jwt.decode(token, KEY, algorithms=['RS256'], audience=CLIENT_ID,\n"
        "                      issuer='https://acme.okta.com/oauth2/default')\n",
        encoding="utf-8",
    )
    result = scan_paths([tmp_path], ScanOptions(jobs=1))
    text = render_starter_config(result)
    profile = load_provider("okta")
    assert f"# Okta: {' or '.join(profile.issuer_formats)}." in text
    assert f"# {profile.issuer_note}" in text
    empty = render_starter_config(ScanResult(root=str(tmp_path), stats=ScanStats(files=0)))
    assert "issuer: https://YOUR_HOST/YOUR_PATH  # TODO" in empty


def test_findings_name_the_provider_by_its_profile_short_name() -> None:
    assert short_name("cognito") == "Cognito" and short_name("okta") == "Okta"
    assert short_name("entra") == "Entra ID" and short_name("nowhere") == ""
