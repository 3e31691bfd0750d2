"""PyJWT wherever the project pins it: requirement and constraint files in any folder and `.in`
files are raised to pyjwt[crypto]>=2.13 (never added to); setup.py, setup.cfg and Pipfile lines
that list it are named in the plan as manual steps."""

from __future__ import annotations

import shutil
from pathlib import Path

from samples import AUTH0_HS256_FLOW_CONFIG, EMAIL_CLAIM_MAPPED
from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli
from idtoken_migrate.migration.plan import plan_project

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "flask_auth0_hs256"
CONFIG = AUTH0_HS256_FLOW_CONFIG + EMAIL_CLAIM_MAPPED
FILES = {
    "requirements.txt": "-r requirements/common.txt\nFlask==2.0.3\n",
    "requirements/common.txt": "PyJWT==1.4.0\nrequests\n",
    "constraints.txt": "pyjwt<2\n",
    "requirements-dev.in": "pyjwt\n",
    "requirements/test.txt": "pytest\n",
    "MANIFEST.in": "include pyjwt.txt\n",
    "setup.py": 'from setuptools import setup\nsetup(name="x", install_requires=["PyJWT>=1.5"])\n',
    "Pipfile": '[packages]\nflask = "*"\npyjwt = "==1.7.1"\n',
}


def test_pins_are_raised_wherever_they_are(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    shutil.copytree(FIXTURE, folder)
    (folder / "requirements.txt").unlink()
    for path, text in FILES.items():
        (folder / path).parent.mkdir(exist_ok=True)
        (folder / path).write_text(text)
    (folder / "idtoken-migrate.yaml").write_text(CONFIG)
    _config, plan = plan_project(folder)
    manual = {f.path: f.what for f in plan.files if f.action == "manual"}
    assert set(manual) == {"setup.py:2", "Pipfile:3"}
    result = CliRunner().invoke(cli, ["apply", str(folder), "--phase", "dual", "--write"])
    assert result.exit_code == 0, result.output
    read = {path: (folder / path).read_text() for path in FILES}
    assert read["requirements.txt"].endswith("Flask==2.0.3\npyjwt[crypto]>=2.13\n")
    assert read["requirements/common.txt"] == "pyjwt[crypto]>=2.13\nrequests\n"
    assert read["constraints.txt"] == "pyjwt[crypto]>=2.13\n"
    assert read["requirements-dev.in"] == "pyjwt[crypto]>=2.13\n"
    for untouched in ("requirements/test.txt", "MANIFEST.in", "setup.py", "Pipfile"):
        assert read[untouched] == FILES[untouched], untouched  # never added to, never guessed
