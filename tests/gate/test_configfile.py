"""load_config: sources, and validation errors that name the file, the line and the key."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from idtoken_migrate.config import Config
from idtoken_migrate.config.file import ConfigError, load_config
from idtoken_migrate.config.starter import render_starter_config
from idtoken_migrate.model import Finding, ScanResult, ScanStats, SiteFacts, UsageError

from .conftest import VALID_CONFIG


def write(tmp_path: Path, text: str, name: str = "idtoken-migrate.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> ConfigError:
    write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(None, tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    return caught.value


def test_valid_config_loads_every_key(tmp_path: Path) -> None:
    write(tmp_path, VALID_CONFIG)
    config = load_config(None, tmp_path)
    assert config.provider == "auth0"
    assert config.issuer == "https://example.eu.auth0.com/"
    assert config.access_token.audience == ("https://api.example.com",)
    assert config.legacy_id_token.algorithms == ("HS256",)
    assert config.legacy_id_token.secret_env == "AUTH0_CLIENT_SECRET"
    assert config.window.sunset == dt.date(2027, 3, 1)
    assert config.claim_map == {"email": "https://example.com/email"}
    assert config.source is not None and config.source.endswith("idtoken-migrate.yaml")


def test_no_config_gives_defaults(tmp_path: Path) -> None:
    assert load_config(None, tmp_path) == Config()


def test_typo_key_names_line_and_suggests(tmp_path: Path) -> None:
    err = error_for(tmp_path, VALID_CONFIG.replace("  audience:", "  audiense:"))
    assert err.line == 5
    assert err.key == "access_token.audiense"
    assert str(err).endswith(
        "idtoken-migrate.yaml:5: access_token.audiense: unknown key (did you mean 'audience'?)"
    )


def test_key_at_the_wrong_level_points_to_its_section(tmp_path: Path) -> None:
    err = error_for(tmp_path, VALID_CONFIG + "sunset: 2027-03-01\n")
    assert "did you mean 'window.sunset'?" in str(err)


@pytest.mark.parametrize(
    ("old", "new", "key", "fragment"),
    [
        ("version: 1", "version: one", "version", "must be an integer, not a string"),
        ("[AbCdEf123]", "{a: 1}", "legacy_id_token.client_ids", "must be a string or a list"),
        ("[RS256]", "RS256, 3", "access_token.algorithms", "unknown algorithm"),
        (
            "email: https://example.com/email",
            "email: 3",
            "claims.email",
            "not an integer",
        ),
    ],
)
def test_wrong_types(tmp_path: Path, old: str, new: str, key: str, fragment: str) -> None:
    err = error_for(tmp_path, VALID_CONFIG.replace(old, new, 1))
    assert err.key == key
    assert fragment in str(err)


def test_impossible_date(tmp_path: Path) -> None:
    err = error_for(tmp_path, VALID_CONFIG.replace("2027-03-01", "2027-02-30"))
    assert (err.line, err.key) == (12, "window.sunset")
    assert "'2027-02-30' is not a real date" in str(err)


def test_quoted_date_is_accepted(tmp_path: Path) -> None:
    write(tmp_path, VALID_CONFIG.replace("2027-03-01", '"2027-03-01"'))
    assert load_config(None, tmp_path).window.sunset == dt.date(2027, 3, 1)


def test_missing_issuer_when_provider_is_set(tmp_path: Path) -> None:
    err = error_for(tmp_path, VALID_CONFIG.replace("issuer: https://example.eu.auth0.com/\n", ""))
    assert err.key == "issuer"
    assert "required when provider is set" in str(err)


def test_hs256_legacy_needs_secret_env(tmp_path: Path) -> None:
    err = error_for(tmp_path, VALID_CONFIG.replace("  secret_env: AUTH0_CLIENT_SECRET\n", ""))
    assert err.key == "legacy_id_token.secret_env"


def test_secret_env_must_be_a_name_not_the_secret(tmp_path: Path) -> None:
    err = error_for(
        tmp_path, VALID_CONFIG.replace("AUTH0_CLIENT_SECRET", "s3cr3t-value/with+chars==")
    )
    assert err.key == "legacy_id_token.secret_env"
    assert "never the value" in str(err)


def test_unknown_provider(tmp_path: Path) -> None:
    err = error_for(tmp_path, VALID_CONFIG.replace("provider: auth0", "provider: autho"))
    assert (err.line, err.key) == (2, "provider")
    assert "did you mean 'auth0'?" in str(err)


def test_unknown_phase(tmp_path: Path) -> None:
    err = error_for(tmp_path, VALID_CONFIG + "phase: strcit\n")
    assert err.key == "phase"
    assert "did you mean 'strict'?" in str(err)


@pytest.mark.parametrize("alg", ["HS256", "none"])
def test_access_token_rejects_hmac_and_none(tmp_path: Path, alg: str) -> None:
    err = error_for(tmp_path, VALID_CONFIG.replace("[RS256]", f"[{alg}]"))
    assert (err.line, err.key) == (6, "access_token.algorithms[0]")


def test_legacy_rejects_mixed_hmac_and_public_key(tmp_path: Path) -> None:
    err = error_for(tmp_path, VALID_CONFIG.replace("[HS256]", "[HS256, RS256]"))
    assert err.key == "legacy_id_token.algorithms"
    assert "must not mix" in str(err)


def test_audience_as_list(tmp_path: Path) -> None:
    write(
        tmp_path,
        VALID_CONFIG.replace(
            "audience: https://api.example.com", "audience: [https://a.example.com, b]"
        ),
    )
    assert load_config(None, tmp_path).access_token.audience == ("https://a.example.com", "b")


def test_issuer_must_be_https(tmp_path: Path) -> None:
    err = error_for(tmp_path, VALID_CONFIG.replace("https://example.eu", "http://example.eu"))
    assert err.key == "issuer"


def test_duplicate_key(tmp_path: Path) -> None:
    err = error_for(tmp_path, VALID_CONFIG + "provider: okta\n")
    assert err.key == "provider"
    assert "duplicate key" in str(err)


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    err = error_for(tmp_path, "version: 1\naccess_token:\n  audience: [a\n")
    assert "invalid YAML" in str(err)
    assert err.line is not None


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    assert "must be a mapping" in str(error_for(tmp_path, "- a\n- b\n"))


def test_several_problems_report_the_first_and_count(tmp_path: Path) -> None:
    err = error_for(tmp_path, "versoin: 1\nprovidr: auth0\n")
    assert err.line == 1
    assert str(err).endswith("(and 1 more problem)")


def test_explicit_config_missing_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="nope.yaml: config file not found"):
        load_config(tmp_path / "nope.yaml", tmp_path)


def test_explicit_config_wins_over_default(tmp_path: Path) -> None:
    write(tmp_path, "version: 1\nphase: dual\n")
    other = write(tmp_path, "version: 1\nphase: strict\n", name="ci.yaml")
    assert load_config(other, tmp_path).phase == "strict"


PYPROJECT = """\
[project]
name = "legacy"

