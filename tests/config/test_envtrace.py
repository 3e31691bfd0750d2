"""init's trace of the variable a setting comes from (issuer_env, audience_env, client_ids_env):
the environment variable's name, not the Python name it is bound to, in the shapes real apps use
(tests/corpus/SOURCES.md: os.environ / os.getenv module settings, pydantic-settings classes with
and without env_prefix, nested settings without a prefix)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from idtoken_migrate.config.envtrace import EnvSource, SettingsClasses, traced_env


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def trace(root: Path, expr: str, site: str = "auth.py") -> EnvSource | None:
    return traced_env(root, site, expr, SettingsClasses(root))


@pytest.mark.parametrize(
    ("expr", "name", "default"),
    [
        ('os.environ["ISSUER"]', "ISSUER", None),
        ('os.environ.get("POOL_CLIENT", "abc")', "POOL_CLIENT", "abc"),
        ('os.getenv("AUTH0_AUDIENCE")', "AUTH0_AUDIENCE", None),
        ('getenv("X", default="d")', "X", "d"),
        ('environ.get("COGNIT_REGION")', "COGNIT_REGION", None),  # a typo'd name is kept as is
    ],
)
def test_one_read_is_its_variable(
    tmp_path: Path, expr: str, name: str, default: str | None
) -> None:
    assert trace(tmp_path, expr) == EnvSource(name, default, "os.environ")


@pytest.mark.parametrize(
    "expr",
    [
        'os.environ.get("A") or "fallback"',  # more than the variable
        'f"https://{os.environ["DOMAIN"]}/"',  # a part of the value only
        "os.environ.get(NAME)",  # a name the text does not show
        "settings.ISSUER",
        "not python (",
    ],
)
def test_anything_more_is_no_whole_read(tmp_path: Path, expr: str) -> None:
    assert trace(tmp_path, expr) is None  # an empty project: nothing else can explain it


def test_a_module_binding_over_several_lines_with_an_fstring_default(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {
            "settings.py": """\
                import os
                REGION = os.environ.get("APP_REGION", "eu-central-1")
                POOL = os.getenv("APP_POOL", "eu-central-1_Zz9")
                ISSUER = os.environ.get(
                    "APP_ISSUER",
                    f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}",
                )
                CLIENT = os.environ["APP_CLIENT"]
                BUILT = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}"
            """,
            "auth.py": "import settings\nISS = settings.ISSUER\n",
        },
    )
    assert trace(root, "settings.ISSUER") == EnvSource(
        "APP_ISSUER",
        "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Zz9",
        "ISSUER in settings.py",
    )
    assert trace(root, "settings.CLIENT") == EnvSource("APP_CLIENT", None, "CLIENT in settings.py")
    assert trace(root, "settings.BUILT") is None  # two variables build it: no one variable
    assert trace(root, "ISS") is None  # bound in the site's file to no environment read


def test_pydantic_settings_fields(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {
            "app/config.py": """\
                from pydantic import Field
                from pydantic_settings import BaseSettings, SettingsConfigDict

                class Settings(BaseSettings):
                    model_config = SettingsConfigDict(env_file=".env", extra="ignore")
                    cognito_region: str = "eu-west-1"
                    cognito_app_client_id: str = "3n4b5urk1ft4"
                    issuer_url: str = Field("https://issuer.example/", alias="OIDC_ISSUER")

                class AuthSettings(BaseSettings):
                    model_config = SettingsConfigDict(env_prefix="auth0_")
                    audience: str

                class Cognito(BaseSettings):  # nested, no prefix: REGION, CLIENT_ID
                    client_id: str = ""

                settings = Settings()
            """,
            "app/auth.py": "",
        },
    )
    site = "app/auth.py"
    assert trace(root, "settings.cognito_app_client_id", site) == EnvSource(
        "COGNITO_APP_CLIENT_ID",
        "3n4b5urk1ft4",
        "Settings.cognito_app_client_id in config.py (pydantic-settings)",
    )
    assert trace(root, "get_settings().issuer_url", site).name == "OIDC_ISSUER"
    assert trace(root, "self.auth.audience", site).name == "AUTH0_AUDIENCE"
    assert trace(root, "config.cognito.client_id", site).name == "CLIENT_ID"
    assert trace(root, "settings.unknown_field", site) is None


def test_a_field_two_classes_define_differently_is_not_guessed(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {
            "a.py": "class A(BaseSettings):\n    client_id: str\n",
            "b.py": (
                "class B(BaseSettings):\n    model_config = {'env_prefix': 'STAGING_'}\n"
                "    client_id: str\n"
            ),
        },
    )
    assert trace(root, "settings.client_id") is None


def test_settings_in_a_virtual_environment_are_not_the_app_s(tmp_path: Path) -> None:
    root = project(tmp_path, {".venv/lib/x.py": "class S(BaseSettings):\n    client_id: str\n"})
    assert trace(root, "settings.client_id") is None
