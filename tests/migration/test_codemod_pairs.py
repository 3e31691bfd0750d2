"""Each codemod's before/after pairs (tests/migration/cases, harness pairs.py); the registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from idtoken_migrate.migration.codemods import codemods, register

from .pairs import CASES, case_folders, check_case


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case, id=f"{name}/{case.name}")
        for name in codemods()
        for case in case_folders(name)
    ],
)
def test_pairs(case: Path, tmp_path: Path) -> None:
    check_case(case, tmp_path)


def test_every_case_folder_names_a_registered_codemod() -> None:
    assert {p.name for p in CASES.iterdir() if p.is_dir()} <= set(codemods())


def test_every_codemod_has_pairs() -> None:
    assert all(case_folders(name) for name in codemods())


def test_a_name_is_registered_once() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        register("replace-verify-call")(lambda source, edits: source)
    with pytest.raises(ValueError, match="registered twice"):
        register("manual")(lambda source, edits: source)
