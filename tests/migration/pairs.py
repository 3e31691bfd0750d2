"""Before/after pairs for the codemods, as django-upgrade's fixer tools and LibCST's assertCodemod.

A case is a folder `tests/migration/cases/<codemod>/<case>/` holding the legacy project as it is
(`api.py`, and any other file it needs) and what the migration must make of it: `api.after.py`, the
whole expected file, or `unsafe.txt`, the reason the site is left untouched. An optional
`idtoken-migrate.yaml` replaces the default config below. The harness runs the real scan, plan and
codemod and compares whole files, so a changed byte anywhere is a failure.

Refresh the expected files after a deliberate change with
`IDTOKEN_MIGRATE_UPDATE_GOLDEN=1 python -m pytest tests/migration -k pairs`, then read the diff.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from idtoken_migrate.migration.apply import compute
from idtoken_migrate.migration.plan import MIGRATE, UNSAFE, plan_project

CASES = Path(__file__).parent / "cases"
PATCHED = "api.py"
DEFAULT_CONFIG = """version: 1
provider: auth0
issuer: https://t.eu.auth0.com/
access_token: {audience: https://api.example, algorithms: [RS256]}
legacy_id_token: {client_ids: [spa-client], algorithms: [HS256], secret_env: CLIENT_SECRET}
window: {sunset: 2099-01-01}
"""
# The head of the one-file legacy API that `migrate_source` completes with a test's body.
HEAD = """import os

import jwt
from flask import request

CLIENT_ID = os.environ["CLIENT_ID"]
CLIENT_SECRET = os.environ["CLIENT_SECRET"]
"""
_EXPECTED = ("api.after.py", "unsafe.txt")


@dataclass(frozen=True)
class Outcome:
    action: str
    why: str
    after: str  # api.py after the migration (unchanged when the site is left alone)


def case_folders(codemod: str) -> list[Path]:
    return sorted(p for p in (CASES / codemod).iterdir() if p.is_dir())


def migrate_case(case: Path, workdir: Path) -> Outcome:
    """Copy the case's legacy files into `workdir` and migrate them (phase dual), in memory."""
    for source in case.iterdir():
        if source.name not in _EXPECTED:
            shutil.copy(source, workdir / source.name)
    return _migrate(workdir)


def migrate_source(workdir: Path, body: str) -> tuple[str, str, str]:
    """Migrate `HEAD + body` as the project's only file: (action, why, the file after)."""
    (workdir / PATCHED).write_text(HEAD + body, encoding="utf-8")
    outcome = _migrate(workdir)
    return outcome.action, outcome.why, outcome.after


def _migrate(workdir: Path) -> Outcome:
    if not (workdir / "idtoken-migrate.yaml").exists():
        (workdir / "idtoken-migrate.yaml").write_text(DEFAULT_CONFIG, encoding="utf-8")
    config, plan = plan_project(workdir)
    assert len(plan.sites) == 1, plan.sites
    site = plan.sites[0]
    changes = {c.path: c.after.decode() for c in compute(plan, config, workdir).changes}
    after = changes.get(PATCHED) or (workdir / PATCHED).read_text(encoding="utf-8")
    cst.parse_module(after)  # a codemod never emits invalid Python
    return Outcome(site.action, site.why, after)


def check_case(case: Path, workdir: Path) -> None:
    """The migration of `case` gives exactly its expected file, or leaves it with its reason."""
    outcome = migrate_case(case, workdir)
    before = (case / PATCHED).read_text(encoding="utf-8")
    if os.environ.get("IDTOKEN_MIGRATE_UPDATE_GOLDEN"):
        _update(case, outcome)
    if (case / "unsafe.txt").exists():
        assert outcome.action == UNSAFE, outcome
        assert outcome.why == (case / "unsafe.txt").read_text(encoding="utf-8").strip()
        assert outcome.after == before
        return
    assert outcome.action == MIGRATE, outcome
    assert outcome.after == (case / "api.after.py").read_text(encoding="utf-8")
    (workdir / PATCHED).write_text(outcome.after, encoding="utf-8")
    _config, again = plan_project(workdir)  # a second apply changes nothing
    assert not [s for s in again.sites if s.action == MIGRATE], again.sites


def _update(case: Path, outcome: Outcome) -> None:
    for name in _EXPECTED:
        (case / name).unlink(missing_ok=True)
    if outcome.action == UNSAFE:
        (case / "unsafe.txt").write_text(outcome.why + "\n", encoding="utf-8")
    else:
        (case / "api.after.py").write_text(outcome.after, encoding="utf-8")
