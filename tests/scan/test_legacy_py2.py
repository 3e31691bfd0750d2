"""Python 2 files (issue 12, class 7): libcst cannot parse them, the lexical fallback reports their
sites at low confidence, `apply` leaves them alone, and `check` counts them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from idtoken_migrate.scan.engine import ScanOptions, scan_paths

PY2_API = """\
import jwt
from flask import request, g

CLIENT_ID = 'abc'


def requires_auth(f):
    def decorated(*args, **kwargs):
        token = request.headers['Authorization'].split()[1]
        try:
            g.user = jwt.decode(token, CLIENT_SECRET, audience=CLIENT_ID)
        except jwt.InvalidTokenError, e:
            print "rejected", e
            raise
        return f(*args, **kwargs)
    return decorated
"""


def test_a_python2_site_is_reported_at_low_confidence(tmp_path: Path) -> None:
    (tmp_path / "auth.py").write_text(PY2_API)
    result = scan_paths([tmp_path], ScanOptions(jobs=1))
    assert not result.errors
    [finding] = result.findings
    assert (finding.line, finding.kind, finding.confidence) == (11, "id-token-bearer", "low")
    assert (finding.facts.parser, finding.facts.apply) == ("lexical", "not-editable")
    assert any("apply` will not edit this file" in e for e in finding.evidence)


def test_check_fails_on_a_python2_site(tmp_path: Path) -> None:
    (tmp_path / "auth.py").write_text(PY2_API)
    run = subprocess.run(
        [sys.executable, "-m", "idtoken_migrate", "check", "--no-cache", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "auth.py:11" in run.stdout


def test_other_syntax_errors_stay_errors(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import jwt\n\ndef f(:\n    jwt.decode(t, k)\n")
    (tmp_path / "py2_no_site.py").write_text('import jwt\nprint "no verification here"\n')
    result = scan_paths([tmp_path], ScanOptions(jobs=1))
    assert not result.findings
    assert sorted(e.path for e in result.errors) == ["broken.py", "py2_no_site.py"]
