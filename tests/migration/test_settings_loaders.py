"""An app that loads .env into a dict (dotenv_values, the old dotenv.Dotenv, pydantic-settings
env_file, python-decouple) never exports it, while the verifier reads os.environ only: the plan
names the loading line, the verifier's variables and where they must be set instead. Apps that
export .env (load_dotenv, environs/django-environ read_env) get no such note."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from samples import AUTH0_HS256_FLOW_CONFIG, EMAIL_CLAIM_MAPPED

from idtoken_migrate.migration.plan import plan_project
from idtoken_migrate.migration.settings_loaders import settings_loaders, unexported_env_note

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "flask_auth0_hs256"
NAMES = ("IDTOKEN_MIGRATE_REJECT_ID_TOKENS", "AUTH0_CLIENT_SECRET")


@pytest.mark.parametrize(
    ("source", "kind", "exports", "line"),
    [
        (
            "from dotenv import dotenv_values\n\nconfig = dotenv_values('.env')\n",
            "dotenv_values",
            False,
            3,
        ),
        ("from dotenv import Dotenv\nenv = Dotenv('./.env')\n", "Dotenv", False, 2),
        (
            "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n"
            "class Settings(BaseSettings):\n"
            "    model_config = SettingsConfigDict(env_file='.env')\n",
            "pydantic-settings env_file",
            False,
            4,
        ),
        ("class Config:\n    env_file = '.env'\n", "pydantic-settings env_file", False, 2),
        (
            "from decouple import config\nSECRET = config('AUTH0_CLIENT_SECRET')\n",
            "python-decouple",
            False,
            1,
        ),
        ("from dotenv import load_dotenv\nload_dotenv()\n", "load_dotenv", True, 2),
        ("import environ\nenviron.Env.read_env('.env')\n", "read_env", True, 2),
    ],
)
def test_each_loader_is_recognised(source: str, kind: str, exports: bool, line: int) -> None:
    (loader,) = settings_loaders({"settings.py": source.encode()})
    assert (loader.kind, loader.exports, loader.line) == (kind, exports, line)


def test_a_commented_loader_or_none_says_nothing() -> None:
    assert settings_loaders({"a.py": b"# config = dotenv_values('.env')\nimport os\n"}) == []


def test_the_note_names_the_line_the_variables_and_where() -> None:
    loaders = settings_loaders({"settings.py": b"import dotenv\nenv = dotenv.dotenv_values()\n"})
    note = unexported_env_note(loaders, NAMES, "in serverless.yml under provider.environment")
    assert note == (
        "settings.py:2: the app reads .env into a dict, not os.environ; the verifier reads "
        "`IDTOKEN_MIGRATE_REJECT_ID_TOKENS`, `AUTH0_CLIENT_SECRET` from os.environ only, so a "
        "value in .env never reaches it: set them in serverless.yml under provider.environment"
    )
    both = settings_loaders({"a.py": b"values = dotenv_values()\n", "b.py": b"load_dotenv()\n"})
    assert unexported_env_note(both, NAMES, "anywhere") is None  # b.py exports it


def test_the_plan_says_where_the_kill_switch_must_be_set(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    shutil.copytree(FIXTURE, folder)
    settings = folder / "settings.py"
    text = settings.read_text()
    settings.write_text(
        "from dotenv import dotenv_values\n\nDOTENV = dotenv_values('.env')\n" + text
    )
    (folder / "idtoken-migrate.yaml").write_text(AUTH0_HS256_FLOW_CONFIG + EMAIL_CLAIM_MAPPED)
    _config, plan = plan_project(folder)
    (note,) = [r for r in plan.risks if "the app reads .env into a dict" in r]
    assert note.startswith("settings.py:3: ")
    assert "`IDTOKEN_MIGRATE_REJECT_ID_TOKENS`, `AUTH0_CLIENT_SECRET`" in note
    assert note.endswith(
        "in the process environment (the service's unit, container or CI "
        "secrets), or load .env with python-dotenv's `load_dotenv()` at start-up"
    )
    assert note in plan.manual_steps
    _config, strict = plan_project(folder, phase="strict")
    assert not [r for r in strict.risks if "reads .env" in r]  # strict reads no variable
