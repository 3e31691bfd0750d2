"""The GitHub Action: pinned actions, an isolated interpreter, args split without globbing."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import DEV_BIN, REPO, run, write_legacy_app

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
STEPS = ACTION["runs"]["steps"]
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def test_third_party_actions_are_pinned_by_full_sha_with_their_tag() -> None:
    text = (REPO / "action.yml").read_text(encoding="utf-8")
    uses = [step["uses"] for step in STEPS if "uses" in step]
    assert uses and all(PINNED.match(u) for u in uses), uses
    for u in uses:
        assert re.search(re.escape(u) + r" # v\d+\.\d+\.\d+", text), u
    names = {u.split("@")[0] for u in uses}
    assert "github/codeql-action/upload-sarif" in names
    upload = next(u for u in uses if u.startswith("github/codeql-action/"))
    assert re.search(re.escape(upload) + r" # v4\.", text)  # v3 is deprecated


def test_the_jobs_python_is_left_alone() -> None:
    setup = next(s for s in STEPS if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["update-environment"] is False
    install = next(s for s in STEPS if s.get("id") == "install")
    assert '"$PYTHON" -m venv "$VENV"' in install["run"]
    assert "PIP_CACHE_DIR" in install["env"]
    assert any(s.get("uses", "").startswith("actions/cache@") for s in STEPS)


def test_the_permissions_are_documented() -> None:
    text = (REPO / "action.yml").read_text(encoding="utf-8")
    ci = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    for permission in ("contents: read", "security-events: write", "actions: read"):
        assert permission in text and permission in ci


@pytest.mark.parametrize(
    "args",
    [
        "--exclude app/adm*.py",  # a shell would expand the glob into file names
        "--exclude 'app/adm*.py'",
        '--exclude "app/admin.py" --max-findings 5',
    ],
)
def test_args_are_split_but_never_glob_expanded(tmp_path: Path, args: str) -> None:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    repo = write_legacy_app(tmp_path / "repo")
    step = next(s for s in STEPS if s.get("id") == "check")
    outputs = tmp_path / "github_output"
    summary = tmp_path / "summary.md"
    env = {
        "IDTM_PYTHON": sys.executable,
        "CHECK_PATH": ".",
        "CHECK_CONFIG": "",
        "CHECK_BASELINE": "",
        "CHECK_ARGS": args,
        "SARIF_FILE": "idtoken-migrate.sarif",
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    done = run(["bash", "-e", "-c", step["run"]], repo, DEV_BIN, extra_env=env)
    assert done.returncode == 0, done.stderr
    assert outputs.read_text().strip() == "exit-code=1"
    results = json.loads((repo / "idtoken-migrate.sarif").read_text())["runs"][0]["results"]
    paths = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert paths == ["app/auth.py"]  # admin.py excluded, by the pattern itself
    assert "Gate: ❌ failed" in summary.read_text()


def test_a_usage_error_fails_the_step(tmp_path: Path) -> None:
    step = next(s for s in STEPS if s.get("id") == "check")
    env = {
        "IDTM_PYTHON": sys.executable,
        "CHECK_PATH": ".",
        "CHECK_CONFIG": "missing.yaml",
        "CHECK_BASELINE": "",
        "CHECK_ARGS": "",
        "SARIF_FILE": "out.sarif",
        "GITHUB_OUTPUT": str(tmp_path / "out"),
    }
    done = run(["bash", "-e", "-c", step["run"]], tmp_path, DEV_BIN, extra_env=env)
    assert done.returncode == 2
    assert (tmp_path / "out").read_text().strip() == "exit-code=2"
    unbalanced = run(
        ["bash", "-e", "-c", step["run"]], tmp_path, DEV_BIN, extra_env={**env, "CHECK_ARGS": "'x"}
    )
    assert unbalanced.returncode == 2 and "args:" in unbalanced.stdout
