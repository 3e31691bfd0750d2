"""Hostile trees (issue 10, point 6): every scan ends, in bounded memory, with a clear error where
one applies. (Symlink loops: tests/scan/test_scan_cli.py; a FIFO found by the walk:
tests/scan/test_generated_and_roots.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from idtoken_migrate.scan.engine import ScanOptions, read_source, scan_paths

VERIFIER = (
    "import jwt\n\n\ndef user(token):\n"
    "    return jwt.decode(token, options={'verify_signature': False})\n"
)
LIMIT_MB = 300  # far below any file here; a scan that read the 2 GB file would pass it


# Runs the CLI and, as it exits, writes the process's peak RSS to the file named by argv[1]: the
# memory high-water mark of this process image (VmHWM, which starts afresh at exec) or of any
# worker it reaped. ru_maxrss alone would not do: Linux carries the pre-exec high-water mark of
# the forking process (here a pytest worker that may have grown large) into the child's.
_MEASURED = """
import atexit, os, resource, sys
out = sys.argv.pop(1)
def peak():
    hwm = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:'))
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    open(out, 'w').write(str(max(hwm, kids)))
atexit.register(peak)
_exit = os._exit
os._exit = lambda code: (peak(), _exit(code))  # the CLI ends with os._exit: no atexit
from idtoken_migrate.cli import main
main()
"""


def scan_process(cwd: Path, *args: str) -> tuple[dict, int]:
    """Run `scan --format json` as a process; its JSON and its peak RSS in MB."""
    peak_file = cwd.parent / f"{cwd.name}.peak"
    cmd = [sys.executable, "-c", _MEASURED, str(peak_file), "scan", "--format", "json"]
    proc = subprocess.run([*cmd, "--no-cache", *args], cwd=cwd, capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout), int(peak_file.read_text()) // 1024


def errors(payload: dict) -> dict[str, str]:
    return {e["path"]: e["message"] for e in payload["errors"]}


def test_a_2_gb_file_is_never_read(tmp_path: Path) -> None:
    big = tmp_path / "huge.py"
    with open(big, "wb") as fh:  # sparse: 2 GB that take no disk
        fh.write(b"import jwt\n")
        fh.truncate(2 * 1024**3)
    (tmp_path / "app.py").write_text(VERIFIER)
    assert read_source(big, 2 * 1024 * 1024) == ("file too large (2147483648 bytes, limit 2097152)")
    payload, peak_mb = scan_process(tmp_path, ".")
    assert errors(payload) == {"huge.py": "file too large (2147483648 bytes, limit 2097152)"}
    assert [f["path"] for f in payload["findings"]] == ["app.py"]
    assert peak_mb < LIMIT_MB


def test_a_file_that_grows_past_the_limit_while_read_is_cut_off(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"x" * 100)
    assert read_source(path, 99) == "file too large (100 bytes, limit 99)"
    assert read_source(path, 100) == b"x" * 100


def test_lines_of_1_mb(tmp_path: Path) -> None:
    long_string = VERIFIER + "BLOB = '" + "a" * 1024**2 + "'\n"
    (tmp_path / "blob.py").write_text(long_string)
    long_sum = VERIFIER + "TOTAL = " + "x+" * (512 * 1024) + "x\n"
    (tmp_path / "sum.py").write_text(long_sum)
    result = scan_paths([tmp_path], ScanOptions(root=tmp_path))
    assert [f.path for f in result.findings] == ["blob.py"]  # a long line parses
    (error,) = result.errors
    assert error.path == "sum.py"
    assert error.message.startswith("could not be parsed safely: an expression of more than")


def test_200_nested_folders(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["d"] * 200)
    deep.mkdir(parents=True)
    (deep / "auth.py").write_text(VERIFIER)
    result = scan_paths([tmp_path], ScanOptions(root=tmp_path))
    assert [f.path for f in result.findings] == ["/".join(["d"] * 200) + "/auth.py"]
    assert result.errors == ()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_named_or_linked_never_blocks(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "link.py").symlink_to(tmp_path / "pipe.py")
    (tmp_path / "app.py").write_text(VERIFIER)
    assert read_source(tmp_path / "pipe.py", 100) == "not a regular file"
    payload, _ = scan_process(tmp_path, "pipe.py", "link.py", "app.py")
    assert [f["path"] for f in payload["findings"]] == ["app.py"]


@pytest.mark.slow
def test_100000_small_files(tmp_path: Path) -> None:
    for d in range(100):
        folder = tmp_path / f"pkg{d:02}"
        folder.mkdir()
        for f in range(1000):
            (folder / f"m{f:03}.py").write_bytes(b"x = 1\n")
    (tmp_path / "pkg42" / "auth.py").write_text(VERIFIER)
    result = scan_paths([tmp_path], ScanOptions(root=tmp_path))
    assert result.stats.files == 100_001
    assert [f.path for f in result.findings] == ["pkg42/auth.py"]
