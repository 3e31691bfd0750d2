"""`plan --resolve`: pip's resolver, run on the migrated requirement files, reports what the
offline check cannot know: a pinned package whose own metadata excludes PyJWT >= 2.13. The
package is a wheel built here (no network for it); pip finds PyJWT and cryptography through its
configured index, so the test is slow."""

from __future__ import annotations

import base64
import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest
from samples import AUTH0_HS256_FLOW_CONFIG, EMAIL_CLAIM_MAPPED
from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli

pytestmark = pytest.mark.slow
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "flask_auth0_hs256"


def wheel(folder: Path, name: str, version: str, requires: list[str]) -> Path:
    """A minimal pure-Python wheel whose metadata requires `requires`."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": "",
        f"{dist}/METADATA": "Metadata-Version: 2.1\nName: {}\nVersion: {}\n{}".format(
            name, version, "".join(f"Requires-Dist: {r}\n" for r in requires)
        ),
        f"{dist}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    files[f"{dist}/RECORD"] = "\n".join([*record, f"{dist}/RECORD,,"]) + "\n"
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
    return path


def project(tmp_path: Path, requirements: str) -> Path:
    folder = tmp_path / "app"
    shutil.copytree(FIXTURE, folder)
    (folder / "requirements.txt").write_text(requirements)
    (folder / "idtoken-migrate.yaml").write_text(AUTH0_HS256_FLOW_CONFIG + EMAIL_CLAIM_MAPPED)
    return folder


def test_a_package_that_pins_pyjwt_below_2_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    links = tmp_path / "wheels"
    links.mkdir()
    wheel(links, "legacyjwtauth", "1.0", ["PyJWT<2.0"])
    wheel(links, "modernhelper", "1.0", ["PyJWT>=2"])
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    folder = project(tmp_path, "flask>=3.0\npyjwt>=2.8\nlegacyjwtauth==1.0\n")
    offline = CliRunner().invoke(cli, ["plan", str(folder)])
    assert offline.exit_code == 0 and "pip cannot install" not in offline.output
    result = CliRunner().invoke(cli, ["plan", str(folder), "--resolve"])
    assert result.exit_code == 0, result.output
    (line,) = [x for x in result.output.splitlines() if "pip cannot install" in x]
    assert "requirements.txt: pip cannot install the migrated requirements" in line
    assert "legacyjwtauth" in line and "ResolutionImpossible" in line

    (folder / "requirements.txt").write_text("flask>=3.0\npyjwt>=2.8\nmodernhelper==1.0\n")
    result = CliRunner().invoke(cli, ["plan", str(folder), "--resolve"])
    assert result.exit_code == 0 and "pip cannot install" not in result.output, result.output
    assert (folder / "requirements.txt").read_text().startswith("flask>=3.0\npyjwt>=2.8\n")
