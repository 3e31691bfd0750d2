"""The wheel carries its rule packs and templates.

Build it, install it in a fresh virtual environment outside the checkout, run the console script.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

# builds a wheel and installs it into a fresh virtual environment
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 900

SAMPLE = """\
import jwt
from flask import request

CLIENT_ID = "abc123"
CLIENT_SECRET = "s3cret"


def current_user():
    token = request.headers["Authorization"].split()[1]
    claims = jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
    return claims["email"]
"""


def clean_env() -> dict[str, str]:
    """No trace of the checkout or of the test's own virtual environment."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "PIP_USER")
        and not k.startswith("IDTOKEN_MIGRATE")
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["NO_COLOR"] = "1"
    return env


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        cmd, cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=TIMEOUT
    )
    assert proc.returncode == 0, (
        f"{' '.join(cmd)} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    )
    return proc


def build_wheel(outdir: Path, cwd: Path) -> Path:
    if importlib.util.find_spec("hatchling") is not None:
        # The backend is already here: no isolated build environment to download.
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        run([*cmd, "--wheel-dir", str(outdir), str(REPO)], cwd)
    else:
        run([sys.executable, "-m", "build", "--wheel", "--outdir", str(outdir), str(REPO)], cwd)
    wheels = sorted(outdir.glob("idtoken_migrate-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    assert REPO not in work.parents, "the fresh environment must live outside the checkout"
    wheel = build_wheel(work / "dist", work)
    venv = work / "venv"
    run([sys.executable, "-m", "venv", str(venv)], work)  # no --system-site-packages
    python = venv / "bin" / "python"
    run([str(python), "-m", "pip", "install", "--quiet", "--retries", "5", str(wheel)], work)
    return venv


def test_wheel_ships_rules_and_templates(installed: Path, tmp_path: Path) -> None:
    probe = (
        "import json, idtoken_migrate, idtoken_migrate.resources as r; "
        "print(json.dumps([idtoken_migrate.__file__, str(r.rules_dir()), str(r.templates_dir())]))"
    )
    proc = run([str(installed / "bin" / "python"), "-c", probe], tmp_path)
    package, rules, templates = (Path(p) for p in json.loads(proc.stdout))
    for path in (package, rules, templates):
        assert installed in path.parents, f"{path} is not inside the fresh environment"
        assert REPO not in path.parents
    assert rules == package.parent / "rules" and rules.is_dir()
    assert templates == package.parent / "templates" and templates.is_dir()
    shipped = {p.name for p in rules.rglob("*.yaml")}
    in_repo = {p.name for p in (REPO / "rules").rglob("*.yaml")}
    assert shipped and shipped == in_repo, in_repo ^ shipped
    assert any(templates.rglob("*")), "templates/ shipped empty"


def test_installed_console_script_lists_rules(installed: Path, tmp_path: Path) -> None:
    proc = run([str(installed / "bin" / "idtoken-migrate"), "rules", "list"], tmp_path)
    out = proc.stdout
    assert re.search(r"\bIDT\d{3}\b", out), out
    assert "pyjwt" in out.lower(), out


def test_installed_console_script_scans(installed: Path, tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    sample.mkdir()
    (sample / "app.py").write_text(SAMPLE, encoding="utf-8")
    exe = str(installed / "bin" / "idtoken-migrate")
    proc = run([exe, "scan", "sample", "--format", "json", "--no-cache"], tmp_path)
    report = json.loads(proc.stdout)
    # Paths are relative to the working directory the folder was named from (as ruff's are).
    assert [(f["path"], f["line"], f["kind"]) for f in report["findings"]] == [
        ("sample/app.py", 10, "id-token-bearer")
    ]
    version = run(
        [str(installed / "bin" / "python"), "-m", "idtoken_migrate", "--version"], tmp_path
    )
    assert version.stdout.startswith("idtoken-migrate ")
