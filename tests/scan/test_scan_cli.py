"""`idtoken-migrate scan` through the real CLI: bad files, discovery, formats, suppression."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from idtoken_migrate.cli import app

# A Flask view that verifies an HS256 ID token signed with the client secret: one id-token-bearer.
POSITIVE = """\
import jwt
from flask import request

CLIENT_ID = "abc123"
CLIENT_SECRET = "s3cret"


def current_user():
    token = request.headers["Authorization"].split()[1]
    claims = jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
    return claims["email"]
"""
POSITIVE_LINE = 10  # the line of `jwt.decode(` in POSITIVE

# The same shape validating an access token for an API: one access-token on the same line.
ACCESS = """\
import jwt
from flask import request

API_AUDIENCE = "https://api.example.com"
PUBLIC_KEY = open("issuer.pem").read()


def current_caller():
    token = request.headers["Authorization"].split()[1]
    claims = jwt.decode(token, PUBLIC_KEY, algorithms=["RS256"], audience=API_AUDIENCE)
    return claims["sub"]
"""

CONTRACT_KEYS = {
    "rule",
    "kind",
    "path",
    "line",
    "column",
    "end_line",
    "confidence",
    "library",
    "provider",
    "message",
    "evidence",
    "fingerprint",
}
KINDS = {"id-token-bearer", "unverified-decode", "id-token-login", "access-token", "ambiguous"}
TIMEOUT = 120


# --------------------------------------------------------------------------- helpers


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed entry point in a child process: real exit code, stdout and stderr apart."""
    env = {k: v for k, v in os.environ.items() if k not in ("IDTOKEN_MIGRATE_DEBUG", "CI")}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "idtoken_migrate", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def invoke(*args: str):
    """In process, through typer's CliRunner (stdout and stderr kept apart)."""
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result


def scan_json(*args: str) -> dict:
    result = invoke("scan", "--format", "json", "--no-cache", *args)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout)


def finding_sites(report: dict) -> set[tuple[str, int, str]]:
    return {(f["path"], f["line"], f["kind"]) for f in report["findings"]}


def finding_paths(report: dict) -> set[str]:
    return {f["path"] for f in report["findings"]}


# --------------------------------------------------------------------------- bad files


@pytest.fixture()
def messy_tree(tmp_path: Path) -> Path:
    root = tmp_path / "messy"
    write(root / "good" / "app.py", POSITIVE)
    write(root / "broken.py", "import jwt\n\n\ndef verify(token:\n    return jwt.decode(token)\n")
    write(root / "binary.py", b"import jwt\n\x00\x01\x02\xff\xfe" + bytes(range(256)) * 4)
    # Latin-1 bytes and no coding line: not UTF-8, so not Python source as the interpreter sees it.
    write(root / "latin1.py", b"# Caf\xe9 cr\xe8me\n" + POSITIVE.encode())
    # Same bytes with a PEP 263 coding line: valid source, and its finding must be reported.
    write(
        root / "latin1_declared.py",
        b"# -*- coding: latin-1 -*-\n# Caf\xe9 cr\xe8me\n" + POSITIVE.encode(),
    )
    big = "import jwt\n" + "".join(f"VALUE_{i} = {i}\n" for i in range(200_000))
    assert len(big) > 2 * 1024 * 1024
    write(root / "huge.py", big)
    return root


