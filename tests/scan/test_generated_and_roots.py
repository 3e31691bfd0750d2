"""The scanner leaves the modules `apply` generates alone; relative roots give relative paths."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from idtoken_migrate.config import AccessTokenConfig, Config, LegacyIdTokenConfig, WindowConfig
from idtoken_migrate.scan.discover import discover
from idtoken_migrate.scan.engine import ScanOptions, scan_paths
from idtoken_migrate.verifier.render import render_verifier

COGNITO = Config(
    provider="cognito",
    issuer="https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf",
    access_token=AccessTokenConfig(audience=("app-client-1",)),
    legacy_id_token=LegacyIdTokenConfig(client_ids=("app-client-1",)),
    window=WindowConfig(sunset=dt.date(2027, 3, 1)),
)
LEGACY = (
    "import jwt\n"
    "def user(request):\n"
    "    return jwt.decode(request.headers['Authorization'], CLIENT_SECRET,\n"
    "                      algorithms=['HS256'], audience=CLIENT_ID)\n"
)


@pytest.mark.parametrize("phase", ["dual", "strict"])
def test_a_generated_verifier_is_not_a_site(tmp_path: Path, phase: str) -> None:
    (tmp_path / "token_verifier.py").write_text(render_verifier(COGNITO, phase))
    (tmp_path / "legacy.py").write_text(LEGACY)
    result = scan_paths([tmp_path], ScanOptions())
    assert [f.path for f in result.findings] == ["legacy.py"]
    assert (result.stats.files, result.stats.parsed, result.stats.prefiltered) == (2, 1, 1)


def test_relative_root_gives_relative_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "legacy.py").write_text(LEGACY)
    monkeypatch.chdir(tmp_path)
    assert [d.relpath for d in discover([Path(".")], Path("."))] == ["pkg/legacy.py"]
    result = scan_paths([Path("pkg/legacy.py")], ScanOptions(root=Path(".")))
    assert [f.path for f in result.findings] == ["pkg/legacy.py"]
    assert os.path.isabs(result.root)


def test_a_named_folder_is_scanned_even_if_a_gitignore_above_hides_it(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("/vendored/\n*_generated.py\n")
    vendored = tmp_path / "vendored"
    vendored.mkdir()
    (vendored / "legacy.py").write_text(LEGACY)
    (vendored / "x_generated.py").write_text(LEGACY)
    (vendored / ".gitignore").write_text("skip_me.py\n")
    (vendored / "skip_me.py").write_text(LEGACY)
    assert scan_paths([tmp_path], ScanOptions()).findings == ()  # ignored from the top
    found = [f.path for f in scan_paths([vendored], ScanOptions()).findings]
    # Named: scanned; the other rules (its own .gitignore, *_generated.py above) still apply.
    assert found == ["legacy.py"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_named_like_python_does_not_hang_the_scan(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "legacy.py").write_text(LEGACY)
    os.mkfifo(tmp_path / "pipe.py")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "idtoken_migrate",
            "scan",
            str(tmp_path),
            "--no-cache",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,  # before the fix: blocked forever reading the FIFO
    )
    assert proc.returncode == 0, proc.stderr
    assert '"path": "legacy.py"' in proc.stdout
