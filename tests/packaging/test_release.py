"""Releases: one version, named by every snippet users copy, recorded in the changelog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from idtoken_migrate import REPOSITORY_URL, __version__

REPO = Path(__file__).resolve().parents[2]
DOCS = ["README.md", "docs/ci.md", "docs/examples/github-workflow.yml"]
# Every place a snippet pins this project: pre-commit `rev:`, an action `uses: ...@`, a git URL.
_PINS = re.compile(
    r"rev:\s*(v[\w.]+)|idtoken-migrate/idtoken-migrate@(v[\w.]+)|idtoken-migrate\.git@(v[\w.]+)"
)


@pytest.mark.parametrize("name", DOCS)
def test_snippets_name_the_current_version(name: str) -> None:
    text = (REPO / name).read_text(encoding="utf-8")
    pins = [next(g for g in m.groups() if g) for m in _PINS.finditer(text)]
    assert pins, f"{name} pins no version"
    assert set(pins) == {f"v{__version__}"}, pins


def test_snippets_name_the_repository() -> None:
    for name in DOCS:
        text = (REPO / name).read_text(encoding="utf-8")
        assert "OWNER/" not in text, name
    assert REPOSITORY_URL in (REPO / "README.md").read_text(encoding="utf-8")


def test_the_version_is_single_sourced() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "idtoken_migrate/__init__.py"
    assert project["project"]["urls"]["Repository"] == REPOSITORY_URL


def test_the_changelog_has_the_current_version() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(__version__)}\b", changelog, re.M)
