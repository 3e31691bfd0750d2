"""The project view: a verify helper's kind decided by its callers in other modules (issue 12,
class 4), without libcst ever parsing a file the prefilter rejected."""

from __future__ import annotations

from pathlib import Path

import libcst
import pytest

from idtoken_migrate.scan.engine import ScanOptions, scan_paths

HELPER = """\
import os

from google.auth.transport import requests
from google.oauth2 import id_token

CLIENT = os.environ["GOOGLE_CLIENT_ID"]


def verify_credential(credential):
    return id_token.verify_oauth2_token(credential, requests.Request(), CLIENT)
"""

LOGIN_VIEW = """\
from django.contrib.auth import login

from identity.google import verify_credential


def google_sign_in(request):
    info = verify_credential(request.POST["credential"])
    user = find_user(info["sub"])
    login(request, user)
    return redirect("/")
"""

BEARER_VIEW = """\
from fastapi import Depends

from identity.google import verify_credential


def current_user(authorization: str = Header(...)):
    return verify_credential(authorization.split()[1])


@app.get("/me")
def me(user=Depends(current_user)):
    return user
"""


def _project(tmp_path: Path, caller: str) -> Path:
    (tmp_path / "identity").mkdir()
    (tmp_path / "identity" / "google.py").write_text(HELPER)
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "views.py").write_text(caller)
    return tmp_path


@pytest.fixture
def parsed(monkeypatch) -> list[bytes]:
    seen: list[bytes] = []
    real = libcst.parse_module

    def spy(source, *args, **kwargs):
        seen.append(source if isinstance(source, bytes) else source.encode())
        return real(source, *args, **kwargs)

    monkeypatch.setattr(libcst, "parse_module", spy)
    return seen


def test_a_login_view_elsewhere_makes_the_helper_a_login(tmp_path: Path, parsed) -> None:
    root = _project(tmp_path, LOGIN_VIEW)
    result = scan_paths([root], ScanOptions(jobs=1))
    [finding] = result.findings
    assert (finding.path, finding.kind) == ("identity/google.py", "id-token-login")
    assert "web/views.py:6" in finding.evidence[0] and "login" in finding.evidence[0]
    assert LOGIN_VIEW.encode() not in parsed, "the caller was rejected by the prefilter"


def test_a_dependency_elsewhere_keeps_the_helper_a_bearer(tmp_path: Path, parsed) -> None:
    root = _project(tmp_path, BEARER_VIEW)
    result = scan_paths([root], ScanOptions(jobs=1))
    [finding] = result.findings
    assert (finding.path, finding.kind) == ("identity/google.py", "id-token-bearer")
    assert "Depends(current_user)" in " ".join(finding.evidence)
    assert BEARER_VIEW.encode() not in parsed


def test_without_callers_the_helper_stays_as_its_module_says(tmp_path: Path) -> None:
    (tmp_path / "google.py").write_text(HELPER)
    [finding] = scan_paths([tmp_path], ScanOptions(jobs=1)).findings
    assert finding.kind == "id-token-bearer"
    assert finding.facts.exported == ("verify_credential",)