[tool.idtoken-migrate]
version = 1
phase = "strict"

[tool.idtoken-migrate.window]
sunset = 2027-03-01
"""


def test_pyproject_source(tmp_path: Path) -> None:
    write(tmp_path, PYPROJECT, name="pyproject.toml")
    config = load_config(None, tmp_path)
    assert config.phase == "strict"
    assert config.window.sunset == dt.date(2027, 3, 1)
    assert config.source is not None and config.source.endswith("pyproject.toml")


def test_yaml_file_wins_over_pyproject(tmp_path: Path) -> None:
    write(tmp_path, PYPROJECT, name="pyproject.toml")
    write(tmp_path, "version: 1\n")
    assert load_config(None, tmp_path).phase == "dual"


def test_pyproject_without_table_gives_defaults(tmp_path: Path) -> None:
    write(tmp_path, '[project]\nname = "x"\n', name="pyproject.toml")
    assert load_config(None, tmp_path) == Config()


def test_pyproject_errors_name_line_and_full_key(tmp_path: Path) -> None:
    write(tmp_path, PYPROJECT.replace("sunset =", "sunsett ="), name="pyproject.toml")
    with pytest.raises(ConfigError) as caught:
        load_config(None, tmp_path)
    assert caught.value.line == 9
    assert caught.value.key == "tool.idtoken-migrate.window.sunsett"
    assert "did you mean 'sunset'?" in str(caught.value)


def _finding(**facts: object) -> Finding:
    return Finding(
        rule="IDT101",
        kind="id-token-bearer",
        path="app/auth.py",
        line=15,
        column=5,
        end_line=20,
        end_column=6,
        confidence="high",
        library="pyjwt",
        provider="auth0",
        message="jwt.decode accepts an ID token",
        evidence=("the audience is a client id",),
        fingerprint="abc",
        symbol="requires_auth.decorated",
        facts=SiteFacts(**facts),
    )


def test_starter_config_without_scan_is_valid(tmp_path: Path) -> None:
    text = render_starter_config(today=dt.date(2026, 1, 1))
    write(tmp_path, text)
    config = load_config(None, tmp_path)
    assert config.window.sunset == dt.date(2026, 4, 1)
    assert "TODO" in text


def test_starter_config_is_prefilled_from_findings(tmp_path: Path) -> None:
    finding = _finding(
        algorithms='["HS256"]',
        audience_expr="settings.AUTH0_CLIENT_ID",
        key_expr="settings.AUTH0_CLIENT_SECRET",
        issuer_expr='"https://acme.eu.auth0.com/"',
        claims_read=("email", "name"),
    )
    result = ScanResult(root=str(tmp_path), findings=(finding,), stats=ScanStats(files=3))
    text = render_starter_config(result)
    write(tmp_path, text)
    config = load_config(None, tmp_path)
    assert config.provider == "auth0"
    assert config.issuer == "https://acme.eu.auth0.com/"
    assert config.legacy_id_token.algorithms == ("HS256",)
    assert config.legacy_id_token.secret_env == "AUTH0_CLIENT_SECRET"
    assert "settings.AUTH0_CLIENT_ID" in text  # where the client id lives, as a comment
    assert "app/auth.py:15 in requires_auth.decorated" in text
    assert "libraries: pyjwt" in text
    assert "#  name: https://example.com/name" in text
    # Every key line is preceded by a comment that explains it.
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line and not line.startswith((" ", "#")) and line.endswith(":") is False:
            assert lines[index - 1].startswith("#"), line


@pytest.mark.parametrize("module", ["../outside.py", "app/../../x.py", "/abs/verifier.py"])
def test_verifier_module_must_stay_inside_the_project(tmp_path: Path, module: str) -> None:
    err = error_for(tmp_path, VALID_CONFIG + f"output:\n  module: {module}\n")
    assert "output.module" in str(err) and "inside the project" in str(err)


AT_JWT = VALID_CONFIG.replace(
    "  algorithms: [RS256]\n", "  algorithms: [RS256]\n  require_at_jwt: true\n"
)


def test_require_at_jwt_reaches_the_verifier(tmp_path: Path) -> None:
    from idtoken_migrate.verifier.render import render_verifier

    write(tmp_path, AT_JWT)
    config = load_config(None, tmp_path)
    assert config.access_token.require_at_jwt
    write(tmp_path, VALID_CONFIG)
    default = load_config(None, tmp_path)
    assert not default.access_token.require_at_jwt
    assert render_verifier(config) == render_verifier(default, require_at_jwt=True)
    assert render_verifier(config) != render_verifier(default)
    assert 'ACCESS_TYPS = frozenset({"at+jwt"})' in render_verifier(config)


def test_require_at_jwt_must_be_a_boolean(tmp_path: Path) -> None:
    err = error_for(tmp_path, AT_JWT.replace("require_at_jwt: true", "require_at_jwt: sometimes"))
    assert (err.key, err.line) == ("access_token.require_at_jwt", 7)
    assert "must be true or false, not a string" in str(err)


def test_require_at_jwt_needs_a_provider_that_emits_at_jwt(tmp_path: Path) -> None:
    okta = AT_JWT.replace("provider: auth0", "provider: okta").replace(
        "https://example.eu.auth0.com/", "https://example.okta.com/oauth2/default"
    )
    err = error_for(tmp_path, okta)
    assert (err.key, err.line) == ("access_token.require_at_jwt", 7)
    assert "okta access tokens are never typed at+jwt" in str(err)


GOOGLE_TO_OIDC = """\
version: 1
provider: generic
issuer: https://login.example.com
jwks_uri: https://login.example.com/keys
access_token:
  audience: https://api.example.com
