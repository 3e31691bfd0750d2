"""issuer_env, access_token.audience_env, legacy_id_token.client_ids_env: validated like the
other keys (file:line: key: message, exit 2), in the schema, and in pyproject.toml too."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

from idtoken_migrate.config.file import ConfigError, load_config
from idtoken_migrate.resources import schema_path

CONFIG = textwrap.dedent(
    """\
    version: 1
    provider: cognito
    issuer: https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E
    issuer_env: COGNITO_ISSUER
    access_token:
      audience: [3n4b5urk1ft4fl3mg5e62d9ado]
      audience_env: COGNITO_APP_CLIENT_ID
    legacy_id_token:
      client_ids: [3n4b5urk1ft4fl3mg5e62d9ado]
      client_ids_env: COGNITO_APP_CLIENT_ID
    window:
      sunset: 2099-01-01
    """
)


def load(tmp_path: Path, text: str):
    path = tmp_path / "idtoken-migrate.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, tmp_path)


def error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    assert "\n" not in str(caught.value)
    return str(caught.value)


def test_the_keys_load_and_default_to_none(tmp_path: Path) -> None:
    config = load(tmp_path, CONFIG)
    assert config.issuer_env == "COGNITO_ISSUER"
    assert config.access_token.audience_env == "COGNITO_APP_CLIENT_ID"
    assert config.legacy_id_token.client_ids_env == "COGNITO_APP_CLIENT_ID"  # one variable, both
    bare = load(tmp_path, "\n".join(line for line in CONFIG.splitlines() if "_env" not in line))
    assert bare.issuer_env is None
    assert bare.access_token.audience_env is None
    assert bare.legacy_id_token.client_ids_env is None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "issuer_env: COGNITO_ISSUER",
            "issuer_env: https://cognito-idp.eu-west-1.amazonaws.com/pool",
            ":4: issuer_env: must be the name of an environment variable",
        ),
        (
            "  audience_env: COGNITO_APP_CLIENT_ID",
            "  audience_env: [A, B]",
            ":7: access_token.audience_env: must be a string, not a list",
        ),
        (
            "  client_ids_env: COGNITO_APP_CLIENT_ID",
            "  client_ids_env: ''",
            ":10: legacy_id_token.client_ids_env: must not be empty",
        ),
        (
            "  client_ids_env: COGNITO_APP_CLIENT_ID",
            "  client_ids_envs: COGNITO_APP_CLIENT_ID",
            ":10: legacy_id_token.client_ids_envs: unknown key (did you mean 'client_ids_env'?)",
        ),
        (
            "issuer_env: COGNITO_ISSUER",
            "issuer_env: IDTOKEN_MIGRATE_REJECT_ID_TOKENS",
            ":4: issuer_env: IDTOKEN_MIGRATE_REJECT_ID_TOKENS is already window.kill_switch_env",
        ),
        (
            "issuer_env: COGNITO_ISSUER",
            "issuer_env: COGNITO_APP_CLIENT_ID",
            ":7: access_token.audience_env: COGNITO_APP_CLIENT_ID is already issuer_env",
        ),
    ],
)
def test_mistakes_name_the_file_line_and_key(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in CONFIG
    message = error(tmp_path, CONFIG.replace(old, new))
    assert "idtoken-migrate.yaml" + expected in message, message


def test_pyproject_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        textwrap.dedent(
            """\
            [tool.idtoken-migrate]
            provider = "auth0"
            issuer = "https://t.eu.auth0.com/"
            issuer_env = "AUTH0_ISSUER"

            [tool.idtoken-migrate.access_token]
            audience = "https://api.example.com"
            audience_env = "API AUDIENCE"
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, tmp_path)
    message = str(caught.value)
    assert "pyproject.toml:8: tool.idtoken-migrate.access_token.audience_env: must be" in message


def test_the_schema_accepts_them_and_refuses_a_value_that_is_no_name() -> None:
    schema = json.loads(schema_path("config").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    document = json.loads(json.dumps(yaml.safe_load(CONFIG), default=str))
    assert not list(validator.iter_errors(document))
    document["issuer_env"] = "https://cognito-idp.eu-west-1.amazonaws.com/pool"
    assert list(validator.iter_errors(document))


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def init(tmp_path: Path, files: dict[str, str]) -> dict:
    from typer.testing import CliRunner

    from idtoken_migrate.cli import app as cli

    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    load_config(tmp_path / "idtoken-migrate.yaml", tmp_path)  # what init writes always loads
    return yaml.safe_load((tmp_path / "idtoken-migrate.yaml").read_text())


COGNITO_API = """\
    import requests
    from jose import jwt

    import settings

    def current_user(authorization):
        token = authorization.split(" ", 1)[1]
        keys = requests.get(settings.JWKS_URL, timeout=5).json()
        claims = jwt.decode(
            token, keys, algorithms=["RS256"],
            audience=settings.CLIENT_ID, issuer=settings.ISSUER,
        )
        if claims["token_use"] != "id":
            raise ValueError("not an ID token")
        return claims["email"]
"""


def test_init_fills_them_with_the_variables_the_code_reads(tmp_path: Path) -> None:
    config = init(
        tmp_path,
        {
            "api.py": COGNITO_API,
            "settings.py": """\
                import os
                REGION = os.environ.get("AWS_REGION", "eu-west-1")
                POOL = os.environ.get("USER_POOL_ID", "eu-west-1_Ab12Cd34E")
                CLIENT_ID = os.environ.get("APP_CLIENT_ID", "3n4b5urk1ft4fl3mg5e62d9ado")
                ISSUER = os.environ.get(
                    "TOKEN_ISSUER", f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}"
                )
                JWKS_URL = ISSUER + "/.well-known/jwks.json"
            """,
        },
    )
    assert config["provider"] == "cognito"
    assert config["issuer"] == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E"
    assert config["issuer_env"] == "TOKEN_ISSUER"  # the variable, not the name ISSUER
    assert config["legacy_id_token"]["client_ids"] == ["3n4b5urk1ft4fl3mg5e62d9ado"]
    assert config["legacy_id_token"]["client_ids_env"] == "APP_CLIENT_ID"
    # Cognito: the access tokens' client_id is the same app client
    assert config["access_token"]["audience"] == "3n4b5urk1ft4fl3mg5e62d9ado"
    assert config["access_token"]["audience_env"] == "APP_CLIENT_ID"


def test_init_leaves_them_null_when_no_one_variable_holds_the_value(tmp_path: Path) -> None:
    config = init(
        tmp_path,
        {
            "api.py": COGNITO_API,
            "settings.py": """\
                import os
                REGION = os.environ.get("AWS_REGION", "eu-west-1")
                POOL = os.environ.get("USER_POOL_ID", "eu-west-1_Ab12Cd34E")
                CLIENT_ID = "3n4b5urk1ft4fl3mg5e62d9ado"
                ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}"
                JWKS_URL = ISSUER + "/.well-known/jwks.json"
            """,
        },
    )
    assert config["issuer_env"] is None  # built from two variables
    assert config["legacy_id_token"]["client_ids_env"] is None  # a literal
    assert config["access_token"]["audience_env"] is None
