"""An app that loads .env into a dict (dotenv_values, the old dotenv.Dotenv, pydantic-settings
env_file, python-decouple) never exports it, while the verifier reads os.environ only: the plan
names the loading line, the verifier's variables and where they must be set instead. Apps that
export .env (load_dotenv, environs/django-environ read_env) get no such note."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from samples import AUTH0_HS256_FLOW_CONFIG, EMAIL_CLAIM_MAPPED

from idtoken_migrate.config.starter import render_starter_config
from idtoken_migrate.migration.plan import plan_project
from idtoken_migrate.migration.settings_loaders import (
    app_env_file,
    settings_loaders,
    unexported_env_note,
)
from idtoken_migrate.scan.engine import ScanOptions, scan_paths

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
    docstring = b'"""Settings: dotenv_values() gives a dict; env_file = ".env"."""\nimport os\n'
    assert settings_loaders({"a.py": docstring}) == []  # named in a string: loads nothing
    assert settings_loaders({"py2.py": b"print 'x'\nc = dotenv_values()\n"})[0].line == 2


def test_the_note_names_the_line_the_variables_and_where() -> None:
    loaders = settings_loaders({"settings.py": b"import dotenv\nenv = dotenv.dotenv_values()\n"})
    note = unexported_env_note(loaders, NAMES, "in serverless.yml under provider.environment")
    assert note == (
        "settings.py:2: the app reads .env into a dict, not os.environ; the verifier reads "
        "`IDTOKEN_MIGRATE_REJECT_ID_TOKENS`, `AUTH0_CLIENT_SECRET` from os.environ only, so a "
        "value in .env never reaches it: set them in serverless.yml under provider.environment; "
        "or set verifier.env_file: .env (the file settings.py:2 reads) and the verifier reads "
        "them from it too"
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
        "secrets), or load .env with python-dotenv's `load_dotenv()` at start-up; or set "
        "verifier.env_file: .env (the file settings.py:3 reads) and the verifier reads them "
        "from it too"
    )
    assert note in plan.manual_steps
    _config, strict = plan_project(folder, phase="strict")
    assert not [r for r in strict.risks if "reads .env" in r]  # strict reads no variable


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        ("app.py", "from dotenv import dotenv_values\nconfig = dotenv_values('.env')\n", ".env"),
        (
            "app.py",
            "import dotenv\nc = dotenv.dotenv_values(dotenv_path='./conf/.env')\n",
            "conf/.env",
        ),
        ("app/settings.py", "c = dotenv_values()\n", ".env"),  # found from app/ upward
        ("s.py", "import os\nenv = Dotenv(os.path.expanduser('~/.auth0.env'))\n", "~/.auth0.env"),
        ("s.py", "env = Dotenv('/home/uwsgi/.auth0.env')\n", "/home/uwsgi/.auth0.env"),
        ("s.py", "auth0env = pick()\nenv = Dotenv(auth0env)\n", None),
        (
            "api/config.py",
            "import os\nHERE = 1\n"
            "c = dotenv_values(os.path.join(os.path.dirname(os.path.abspath(__file__)), '.env'))\n",
            "api/.env",
        ),
        (
            "api/config.py",
            "from pathlib import Path\n"
            "c = dotenv_values(Path(__file__).resolve().parent / 'app.env')\n",
            "api/app.env",
        ),
        (
            "api/odoo.py",
            "BASE_DIR = os.path.dirname(os.path.abspath(__file__))\n"
            "env = dotenv_values(os.path.join(BASE_DIR, '.env'))\n",
            "api/.env",
        ),
        (
            "bot/handlers/admin.py",
            "d = dotenv_values(os.path.join(os.path.dirname(os.path.dirname(__file__)), '.env'))\n",
            "bot/.env",
        ),
        (
            "run.py",
            "e = dotenv_values(os.path.join(os.path.dirname(__file__), 'server', '.env'))\n",
            "server/.env",
        ),
        ("app.py", "ROOT = Path(__file__).parent\nc = dotenv_values(str(ROOT / '.env'))\n", ".env"),
        ("app.py", "c = dotenv_values(os.path.join(os.getcwd(), 'local.env'))\n", "local.env"),
        ("app.py", "c = dotenv_values('~/.env')\n", None),  # opened as written: no home
        (
            "config/config.py",
            "DIR_PATH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\n"
            "dotenv_path = os.path.join(DIR_PATH, '.env')\nENV = dotenv_values(dotenv_path)\n",
            ".env",
        ),
        ("api/c.py", "c = dotenv_values(Path(os.path.dirname(__file__), 'x.env'))\n", "api/x.env"),
        ("app.py", "BASE = 'a'\nBASE = 'b'\nc = dotenv_values(BASE)\n", None),  # bound twice
        ("c.py", "m = SettingsConfigDict(env_file='.env', extra='ignore')\n", ".env"),
        (
            "c.py",
            "class S(BaseSettings):\n    class Config:\n        env_file = 'prod.env'\n",
            "prod.env",
        ),
        ("c.py", "m = SettingsConfigDict(env_file=('.env', '.env.prod'))\n", None),
        ("c.py", "from decouple import config\nX = config('X')\n", ".env"),
        (
            "c.py",
            "from decouple import Config, RepositoryEnv\n"
            "config = Config(RepositoryEnv('deploy/.env'))\n",
            "deploy/.env",
        ),
        ("c.py", "from decouple import AutoConfig\nconfig = AutoConfig(search_path=HERE)\n", None),
        ("c.py", "c = dotenv_values(stream=io.StringIO(TEXT))\n", None),
    ],
)
def test_the_file_each_loader_reads(path: str, source: str, expected: str | None) -> None:
    (loader,) = settings_loaders({path: source.encode()})
    assert loader.env_file == expected


def test_a_loader_without_a_path_finds_the_nearest_env(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    files = {"app/settings.py": b"c = dotenv_values()\n"}
    assert settings_loaders(files, tmp_path)[0].env_file == ".env"
    (tmp_path / "app" / ".env.example").write_text("A=\n")  # the real .env is not committed
    assert settings_loaders(files, tmp_path)[0].env_file == "app/.env"
    decouple = {"app/settings.py": b"from decouple import config\n"}
    assert settings_loaders(decouple, tmp_path)[0].env_file == "app/.env"
    (tmp_path / "app" / "settings.ini").write_text("[settings]\n")  # decouple prefers it
    assert settings_loaders(decouple, tmp_path)[0].env_file is None


def test_the_app_env_file_is_one_literal_file_nothing_exports() -> None:
    one = settings_loaders(
        {"a.py": b"c = dotenv_values('.env')\n", "b.py": b"e = Dotenv('.env')\n"}
    )
    assert app_env_file(one) == one[0]
    two = settings_loaders(
        {"a.py": b"c = dotenv_values('.env')\n", "b.py": b"e = Dotenv('b.env')\n"}
    )
    assert app_env_file(two) is None
    unknown = settings_loaders({"a.py": b"c = dotenv_values(PATH)\n"})
    assert app_env_file(unknown) is None
    exported = settings_loaders({"a.py": b"c = dotenv_values('.env')\nload_dotenv()\n"})
    assert app_env_file(exported) is None


def _dotenv_app(tmp_path: Path, line: str = "DOTENV = dotenv_values('.env')") -> Path:
    folder = tmp_path / "app"
    shutil.copytree(FIXTURE, folder)
    settings = folder / "settings.py"
    settings.write_text(f"from dotenv import dotenv_values\n\n{line}\n" + settings.read_text())
    return folder


def test_init_writes_the_file_the_app_reads(tmp_path: Path) -> None:
    folder = _dotenv_app(tmp_path)
    text = render_starter_config(scan_paths([folder], ScanOptions()))
    assert '  # found: settings.py:3 reads .env into a dict\n  env_file: ".env"\n' in text
    home = _dotenv_app(tmp_path / "b", "DOTENV = Dotenv(os.path.expanduser('~/.auth0.env'))")
    text = render_starter_config(scan_paths([home], ScanOptions()))
    assert '\n  env_file: "~/.auth0.env"\n' in text or "\n  env_file: ~/.auth0.env\n" in text
    unknown = _dotenv_app(tmp_path / "c", "DOTENV = dotenv_values(os.environ['ENV_PATH'])")
    text = render_starter_config(scan_paths([unknown], ScanOptions()))
    assert "settings.py:3: .env read into a dict, from no one literal path" in text
    assert "\n  env_file: null\n" in text
    plain = render_starter_config(scan_paths([FIXTURE], ScanOptions()))
    assert "\n  env_file: null\n" in plain and "found:" not in plain


def test_the_plan_says_where_each_variable_is_read_from(tmp_path: Path) -> None:
    folder = _dotenv_app(tmp_path)
    config = AUTH0_HS256_FLOW_CONFIG + EMAIL_CLAIM_MAPPED + "verifier: {env_file: .env}\n"
    (folder / "idtoken-migrate.yaml").write_text(config)
    _config, plan = plan_project(folder)
    assert not [r for r in plan.risks if "reads .env" in r or "verifier.env_file" in r]
    whys = {e.name: e.why for e in plan.env}
    source = "; read from os.environ, then .env (verifier.env_file, as the app reads it at "
    source += "settings.py:3)"
    assert whys["AUTH0_CLIENT_SECRET"].endswith(source)
    assert whys["IDTOKEN_MIGRATE_REJECT_ID_TOKENS"].endswith(source)
    assert [f.path for f in plan.files if f.path.endswith(".env.example")] == [".env.example"]
    _config, strict = plan_project(folder, phase="strict")
    assert all(e.action == "remove" and "os.environ, then" not in e.why for e in strict.env)


def test_the_example_goes_beside_the_env_file_and_a_mismatch_is_a_risk(tmp_path: Path) -> None:
    folder = _dotenv_app(tmp_path, "DOTENV = dotenv_values('config/.env')")
    (folder / "config").mkdir()
    base = AUTH0_HS256_FLOW_CONFIG + EMAIL_CLAIM_MAPPED
    (folder / "idtoken-migrate.yaml").write_text(base + "verifier: {env_file: config/.env}\n")
    _config, plan = plan_project(folder)
    assert [f.path for f in plan.files if f.path.endswith(".env.example")] == [
        "config/.env.example"
    ]
    (folder / "idtoken-migrate.yaml").write_text(base + "verifier: {env_file: .env}\n")
    _config, plan = plan_project(folder)
    assert (
        "settings.py:3: the app reads config/.env, but verifier.env_file is .env: the verifier "
        "does not see what the app reads there"
    ) in plan.risks
