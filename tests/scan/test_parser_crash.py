"""Files that crash libcst's native parser: listed under errors, every other file still scanned,
in scan, check, init, plan and apply (issue 10, point 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from samples import AUTH0_HS256_CONFIG

from idtoken_migrate.config.rulepack import load_rules
from idtoken_migrate.scan import isolate
from idtoken_migrate.scan.engine import ScanOptions, scan_bytes, scan_paths
from idtoken_migrate.scan.isolate import UNSAFE_PREFIX, IsolatedParser, WorkerSpec, screen

LEGACY = """\
import jwt
from flask import request


def current_user():
    token = request.headers["Authorization"].split()[1]
    return jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
"""
# Each names PyJWT's verification API, so the prefilter sends it to the parser.
HEAD = (
    "import jwt\n\n\ndef verify(token):\n"
    "    return jwt.decode(token, KEY, algorithms=['RS256'])\n\n\n"
)
CRASHERS = {
    # A lookup table generated as one expression of 12,000 terms.
    "gen/table.py": HEAD + "TABLE = " + " + ".join("1" for _ in range(12_000)) + "\n",
    # Brackets nested 3,000 deep (CPython itself stops at 200).
    "gen/nested.py": HEAD + "X = " + "[" * 3_000 + "]" * 3_000 + "\n",
    # An attribute chain of 20,000 links, split over lines inside parentheses.
    "gen/chain.py": HEAD + "Y = (a\n" + "    .b\n" * 20_000 + ")\n",
}


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "idtoken_migrate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def write_crashers(root: Path) -> None:
    for rel, text in CRASHERS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(LEGACY)
    (tmp_path / "idtoken-migrate.yaml").write_text(AUTH0_HS256_CONFIG)
    write_crashers(tmp_path)
    return tmp_path


def test_the_nested_file_does_crash_libcst(tmp_path: Path) -> None:
    """Without this the other tests would prove nothing: libcst must really die on it. (It dies
    on the table and the chain too, but only after minutes of work: 4.5 min for the table.)"""
    path = tmp_path / "f.py"
    path.write_text(CRASHERS["gen/nested.py"])
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import libcst, sys; libcst.parse_module(open(sys.argv[1], 'rb').read())",
            str(path),
        ],
        capture_output=True,
        timeout=300,
    )
    assert proc.returncode < 0, f"libcst no longer crashes on it (exit {proc.returncode})"


def _errors(payload: dict) -> dict[str, str]:
    return {e["path"]: e["message"] for e in payload["errors"]}


def test_scan_lists_them_and_reports_the_rest(project: Path) -> None:
    proc = run(project, "scan", ".", "--format", "json", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert [f["path"] for f in payload["findings"] if f["kind"] == "id-token-bearer"] == ["app.py"]
    errors = _errors(payload)
    assert set(errors) == set(CRASHERS)
    assert all(m.startswith(UNSAFE_PREFIX + ": ") for m in errors.values())
    assert "nested more than 200 deep at line 8" in errors["gen/nested.py"]
    assert "2,000 tokens without a separator at line 8" in errors["gen/table.py"]
    assert "2,000 tokens without a separator" in errors["gen/chain.py"]


def test_check_init_plan_and_apply_survive_them(project: Path) -> None:
    check = run(project, "check", ".", "--no-cache")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "Traceback" not in check.stderr
    plan = run(project, "plan", ".", "--format", "json")
    assert plan.returncode == 0, plan.stderr
    before = {rel: (project / rel).read_text() for rel in CRASHERS}
    apply = run(project, "apply", ".", "--phase", "dual", "--write")
    assert apply.returncode == 0, apply.stderr
    assert "jwt.decode(token, CLIENT_SECRET" not in (project / "app.py").read_text()
    assert {rel: (project / rel).read_text() for rel in CRASHERS} == before
    (project / "idtoken-migrate.yaml").unlink()
    init = run(project, "init", ".")
    assert init.returncode == 0, init.stderr
    assert (project / "idtoken-migrate.yaml").is_file()


def test_the_worker_pool_path_too(tmp_path: Path) -> None:
    # Enough files for worker processes; the crashers among them.
    for i in range(40):
        (tmp_path / f"m{i:02}.py").write_text(LEGACY)
    write_crashers(tmp_path)
    result = scan_paths([tmp_path], ScanOptions(jobs=2, root=tmp_path))
    assert len({f.path for f in result.findings}) == 40
    assert {e.path for e in result.errors} == set(CRASHERS)


@pytest.fixture
def screen_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the screen missed a shape that kills libcst (nesting kills it in well under 1 s)."""
    monkeypatch.setattr(isolate, "MAX_NESTING", 10**9)
    monkeypatch.setattr(isolate, "MAX_RUN", 10**9)


