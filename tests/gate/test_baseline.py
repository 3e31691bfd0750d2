"""Baseline files: round trip, multiset matching by fingerprint, survival of line moves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from idtoken_migrate.gate.baseline import (
    Baseline,
    diff_baseline,
    load_baseline,
    save_baseline,
    updated_baseline,
)
from idtoken_migrate.model import UsageError
from idtoken_migrate.scan.engine import ScanOptions, scan_paths

from .conftest import finding, write_legacy_app


def test_round_trip(tmp_path: Path) -> None:
    baseline = Baseline.from_findings([finding("b", line=3), finding("a", path="z.py")])
    path = tmp_path / "baseline.json"
    save_baseline(path, baseline)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert data["tool_version"]
    assert set(data["entries"][0]) == {"fingerprint", "rule", "kind", "path", "line", "message"}
    assert load_baseline(path) == baseline


def test_identical_fingerprints_need_one_entry_each() -> None:
    baseline = Baseline.from_findings([finding("same")])
    diff = diff_baseline(baseline, [finding("same", line=10), finding("same", line=20)])
    assert diff.unchanged_count == 1
    assert [f.line for f in diff.new] == [20]  # the entry pairs with the closest finding
    assert diff.fixed == ()


def test_entry_no_longer_found_is_fixed() -> None:
    baseline = Baseline.from_findings([finding("a"), finding("b", path="app/admin.py")])
    diff = diff_baseline(baseline, [finding("a", line=99)])
    assert diff.unchanged_count == 1
    assert [(f.fingerprint, f.path) for f in diff.fixed] == [("b", "app/admin.py")]
    assert diff.new == ()


def test_entries_outside_the_scope_are_neither_fixed_nor_kept_out() -> None:
    old = Baseline.from_findings([finding("a"), finding("b", path="app/admin.py")])
    in_scope = {"app/auth.py"}.__contains__
    diff = diff_baseline(old, [finding("a")], in_scope)
    assert (diff.new, diff.fixed, diff.unchanged_count) == ((), (), 1)
    # Updating from a partial run keeps what it did not look at.
    new = updated_baseline(old, [], in_scope)
    assert [e.fingerprint for e in new.entries] == ["b"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{", "invalid baseline JSON"),
        ('{"version": 1}', "no 'entries' list"),
        ('{"version": 9, "entries": []}', "unsupported baseline version 9"),
        ('{"version": 1, "entries": [{"rule": "x"}]}', "entries[0]: invalid entry"),
    ],
)
def test_malformed_baseline_is_a_usage_error(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=r"b\.json") as caught:
        load_baseline(path)
    assert fragment in str(caught.value)


def test_missing_baseline_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="baseline not found"):
        load_baseline(tmp_path / "missing.json")


def _insert_above_every_finding(path: Path, lines: list[int], count: int = 10) -> None:
    source = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for line in sorted(lines, reverse=True):
        source[line - 1 : line - 1] = ["# an unrelated comment\n"] * count
    path.write_text("".join(source), encoding="utf-8")


def test_baseline_survives_ten_lines_inserted_above_every_finding(tmp_path: Path) -> None:
    root = write_legacy_app(tmp_path)
    before = scan_paths([root], ScanOptions(jobs=1))
    assert {f.kind for f in before.findings} >= {"id-token-bearer", "unverified-decode"}
    baseline = Baseline.from_findings(before.findings)

    by_file: dict[str, list[int]] = {}
    for f in before.findings:
        by_file.setdefault(f.path, []).append(f.line)
    for rel, lines in by_file.items():
        _insert_above_every_finding(root / rel, lines)

    after = scan_paths([root], ScanOptions(jobs=1))
    assert sorted(f.line for f in after.findings) != sorted(f.line for f in before.findings)
    diff = diff_baseline(baseline, after.findings)
    assert diff.new == ()
    assert diff.fixed == ()
    assert diff.unchanged_count == len(before.findings)


def test_fixed_finding_is_reported_as_fixed(tmp_path: Path) -> None:
    root = write_legacy_app(tmp_path)
    baseline = Baseline.from_findings(scan_paths([root], ScanOptions(jobs=1)).findings)
    (root / "app" / "admin.py").write_text("def current_admin():\n    return None\n")
    diff = diff_baseline(baseline, scan_paths([root], ScanOptions(jobs=1)).findings)
    assert [f.path for f in diff.fixed] == ["app/admin.py"]
    assert diff.fixed[0].kind == "unverified-decode"
    assert diff.new == ()