def test_bad_files_are_errors_and_the_scan_goes_on(messy_tree: Path) -> None:
    proc = cli("scan", str(messy_tree), "--format", "json", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    errors = {e["path"]: e["message"] for e in report["errors"]}
    assert set(errors) == {"broken.py", "binary.py", "latin1.py", "huge.py"}, errors
    assert all(isinstance(m, str) and m for m in errors.values())
    assert report["stats"]["errors"] == 4
    sites = finding_sites(report)
    assert ("good/app.py", POSITIVE_LINE, "id-token-bearer") in sites
    assert ("latin1_declared.py", POSITIVE_LINE + 2, "id-token-bearer") in sites


def test_max_file_size_option(messy_tree: Path) -> None:
    report = scan_json(str(messy_tree / "good"), "--max-file-size", "100")
    assert [e["path"] for e in report["errors"]] == ["app.py"]
    assert report["findings"] == []


def test_missing_path_is_exit_2_one_line(tmp_path: Path) -> None:
    proc = cli("scan", str(tmp_path / "does-not-exist"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "does-not-exist" in proc.stderr
    assert proc.stdout == ""
    in_process = invoke("scan", str(tmp_path / "does-not-exist"))
    assert in_process.exit_code == 2


def test_unknown_format_is_exit_2_one_line(tmp_path: Path) -> None:
    write(tmp_path / "app.py", POSITIVE)
    proc = cli("scan", str(tmp_path), "--format", "xml", "--no-cache")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


# --------------------------------------------------------------------------- discovery


def test_exclude_glob(tmp_path: Path) -> None:
    write(tmp_path / "app" / "views.py", POSITIVE)
    write(tmp_path / "vendor" / "lib" / "auth.py", POSITIVE)
    write(tmp_path / "app" / "sample_fixture.py", POSITIVE)
    report = scan_json(str(tmp_path), "--exclude", "vendor/", "--exclude", "*_fixture.py")
    assert finding_paths(report) == {"app/views.py"}
    assert report["stats"]["files"] == 1


def test_gitignore_and_default_excludes(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=30)
    write(root / ".gitignore", "generated/\n*.gen.py\n")
    write(root / "src" / ".gitignore", "local_*.py\n")
    write(root / "src" / "app.py", POSITIVE)
    for ignored in (
        "generated/client.py",
        "src/models.gen.py",
        "src/local_settings.py",
        ".venv/lib/python3.11/site-packages/authlib_shim.py",
        "node_modules/some-pkg/bin/helper.py",
        "build/lib/app.py",
        ".git/hooks/post_checkout.py",
    ):
        write(root / ignored, POSITIVE)
    report = scan_json(str(root))
    assert finding_paths(report) == {"src/app.py"}
    assert report["stats"]["files"] == 1


def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    root = tmp_path / "links"
    write(root / "pkg" / "app.py", POSITIVE)
    (root / "pkg" / "parent").symlink_to(root, target_is_directory=True)
    (root / "pkg" / "again").symlink_to(root / "pkg", target_is_directory=True)
    (root / "self_loop.py").symlink_to(root / "self_loop.py")
    (root / "a.py").symlink_to(root / "b.py")
    (root / "b.py").symlink_to(root / "a.py")
    proc = cli("scan", str(root), "--format", "json", "--no-cache")  # TIMEOUT guards a hang
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    bearer = [f for f in report["findings"] if f["kind"] == "id-token-bearer"]
    assert len(bearer) == 1, report["findings"]


# --------------------------------------------------------------------------- output


def test_output_file(tmp_path: Path) -> None:
    write(tmp_path / "src" / "app.py", POSITIVE)
    out = tmp_path / "reports" / "scan.json"
    proc = cli(
        "scan", str(tmp_path / "src"), "--format", "json", "--output", str(out), "--no-cache"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    report = json.loads(out.read_text(encoding="utf-8"))
    assert finding_sites(report) == {("app.py", POSITIVE_LINE, "id-token-bearer")}


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_each_format(tmp_path: Path, fmt: str) -> None:
    write(tmp_path / "app.py", POSITIVE)
    proc = cli("scan", str(tmp_path), "--format", fmt, "--no-cache")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.strip()
    assert "\x1b[" not in out, "colour escapes when stdout is not a terminal"
    if fmt == "text":
        assert re.search(rf"app\.py:{POSITIVE_LINE}:\d+: \S+ ", out), out
    elif fmt == "json":
        assert json.loads(out)["version"] == 1
    elif fmt == "sarif":
        sarif = json.loads(out)
        assert sarif["version"] == "2.1.0"
        results = sarif["runs"][0]["results"]
        assert results and all(r.get("partialFingerprints") for r in results)
    elif fmt == "github":
        assert any(line.startswith("::") for line in out.splitlines()), out
    elif fmt == "junit":
        assert ET.fromstring(out).tag in ("testsuites", "testsuite")


def test_json_contract(tmp_path: Path) -> None:
    write(tmp_path / "api" / "auth.py", POSITIVE)
    write(tmp_path / "api" / "orders.py", ACCESS)
    report = scan_json(str(tmp_path))
    assert report["version"] == 1
    assert set(report) >= {"version", "findings", "errors", "stats"}
    assert {"files", "prefiltered", "parsed", "suppressed", "errors"} <= set(report["stats"])
    assert len(report["findings"]) == 2
    for f in report["findings"]:
        assert set(f) >= CONTRACT_KEYS, CONTRACT_KEYS - set(f)
        assert f["kind"] in KINDS
        assert f["path"] in ("api/auth.py", "api/orders.py")
        assert "\\" not in f["path"] and not f["path"].startswith("/")
        assert isinstance(f["line"], int) and f["line"] == POSITIVE_LINE
        assert isinstance(f["column"], int) and f["column"] >= 1
        assert isinstance(f["end_line"], int) and f["end_line"] >= f["line"]
        assert f["confidence"] in ("high", "medium", "low")
        assert isinstance(f["library"], str) and f["library"]
        assert f["provider"] is None or isinstance(f["provider"], str)
        assert isinstance(f["message"], str) and f["message"]
        assert isinstance(f["evidence"], list) and f["evidence"]
        assert all(isinstance(e, str) for e in f["evidence"])
        assert isinstance(f["fingerprint"], str) and f["fingerprint"]
    assert len({f["fingerprint"] for f in report["findings"]}) == 2
    kinds = {f["path"]: f["kind"] for f in report["findings"]}
    assert kinds == {"api/auth.py": "id-token-bearer", "api/orders.py": "access-token"}


def test_fingerprint_survives_lines_inserted_above(tmp_path: Path) -> None:
    path = write(tmp_path / "app.py", POSITIVE)
    before = scan_json(str(tmp_path))["findings"]
    head, tail = POSITIVE.split("\n\n\n", 1)
    filler = "".join(f"UNRELATED_SETTING_{i} = {i}\n" for i in range(10))
    path.write_text(head + "\n" + filler + "\n\n" + tail, encoding="utf-8")
    after = scan_json(str(tmp_path))["findings"]
    assert len(before) == len(after) == 1
    assert after[0]["line"] == before[0]["line"] + 10
    assert after[0]["fingerprint"] == before[0]["fingerprint"]


# --------------------------------------------------------------------------- suppression

SITES = """\
import jwt
from flask import request

CLIENT_ID = "abc123"
CLIENT_SECRET = "s3cret"


def first():
    token = request.headers["Authorization"].split()[1]
    return jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID){c1}


def second():
    token = request.headers["Authorization"].split()[1]
    return jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID){c2}
"""
FIRST_LINE, SECOND_LINE = 10, 15


def sites(header: str = "", c1: str = "", c2: str = "") -> str:
    return header + SITES.format(c1=c1, c2=c2)


def test_suppression_comments(tmp_path: Path) -> None:
    probe = tmp_path / "probe"
    write(probe / "app.py", sites())
    plain = scan_json(str(probe))
    assert {(f["line"], f["kind"]) for f in plain["findings"]} == {
        (FIRST_LINE, "id-token-bearer"),
        (SECOND_LINE, "id-token-bearer"),
    }
    rule = plain["findings"][0]["rule"]
    assert plain["stats"]["suppressed"] == 0

    root = tmp_path / "suppressed"
    hdr = len("# idtoken-migrate: ignore-file\n".splitlines())
    write(
        root / "line_rule.py",
        sites(c1=f"  # idtoken-migrate: ignore[{rule}]", c2="  # idtoken-migrate: ignore[IDT999]"),
    )
    write(root / "line_bare.py", sites(c1="  # idtoken-migrate: ignore"))
    write(root / "file_bare.py", sites(header="# idtoken-migrate: ignore-file\n"))
    write(root / "file_rule.py", sites(header=f"# idtoken-migrate: ignore-file[{rule}]\n"))
    write(root / "file_other.py", sites(header="# idtoken-migrate: ignore-file[IDT999]\n"))
    report = scan_json(str(root))
    remaining = {(f["path"], f["line"]) for f in report["findings"]}
    assert remaining == {
        ("line_rule.py", SECOND_LINE),  # ignore[another rule] does not apply
        ("line_bare.py", SECOND_LINE),
        ("file_other.py", FIRST_LINE + hdr),
        ("file_other.py", SECOND_LINE + hdr),
    }
    # line_rule 1 + line_bare 1 + file_bare 2 + file_rule 2
    assert report["stats"]["suppressed"] == 6