NESTED = CRASHERS["gen/nested.py"].encode()


def test_a_crash_the_screen_misses_costs_one_file(tmp_path: Path, screen_off: None) -> None:
    """The crasher kills a pool worker, and the pool with it; the files not answered yet are
    scanned one by one in a worker that is replaced when it dies."""
    for i in range(40):
        (tmp_path / f"m{i:02}.py").write_text(LEGACY)
    (tmp_path / "m20_nested.py").write_bytes(NESTED)
    result = scan_paths([tmp_path], ScanOptions(jobs=2, root=tmp_path))
    assert len({f.path for f in result.findings}) == 40
    (error,) = result.errors
    assert error.path == "m20_nested.py"
    assert error.message == f"{UNSAFE_PREFIX}: the parser crashed (signal 11) on this file"


def test_the_worker_is_replaced_after_a_crash_and_obeys_its_time_limit() -> None:
    rules = load_rules()
    with IsolatedParser(WorkerSpec(rules, True, 10**7)) as worker:
        crashed = worker.scan("t.py", NESTED, "why")  # the worker screens nothing itself
        assert crashed.error is not None
        assert crashed.error.message == f"{UNSAFE_PREFIX}: the parser crashed (signal 11) on why"
        fine = worker.scan("app.py", LEGACY.encode(), "why")
        assert [f.kind for f in fine.findings] == ["id-token-bearer"]
        assert worker.restarts == 1
    with IsolatedParser(WorkerSpec(rules, True, 10**7), timeout=0) as worker:
        slow = worker.scan("app.py", LEGACY.encode(), "a long statement")
        assert slow.error is not None
        assert slow.error.message.endswith("the parser took more than 0 s on a long statement")


def test_scan_bytes_on_its_own_is_protected_too(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = load_rules()
    refused = scan_bytes(CRASHERS["gen/table.py"].encode(), "t.py", rules)
    assert refused.error is not None
    assert refused.error.message.startswith(f"{UNSAFE_PREFIX}: an expression of more than")
    # A risky file goes to a worker of its own: here one that kills libcst.
    monkeypatch.setattr(isolate, "MAX_NESTING", 10**9)
    monkeypatch.setattr(isolate, "RISKY_TOKENS", 100)
    outcome = scan_bytes(NESTED, "t.py", rules)
    assert outcome.error is not None
    assert outcome.error.message == (
        f"{UNSAFE_PREFIX}: the parser crashed (signal 11) on a statement of 6,002 tokens at line 8"
    )


@pytest.mark.parametrize(
    ("source", "depth", "run", "tokens"),
    [
        ("x = 1\n", 0, 1, 3),
        ("f(a, [b, {c: (d)}])\n", 4, 4, 16),
        ("x = (1,\n     2)\ny = 3\n", 1, 2, 7),  # a logical line over two physical ones
        ("s = '((((('  # ((((\n", 0, 1, 3),  # brackets in strings and comments do not count
        ("L = [" + ", ".join(["1"] * 50_000) + "]\n", 1, 2, 100_003),  # long but flat
    ],
)
def test_screen_measures_depth_runs_and_logical_lines(
    source: str, depth: int, run: int, tokens: int
) -> None:
    shape = screen(source.encode())
    assert (shape.depth, shape.run, shape.tokens) == (depth, run, tokens)
    assert shape.refusal is None
    assert not shape.risky


def test_screen_sees_a_huge_statement_before_a_tokenizer_error() -> None:
    shape = screen(("x = " + " + ".join(["1"] * 5000) + "\ns = '''unterminated\n").encode())
    assert shape.run > isolate.MAX_RUN
    assert shape.refusal is not None
    broken = screen(b"x = 1\ns = '''never closed\n")
    assert broken.tokenize_error is not None
    assert broken.refusal is None
    assert broken.risky  # the tokenizer could not vouch for it: parsed in the worker
