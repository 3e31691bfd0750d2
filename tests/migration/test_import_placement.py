"""The verifier's import goes where isort / ruff (default settings) want it: the patched file
passes `ruff check --select I` (I001), after the docstring, `__future__` imports and module
dunders, in the first-party section, or the local one for a relative import."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest

from idtoken_migrate.migration.codemods.imports import add_import

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NEW = "from token_verifier import verify_token\n"
FIRST_PARTY = ("auth", "settings", "token_verifier", "zeta")


def placed(source: str, statement: str = NEW, first_party=FIRST_PARTY) -> str:
    line = cst.parse_statement(statement)
    assert isinstance(line, cst.SimpleStatementLine)
    return add_import(cst.parse_module(source), line, first_party).code


def ruff_isort_ok(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text)
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select", "I", name],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr + text


CASES = {
    "new-first-party-section": (
        '"""Doc."""\nimport os\n\nimport jwt\n\n\ndef f():\n    pass\n',
        '"""Doc."""\nimport os\n\nimport jwt\n\nfrom token_verifier import verify_token\n\n\n'
        "def f():\n    pass\n",
    ),
    "sorted-into-first-party": (
        "import jwt\n\nimport settings\nfrom auth import x\nfrom zeta import y\n\nA = 1\n",
        "import jwt\n\nimport settings\nfrom auth import x\nfrom token_verifier import "
        "verify_token\nfrom zeta import y\n\nA = 1\n",
    ),
    "after-dunders-no-imports": (
        '"""Doc."""\n\nfrom __future__ import annotations\n\n__author__ = "me"\n'
        "def f():\n    pass\n",
        '"""Doc."""\n\nfrom __future__ import annotations\n\n__author__ = "me"\n\n'
        "from token_verifier import verify_token\n\n\ndef f():\n    pass\n",
    ),
    "dunder-before-imports": (
        '__author__ = "me"\n\nimport os\n\nx = os.sep\n',
        '__author__ = "me"\n\nimport os\n\nfrom token_verifier import verify_token\n\nx = os.sep\n',
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_placement(name: str, tmp_path: Path) -> None:
    source, expected = CASES[name]
    (tmp_path / "token_verifier.py").write_text("def verify_token(t):\n    return t\n")
    (tmp_path / "settings.py").write_text("")
    (tmp_path / "auth.py").write_text("x = 1\n")
    (tmp_path / "zeta.py").write_text("y = 1\n")
    after = placed(source)
    assert after == expected
    ruff_isort_ok(tmp_path, "site.py", after)
    assert placed(after) == after  # already there: nothing added


def test_relative_import_goes_last(tmp_path: Path) -> None:
    source = "import jwt\n\nfrom pkg import settings\n\nfrom . import models\n\nA = 1\n"
    after = placed(source, "from .token_verifier import verify_token\n", ("pkg",))
    assert after == (
        "import jwt\n\nfrom pkg import settings\n\nfrom . import models\n"
        "from .token_verifier import verify_token\n\nA = 1\n"
    )


@pytest.mark.parametrize("name", ["flask_auth0_hs256", "flask_auth0_pyjwt1_b64"])
def test_migrated_fixtures_pass_their_own_isort(name: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from idtoken_migrate.cli import app as cli

    folder = tmp_path / name
    shutil.copytree(FIXTURES / name, folder)
    (folder / "idtoken-migrate.yaml").write_text(
        "version: 1\nprovider: auth0\nissuer: https://t.eu.auth0.com/\n"
        "access_token: {audience: https://api.example, algorithms: [RS256]}\n"
        "legacy_id_token: {client_ids: [spa], algorithms: [HS256], "
        "secret_env: AUTH0_CLIENT_SECRET}\nwindow: {sunset: 2099-01-01}\n"
    )
    args = ["apply", str(folder), "--phase", "dual", "--write", "--accept-risk", "unmapped-claims"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    patched = [p for p in folder.glob("*.py") if "verify_token(" in p.read_text()]
    assert patched
    for path in patched:
        ruff_isort_ok(folder, path.name, path.read_text())