legacy_id_token:
  provider: google
  issuer: https://accounts.google.com
  client_ids: [1234-web.apps.googleusercontent.com]
"""


def test_legacy_issuer_keys_load_and_default_to_the_top_level(tmp_path: Path) -> None:
    write(tmp_path, GOOGLE_TO_OIDC)
    config = load_config(None, tmp_path)
    assert config.legacy_provider == "google" and config.provider == "generic"
    assert config.legacy_issuer == "https://accounts.google.com" and config.two_issuers
    assert config.legacy_id_token.jwks_uri is None  # derived from the Google profile
    write(tmp_path, VALID_CONFIG)
    old = load_config(None, tmp_path)
    assert old.legacy_provider == "auth0" and old.legacy_issuer == old.issuer
    assert not old.two_issuers


@pytest.mark.parametrize(
    ("old", "new", "line", "key", "fragment"),
    [
        (
            "  issuer: https://accounts.google.com\n",
            "",
            8,
            "legacy_id_token.provider",
            "set legacy_id_token.issuer",
        ),
        (
            "  provider: google\n",
            "  provider: google\n  jwks_uri: http://keys.example.com/\n",
            9,
            "legacy_id_token.jwks_uri",
            "https",
        ),
        (
            "  provider: google\n",
            "  provider: generic\n",
            9,
            "legacy_id_token.issuer",
            "set legacy_id_token.jwks_uri",
        ),
        ("  provider: google\n", "  provider: gogle\n", 8, "legacy_id_token.provider", "'google'"),
    ],
)
def test_legacy_issuer_errors_name_line_and_key(
    tmp_path: Path, old: str, new: str, line: int, key: str, fragment: str
) -> None:
    err = error_for(tmp_path, GOOGLE_TO_OIDC.replace(old, new))
    assert (err.line, err.key) == (line, key)
    assert fragment in str(err)


INTROSPECTION = """\
version: 1
provider: keycloak
issuer: https://sso.example.com/realms/acme
access_token:
  audience: orders-api
  validation: introspection
  introspection_endpoint: https://sso.example.com/realms/acme/protocol/openid-connect/token/introspect
  introspection_client_id_env: ORDERS_API_CLIENT_ID
  introspection_client_secret_env: ORDERS_API_CLIENT_SECRET
  introspection_cache_seconds: 120
