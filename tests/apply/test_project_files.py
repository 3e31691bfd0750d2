"""Text edits of requirements.txt, pyproject.toml and .env.example: minimal and idempotent."""

from __future__ import annotations

import pytest

from migrate.codemods.project_files import (
    update_env_example,
    update_pyproject,
    update_requirements,
)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("flask\npyjwt>=2.8\n", "flask\npyjwt[crypto]>=2.13\n", id="pin"),
        pytest.param("PyJWT[crypto]==2.4.0  # old\n", "pyjwt[crypto]>=2.13  # old\n", id="comment"),
        pytest.param("flask\r\n", "flask\r\npyjwt[crypto]>=2.13\r\n", id="add-crlf"),
        pytest.param("flask", "flask\npyjwt[crypto]>=2.13\n", id="add-no-newline"),
        pytest.param("pyjwt[crypto]>=2.14\n", "pyjwt[crypto]>=2.14\n", id="newer-kept"),
    ],
)
def test_requirements(before, after):
    assert update_requirements(before) == after
    assert update_requirements(after) == after


def test_pyproject():
    text = '[project]\ndependencies = ["flask", "PyJWT>=2.0"]\n'
    new = update_pyproject(text)
    assert new == '[project]\ndependencies = ["flask", "pyjwt[crypto]>=2.13"]\n'
    assert update_pyproject(new) == new
    assert update_pyproject('[project]\ndependencies = ["flask"]\n') is None


def test_env_example_dual_then_strict():
    dual = update_env_example("DEBUG=0\n", "dual", "KILL", "SECRET")
    assert dual is not None
    assert dual.startswith("DEBUG=0\n") and "\nKILL=\n" in dual and "\nSECRET=\n" in dual
    assert update_env_example(dual, "dual", "KILL", "SECRET") == dual
    assert update_env_example(dual, "strict", "KILL", "SECRET") == "DEBUG=0\n"
    assert update_env_example(None, "strict", "KILL", "SECRET") is None
    assert update_env_example("SECRET=x\r\n", "dual", "KILL", "SECRET").endswith("KILL=\r\n")
