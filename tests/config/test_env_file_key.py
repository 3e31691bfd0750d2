"""verifier.env_file: the .env file an app reads without exporting it. Validated like the other
keys (file:line: key: message, exit 2), in the JSON schema and in pyproject.toml too."""

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
    provider: auth0
    issuer: https://tenant.eu.auth0.com/
    access_token:
      audience: https://api.example.com
    legacy_id_token:
      client_ids: [abcDEF123]
      algorithms: [HS256]
      secret_env: AUTH0_CLIENT_SECRET
    verifier:
      env_file: .env
    """
)


def load(tmp_path: Path, text: str):
    path = tmp_path / "idtoken-migrate.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, tmp_path)


@pytest.mark.parametrize("value", [".env", "config/app.env", "~/.auth0.env", "/etc/app/.env"])
def test_a_path_loads_as_written(tmp_path: Path, value: str) -> None:
    config = load(tmp_path, CONFIG.replace("env_file: .env", f"env_file: {value}"))
    assert config.verifier.env_file == value


def test_without_it_the_verifier_reads_os_environ_only(tmp_path: Path) -> None:
    config = load(tmp_path, CONFIG.replace("verifier:\n  env_file: .env\n", ""))
    assert config.verifier.env_file is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("''", ":11: verifier.env_file: must not be empty"),
        ("[.env]", ":11: verifier.env_file: must be a string, not a list"),
        ("$HOME/.env", ":11: verifier.env_file: '$HOME/.env': a plain path (nothing in it is"),
        ("'%APPDATA%/.env'", ":11: verifier.env_file: '%APPDATA%/.env': a plain path"),
        ("~deploy/.env", ":11: verifier.env_file: '~deploy/.env': only ~/ (your home) is"),
        ("config/", ":11: verifier.env_file: 'config/' is a folder, not a file"),
        ('"a\\tb"', ":11: verifier.env_file: 'a\\tb': a plain path"),
    ],
)
def test_mistakes_name_the_file_line_and_key(tmp_path: Path, value: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, CONFIG.replace("env_file: .env", f"env_file: {value}"))
    message = str(caught.value)
    assert "\n" not in message
    assert "idtoken-migrate.yaml" + expected in message, message


def test_an_unknown_key_in_the_section_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r":11: verifier.envfile: unknown key \(did you mean"):
        load(tmp_path, CONFIG.replace("env_file:", "envfile:"))


def test_pyproject_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        textwrap.dedent(
            """\
            [tool.idtoken-migrate]
            provider = "auth0"
            issuer = "https://t.eu.auth0.com/"

            [tool.idtoken-migrate.verifier]
            env_file = "~other/.env"
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, tmp_path)
    assert "pyproject.toml:6: tool.idtoken-migrate.verifier.env_file: '~other/.env'" in str(
        caught.value
    )


def test_the_schema_accepts_a_path_and_refuses_what_is_none() -> None:
    validator = jsonschema.Draft7Validator(
        json.loads(schema_path("config").read_text(encoding="utf-8"))
    )
    document = yaml.safe_load(CONFIG)
    for good in (".env", "~/.auth0.env", "/etc/app.env", "a"):
        document["verifier"]["env_file"] = good
        assert not list(validator.iter_errors(document)), good
    for bad in ("$HOME/.env", "~deploy/.env", "config/", 3):
        document["verifier"]["env_file"] = bad
        assert list(validator.iter_errors(document)), bad
    document["verifier"] = {"env_files": ".env"}
    assert list(validator.iter_errors(document))
