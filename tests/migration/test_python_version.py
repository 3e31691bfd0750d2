"""A Python 2 code base, or one whose declared Python is older than the verifier supports
(3.9, for PyJWT >= 2.13), is refused with the reason before anything is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from samples import AUTH0_HS256_FLOW_CONFIG, EMAIL_CLAIM_MAPPED
from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli
from idtoken_migrate.migration.pyversion import python_refusal

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CONFIG = AUTH0_HS256_FLOW_CONFIG + EMAIL_CLAIM_MAPPED


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_python2_app_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    shutil.copytree(FIXTURES / "flask_py2_legacy", folder)
    (folder / "idtoken-migrate.yaml").write_text(CONFIG)
    before = _snapshot(folder)
    code, _out, err = run("apply", str(folder), "--phase", "dual", "--write")
    assert code == 2
    assert "app.py is Python 2 code: the generated verifier needs Python >= 3.9" in err
    assert _snapshot(folder) == before
    code, out, _err = run("plan", str(folder))
    assert "apply cannot run: app.py is Python 2 code" in out


@pytest.mark.parametrize(
    ("name", "text", "refused"),
    [
        ("pyproject.toml", '[project]\nname = "x"\nrequires-python = ">=3.7"\n', "3.7"),
        ("pyproject.toml", '[project]\nname = "x"\nrequires-python = ">=3.10,<4"\n', None),
        ("setup.py", 'setup(name="x", python_requires=">=2.7, !=3.0.*")\n', "2.7"),
        ("setup.cfg", "[options]\npython_requires = >=3.6\n", "3.6"),
        ("Pipfile", '[requires]\npython_version = "3.8"\n', "3.8"),
        ("runtime.txt", "python-2.7.18\n", "2.7.18"),
        (".python-version", "3.12.1\n", None),
    ],
)
def test_declared_python(tmp_path: Path, name: str, text: str, refused: str | None) -> None:
    (tmp_path / name).write_text(text)
    reason = python_refusal(tmp_path)
    if refused is None:
        assert reason is None
    else:
        assert reason is not None and reason.startswith(f"{name} declares Python ")
        assert refused in reason and "needs Python >= 3.9" in reason