legacy_id_token:
  client_ids: [web-frontend]
"""


def test_introspection_keys_load(tmp_path: Path) -> None:
    write(tmp_path, INTROSPECTION)
    access = load_config(None, tmp_path).access_token
    assert access.validation == "introspection"
    assert access.introspection_endpoint.endswith("/token/introspect")
    assert access.introspection_client_secret_env == "ORDERS_API_CLIENT_SECRET"
    assert access.introspection_cache_seconds == 120
    write(tmp_path, VALID_CONFIG)
    assert load_config(None, tmp_path).access_token.validation == "jwt"


@pytest.mark.parametrize(
    ("old", "new", "line", "key", "fragment"),
    [
        (
            "  validation: introspection\n",
            "",
            6,
            "access_token.introspection_endpoint",
            "only with",
        ),
        (
            "  validation: introspection\n",
            "  validation: opaque\n",
            6,
            "access_token.validation",
            "not one of",
        ),
        (
            "  introspection_endpoint: https://sso",
            "  introspection_endpoint: http://sso",
            7,
            "access_token.introspection_endpoint",
            "https",
        ),
        (
            "  introspection_client_secret_env: ORDERS_API_CLIENT_SECRET\n",
            "",
            6,
            "access_token.introspection_client_secret_env",
            "required with introspection",
        ),
        (
            "  introspection_client_id_env: ORDERS_API_CLIENT_ID\n",
            "  introspection_client_id_env: my-client-id\n",
            8,
            "access_token.introspection_client_id_env",
            "never the value",
        ),
        (
            "cache_seconds: 120",
            "cache_seconds: 86400",
            10,
            "access_token.introspection_cache_seconds",
            "0 to 3600",
        ),
    ],
)
def test_introspection_errors_name_line_and_key(
    tmp_path: Path, old: str, new: str, line: int, key: str, fragment: str
) -> None:
    err = error_for(tmp_path, INTROSPECTION.replace(old, new))
    assert (err.line, err.key) == (line, key)
    assert fragment in str(err)
