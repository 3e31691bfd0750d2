"""The plan carries the edits it computed; `apply` writes those bytes, running no codemod, and
refuses a file whose bytes changed since the plan read them (never recomputing behind it)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli
from idtoken_migrate.migration import codemods as codemod_registry
from idtoken_migrate.migration.apply import compute, drive, propose, write_changes
from idtoken_migrate.migration.plan import (
    MIGRATE,
    Plan,
    build_plan,
    load_project_config,
    plan_project,
    scan_project,
)
from idtoken_migrate.model import UsageError

from .pairs import CASES, DEFAULT_CONFIG, HEAD

CODEMOD = "replace-verify-call"


def _site(name: str) -> str:
    return f"""

def {name}():
    token = request.headers["Authorization"][7:]
    try:
        return jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
    except jwt.InvalidTokenError:
        return None
"""


def _project(root: Path, sites: dict[str, tuple[str, ...]]) -> Path:
    (root / "idtoken-migrate.yaml").write_text(DEFAULT_CONFIG)
    for path, names in sites.items():
        (root / path).write_text(HEAD + "".join(_site(n) for n in names))
    return root


@pytest.fixture
def runs(monkeypatch) -> Counter:
    """How often each codemod runs (the registered function, wrapped)."""
    calls: Counter = Counter()
    registered = dict(codemod_registry.codemods())
    for name, codemod in registered.items():

        def counting(source, edits, _codemod=codemod, _name=name):
            calls[_name] += 1
            return _codemod(source, edits)

        monkeypatch.setitem(codemod_registry._REGISTRY, name, counting)
    return calls


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _without_edits(plan: Plan) -> Plan:
    sites = tuple(dataclasses.replace(s, after=None) for s in plan.sites)
    return dataclasses.replace(plan, sites=sites, file_edits=())


def test_the_plan_carries_each_sites_bytes_and_each_files_combined_bytes(tmp_path, runs):
    _project(tmp_path, {"api.py": ("first", "second"), "other.py": ("third",)})
    _config, plan = plan_project(tmp_path)
    assert [s.action for s in plan.sites] == [MIGRATE] * 3
    # One run per site, and one more for the file whose two sites go together.
    assert runs[CODEMOD] == 4
    edits = {e.path: e for e in plan.file_edits}
    assert sorted(edits) == ["api.py", "other.py"]
    for path, edit in edits.items():
        source = (tmp_path / path).read_bytes()
        assert edit.codemod == CODEMOD and edit.matches(source)
        assert edit.source_sha256 == hashlib.sha256(source).hexdigest()
    first, second, third = plan.sites
    combined = edits["api.py"].after
    assert combined is not None and combined.count(b"jwt.decode(") == 0
    assert combined.count(b"verify_token(token)") == 2
    # A site's own bytes migrate that site alone: the other one still calls jwt.decode.
    for site in (first, second):
        assert site.after is not None
        assert site.after.count(b"verify_token(token)") == 1
        assert site.after.count(b"jwt.decode(") == 1
    assert first.after != second.after
    # A file with one site: its combined bytes are that site's.
    assert edits["other.py"].after == third.after
    # The plan JSON has none of it.
    assert json.dumps(plan.to_json()) == json.dumps(_without_edits(plan).to_json())
    assert "after" not in plan.to_json()["sites"][0]


def test_what_a_site_keeps_comes_from_its_one_codemod_run(tmp_path, monkeypatch):
    """The plan's "kept ..." notes are the codemod's own report: no second transform."""
    from idtoken_migrate.migration.codemods import replace_verify_call

    transforms = []
    command = replace_verify_call._ReplaceVerifyCall
    real = command.transform_module
    monkeypatch.setattr(
        command, "transform_module", lambda self, tree: transforms.append(1) or real(self, tree)
    )
    case = CASES / CODEMOD / "helper-used-elsewhere"
    for name in ("api.py", "tools.py"):
        shutil.copy(case / name, tmp_path / name)
    (tmp_path / "idtoken-migrate.yaml").write_text(DEFAULT_CONFIG)
    _config, plan = plan_project(tmp_path)
    (site,) = plan.sites
    assert len(transforms) == 1
    assert [n for n in site.notes if n.startswith("kept ")]


def test_apply_writes_the_plans_bytes_without_running_a_codemod(tmp_path, runs):
    _project(tmp_path, {"api.py": ("first", "second"), "other.py": ("third",)})
    config, plan = plan_project(tmp_path)
    planned = runs[CODEMOD]
    result = compute(plan, config, tmp_path)
    assert runs[CODEMOD] == planned  # none in apply
    changes = {c.path: c for c in result.changes}
    for edit in plan.file_edits:
        assert changes[edit.path].after == edit.after
        assert changes[edit.path].before == (tmp_path / edit.path).read_bytes()
    assert len(result.migrated) == 3 and not result.skipped
    # The review: one proposal per site, each with that site's own bytes, and no codemod run.
    proposed = []

    def decide(proposal):
        if proposal.site is not None:
            proposed.append(proposal)
        return True

    drive(propose(plan, config, tmp_path), decide)
    assert [p.change.after for p in proposed] == [s.after for s in plan.sites]
    assert runs[CODEMOD] == planned


def test_a_review_that_accepts_part_of_a_file_runs_the_codemod_for_that_part_only(tmp_path, runs):
    _project(tmp_path, {"api.py": ("first", "second", "third")})
    config, plan = plan_project(tmp_path)
    planned = runs[CODEMOD]
    first, second, third = plan.sites

    def only(*wanted):
        return lambda p: p.site is None or p.site in wanted

    result = drive(propose(plan, config, tmp_path), only(second))
    assert runs[CODEMOD] == planned  # one site: its own bytes
    assert {c.path: c.after for c in result.changes}["api.py"] == second.after
    result = drive(propose(plan, config, tmp_path), only(first, third))
    assert runs[CODEMOD] == planned + 1  # a subset the plan cannot hold
    after = {c.path: c.after for c in result.changes}["api.py"]
    assert after.count(b"verify_token(token)") == 2 and after.count(b"jwt.decode(") == 1
    assert result.migrated == (first.location, third.location)


def test_a_file_changed_after_the_plan_is_refused_with_the_reason(tmp_path, runs):
    _project(tmp_path, {"api.py": ("first",), "other.py": ("second",)})
    config, plan = plan_project(tmp_path)
    planned = runs[CODEMOD]
    edited = (tmp_path / "api.py").read_text() + "\n\ndef added():\n    return 1\n"
    (tmp_path / "api.py").write_text(edited)
    result = compute(plan, config, tmp_path)
    assert runs[CODEMOD] == planned  # not recomputed either
    assert [(s.location, s.reason) for s in result.skipped] == [
        (plan.sites[0].location, "api.py changed since the plan was computed; run apply again")
    ]
    assert "api.py" not in result.paths() and "other.py" in result.paths()
    (tmp_path / "other.py").unlink()
    result = compute(plan, config, tmp_path)
    assert [s.reason for s in result.skipped][1].startswith("other.py: cannot read it (")


def test_the_cli_refuses_a_file_changed_between_plan_and_apply_and_writes_nothing(
    tmp_path, monkeypatch
):
    _project(tmp_path, {"api.py": ("first",)})
    from idtoken_migrate.migration import plan as planning

    real = planning.plan_project

    def plan_then_edit(*args, **kwargs):
        planned = real(*args, **kwargs)
        with (tmp_path / "api.py").open("a") as handle:
            handle.write("# edited meanwhile\n")
        return planned

    monkeypatch.setattr(planning, "plan_project", plan_then_edit)
    expected = _tree(tmp_path)
    expected["api.py"] += b"# edited meanwhile\n"
    result = CliRunner().invoke(cli, ["apply", str(tmp_path), "--write"])
    assert result.exit_code == 0, result.output
    assert "api.py changed since the plan was computed; run apply again" in result.stderr
    assert "0 site(s) migrated, 0 files changed" in result.stderr
    assert _tree(tmp_path) == expected


def test_a_file_edited_during_the_review_is_refused_and_nothing_is_written(tmp_path):
    _project(tmp_path, {"api.py": ("first",), "other.py": ("second",)})
    config, plan = plan_project(tmp_path)

    def edit_while_reviewing(proposal):
        if proposal.site is plan.sites[0]:  # other.py's turn comes next: refused then
            with (tmp_path / "other.py").open("a") as handle:
                handle.write("# edited during the review\n")
        return True

    result = drive(propose(plan, config, tmp_path), edit_while_reviewing)
    assert [s.reason for s in result.skipped] == [
        "other.py changed since the plan was computed; run apply again"
    ]
    assert "api.py" in result.paths() and "other.py" not in result.paths()

    def edit_the_reviewed_file(proposal):
        if proposal.site is plan.sites[0]:
            with (tmp_path / "api.py").open("a") as handle:
                handle.write("# edited during its own review\n")
        return True

    (tmp_path / "other.py").write_text(HEAD + _site("second"))
    config, plan = plan_project(tmp_path)
    result = drive(propose(plan, config, tmp_path), edit_the_reviewed_file)
    assert "api.py" in result.paths()
    before = _tree(tmp_path)
    with pytest.raises(UsageError, match=r"^api\.py: changed since apply read it; no file"):
        write_changes(tmp_path, result.changes)
    assert _tree(tmp_path) == before


def test_a_plan_parses_and_resolves_each_site_file_once(tmp_path, monkeypatch):
    """Every codemod run of a file (per site, all together) and its `except` analysis share one
    parse and one scope analysis of its bytes (the scan's own parse aside)."""
    import libcst
    from libcst.metadata import ScopeProvider

    _project(tmp_path, {"api.py": ("first", "second", "third"), "other.py": ("fourth",)})
    config = load_project_config(tmp_path, None)
    result = scan_project(tmp_path, config)
    parses: Counter[bytes] = Counter()
    real_parse = libcst.parse_module
    monkeypatch.setattr(
        libcst, "parse_module", lambda source: parses.update([source]) or real_parse(source)
    )
    scoped: Counter[bytes] = Counter()  # the source of each tree a scope analysis ran on
    real_visit = ScopeProvider.visit_Module

    def visit_Module(self, node):  # the name libcst's batched visitor looks for
        scoped.update([node.bytes])
        return real_visit(self, node)

    monkeypatch.setattr(ScopeProvider, "visit_Module", visit_Module)
    plan = build_plan(result, config, tmp_path)
    assert [s.action for s in plan.sites] == [MIGRATE] * 4
    assert len(plan.file_edits) == 2 and all(e.after for e in plan.file_edits)
    for name in ("api.py", "other.py"):
        source = (tmp_path / name).read_bytes()
        assert (parses[source], scoped[source]) == (1, 1), name


def test_unused_imports_are_looked_for_only_when_an_edit_may_have_left_one(tmp_path, monkeypatch):
    """libcst's RemoveImportsVisitor (a scope analysis of the edited file) runs only for a run
    whose edit may have taken the last read of an import: not when `jwt` is still read by the
    code left in place (`except jwt.InvalidTokenError`), and when it is not, `import jwt` goes."""
    from libcst.codemod.visitors import RemoveImportsVisitor

    removals: list[int] = []
    real = RemoveImportsVisitor.transform_module
    monkeypatch.setattr(
        RemoveImportsVisitor,
        "transform_module",
        lambda self, tree: removals.append(1) or real(self, tree),
    )
    _project(tmp_path, {"api.py": ("first", "second")})
    _config, plan = plan_project(tmp_path)
    assert [s.action for s in plan.sites] == [MIGRATE] * 2 and removals == []
    assert b"\nimport jwt\n" in plan.file_edits[0].after
    last = (
        "def only():\n    return jwt.decode(request.args['t'], CLIENT_SECRET, algorithms=['HS256'])"
    )
    (tmp_path / "api.py").write_text(f"{HEAD}\n\n{last}\n")
    _config, plan = plan_project(tmp_path)
    (site,) = plan.sites
    assert site.action == MIGRATE and len(removals) == 1
    assert b"import jwt" not in site.after and b"verify_token(request.args['t'])" in site.after
