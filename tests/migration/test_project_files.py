"""Text edits of requirements.txt, pyproject.toml and .env.example: minimal and idempotent."""

from __future__ import annotations

import pytest

from idtoken_migrate.migration.codemods.project_files import (
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
        pytest.param(
            "pyjwt-extensions==1.0\n",
            "pyjwt-extensions==1.0\npyjwt[crypto]>=2.13\n",
            id="other-package-untouched",
        ),
        pytest.param(
            "pyjwt-extensions==1.0\nPyJWT>=2.0\n",
            "pyjwt-extensions==1.0\npyjwt[crypto]>=2.13\n",
            id="other-package-beside",
        ),
        pytest.param("pyjwt>=2.8,<3\n", "pyjwt[crypto]>=2.13,<3\n", id="upper-bound-kept"),
        pytest.param("pyjwt[crypto]<3\n", "pyjwt[crypto]>=2.13,<3\n", id="only-upper-bound"),
        pytest.param("pyjwt>=2.8,<2.10\n", "pyjwt[crypto]>=2.13\n", id="conflicting-upper"),
        pytest.param("pyjwt ~= 2.8\n", "pyjwt[crypto]~=2.13\n", id="compatible-release"),
        pytest.param(
            'pyjwt==2.8.0; python_version >= "3.8"  # auth\n',
            'pyjwt[crypto]>=2.13; python_version >= "3.8"  # auth\n',
            id="marker-and-comment",
        ),
        pytest.param("pyjwt[dev]\n", "pyjwt[crypto,dev]>=2.13\n", id="extras-kept"),
        pytest.param("pyjwt @ https://x/pyjwt.whl\n", "pyjwt @ https://x/pyjwt.whl\n", id="url"),
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


PYPROJECT = """\
[project]
name = "api"
description = "an API on pyjwt>=1.0"
dependencies = [
    "flask",  # "pyjwt" in a comment
    "PyJWT>=2.0,<3 ; python_version >= '3.8'",
]
optional-dependencies.extra = ["pyjwt[crypto]>=2.1"]

[project.optional-dependencies]
auth = ['pyjwt']

[tool.other]
names = ["pyjwt==1.0"]

[build-system]
requires = ["pyjwt"]
"""


def test_pyproject_edits_only_dependency_arrays_and_keeps_bounds():
    new = update_pyproject(PYPROJECT)
    assert new == (
        PYPROJECT.replace("PyJWT>=2.0,<3 ; python", "pyjwt[crypto]>=2.13,<3 ; python")
        .replace('["pyjwt[crypto]>=2.1"]', '["pyjwt[crypto]>=2.13"]')
        .replace("['pyjwt']", "['pyjwt[crypto]>=2.13']")
    )
    assert update_pyproject(new) == new


@pytest.mark.parametrize(
    "text",
    [
        '[project]\ndependencies = ["pyjwt-extensions==1.0"]\n',
        '[project]\ndescription = "pyjwt"\ndependencies = []\n',
        '[tool.x]\ndependencies = ["pyjwt"]\n',
        '[project]\ndescription = """\n[project.optional-dependencies]\nx = ["pyjwt"]\n"""\n',
    ],
)
def test_pyproject_without_a_pyjwt_dependency(text):
    assert update_pyproject(text) is None


def test_env_example_dual_then_strict():
    dual = update_env_example("DEBUG=0\n", "dual", "KILL", "SECRET")
    assert dual is not None
    assert dual.startswith("DEBUG=0\n") and "\nKILL=\n" in dual and "\nSECRET=\n" in dual
    assert update_env_example(dual, "dual", "KILL", "SECRET") == dual
    assert update_env_example(dual, "strict", "KILL", "SECRET") == "DEBUG=0\n"
    assert update_env_example(None, "strict", "KILL", "SECRET") is None
    assert update_env_example("SECRET=x\r\n", "dual", "KILL", "SECRET").endswith("KILL=\r\n")
