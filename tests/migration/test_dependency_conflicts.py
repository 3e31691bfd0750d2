"""The migrated dependency set can install: pins that cannot meet what pyjwt[crypto]>=2.13 needs
(PyJWT's metadata, in the pyjwt rule pack's `install:` block) are raised in requirement files
and pyproject.toml, and named with their line where the migration does not edit (setup.py,
Pipfile, hash-locked files), in the plan and in apply's edits. Offline."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from samples import AUTH0_HS256_FLOW_CONFIG, EMAIL_CLAIM_MAPPED
from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli
from idtoken_migrate.config.rulepack import InstallFacts, load_pack, load_rules
from idtoken_migrate.migration.dependencies import (
    raise_requirement_pins,
    requirement_conflicts,
    satisfiable,
)
from idtoken_migrate.migration.plan import plan_project
from idtoken_migrate.model import UsageError

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "flask_auth0_hs256"
FACTS = InstallFacts(
    ">=3.9", ("cryptography>=3.4.0", 'typing_extensions>=4.0; python_version < "3.11"')
)


def test_the_pack_states_what_the_installed_pyjwt_declares() -> None:
    facts = load_rules().install("pyjwt")
    assert facts is not None
    meta = importlib.metadata.metadata("pyjwt")
    assert SpecifierSet(meta["Requires-Python"]) == SpecifierSet(facts.python)
    declared = {
        str(Requirement(r).specifier)
        for r in importlib.metadata.requires("pyjwt") or []
        if Requirement(r).name == "cryptography"
    }
    stated = {str(Requirement(r).specifier) for r in facts.requires if r.startswith("crypto")}
    assert declared == stated


@pytest.mark.parametrize(
    ("pin", "ok"),
    [
        ("==2.2.2", False),
        ("<3", False),
        ("~=2.9", False),
        ("==3.*", True),
        ("==2.*", False),
        (">=2,<3.4", False),
        (">=2,<3.4.1", True),
        ("!=3.4.0", True),
        (">=41", True),
        ("", True),
    ],
)
def test_satisfiable_against_the_cryptography_floor(pin: str, ok: bool) -> None:
    assert satisfiable(SpecifierSet(pin), SpecifierSet(">=3.4.0")) is ok


def test_conflicting_pins_are_raised_keeping_the_line_around_them() -> None:
    text = (
        "Flask==1.0.2\r\n"
        "cryptography==2.2.2  # for the old pyOpenSSL\r\n"
        "cryptography[ssh]>=2,<50,!=3.4.1\r\n"
        "typing-extensions==3.7.4.3 ; python_version < '3.8'\r\n"
        "  cryptography<3 \\\r\n"
        "cryptography-vectors==2.2.2\r\n"
    )
    conflicts = requirement_conflicts("requirements.txt", text, FACTS)
    assert [(c.line, c.pin, c.raised) for c in conflicts] == [
        (2, "cryptography==2.2.2", "cryptography>=3.4.0"),
        (4, "typing-extensions==3.7.4.3", "typing-extensions>=4.0"),
        (5, "cryptography<3", "cryptography>=3.4.0"),
    ]
    assert "on python_version < " in conflicts[1].needed
    assert raise_requirement_pins(text, FACTS) == (
        "Flask==1.0.2\r\n"
        "cryptography>=3.4.0  # for the old pyOpenSSL\r\n"
        "cryptography[ssh]>=2,<50,!=3.4.1\r\n"
        "typing-extensions>=4.0 ; python_version < '3.8'\r\n"
        "  cryptography>=3.4.0 \\\r\n"
        "cryptography-vectors==2.2.2\r\n"
    )


def test_an_upper_bound_that_still_admits_a_version_is_kept() -> None:
    text = "cryptography>=2.1,<3.4,!=2.5\n"
    assert raise_requirement_pins(text, FACTS) == "cryptography>=3.4.0\n"
    text = "cryptography>=2.1,<3.4\ncryptography<3.0,!=3.5\n"
    assert raise_requirement_pins(text, FACTS) == "cryptography>=3.4.0\ncryptography>=3.4.0,!=3.5\n"


def test_hash_locked_files_are_reported_not_edited() -> None:
    text = "cryptography==2.2.2 \\\n    --hash=sha256:0123\n"
    (conflict,) = requirement_conflicts("requirements.lock.txt", text, FACTS)
    assert conflict.raised is None and "re-lock" in conflict.describe()
    assert raise_requirement_pins(text, FACTS) == text


def test_install_block_errors_name_the_file_and_line(tmp_path: Path) -> None:
    pack = tmp_path / "acme.yaml"
    pack.write_text(
        "pack: acme\nlibrary: acme\nprefilter: [acme]\nrules: []\n"
        "install:\n  python: '>=three'\n  requires: [cryptography>=3]\n"
    )
    with pytest.raises(UsageError, match=r"acme\.yaml:6: install\.python: not a version"):
        load_pack(pack)
    pack.write_text(pack.read_text().replace("'>=three'", "'>=3.9'").replace(">=3]", ">=]"))
    with pytest.raises(UsageError, match=r"acme\.yaml:7: install\.requires"):
        load_pack(pack)


FILES = {
    "requirements.txt": "flask>=3.0\npyjwt>=2.8\ncryptography==2.2.2\n",
    "constraints.txt": "cryptography<3\n",
    "pyproject.toml": '[project]\nname = "x"\ndependencies = [\n  "cryptography~=2.9",\n]\n',
    "Pipfile": '[packages]\ncryptography = "==2.2.2"\n',
    "requirements/prod.txt": "cryptography==2.2.2 \\\n    --hash=sha256:00ff\n",
}


def test_plan_names_each_conflict_and_apply_raises_them(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    shutil.copytree(FIXTURE, folder)
    for path, text in FILES.items():
        (folder / path).parent.mkdir(exist_ok=True)
        (folder / path).write_text(text)
    (folder / "idtoken-migrate.yaml").write_text(AUTH0_HS256_FLOW_CONFIG + EMAIL_CLAIM_MAPPED)
    _config, plan = plan_project(folder)
    found = {(c.location, c.raised) for c in plan.dependency_conflicts}
    assert found == {
        ("requirements.txt:3", "cryptography>=3.4.0"),
        ("constraints.txt:1", "cryptography>=3.4.0"),
        ("pyproject.toml:4", "cryptography>=3.4.0"),
        ("Pipfile:2", None),
        ("requirements/prod.txt:1", None),
    }
    assert any(r.startswith("requirements.txt:3: `cryptography==2.2.2` cannot") for r in plan.risks)
    manual = {f.path for f in plan.files if f.action == "manual"}
    assert {"Pipfile:2", "requirements/prod.txt:1"} <= manual
    runner = CliRunner()
    as_json = runner.invoke(cli, ["plan", str(folder), "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    listed = json.loads(as_json.output)["dependency_conflicts"]
    pipfile = {"path": "Pipfile", "line": 2, "pin": "cryptography==2.2.2", "raised": None}
    assert [c for c in listed if c["path"] == "Pipfile"] == [
        pipfile | {"needed": "cryptography>=3.4.0"}
    ]

    result = runner.invoke(cli, ["apply", str(folder), "--phase", "dual", "--write"])
    assert result.exit_code == 0, result.output
    read = {path: (folder / path).read_text() for path in FILES}
    assert read["requirements.txt"] == "flask>=3.0\npyjwt[crypto]>=2.13\ncryptography>=3.4.0\n"
    assert read["constraints.txt"] == "cryptography>=3.4.0\n"
    assert '"cryptography>=3.4.0",' in read["pyproject.toml"]
    assert read["Pipfile"] == FILES["Pipfile"]
    assert read["requirements/prod.txt"] == FILES["requirements/prod.txt"]
    _config, again = plan_project(folder)
    assert {c.location for c in again.dependency_conflicts} == {
        "Pipfile:2",
        "requirements/prod.txt:1",
    }


# Other packages whose releases cannot go beside PyJWT 2 (the pyjwt pack's `install.incompatible`).
PACK = load_rules().install("pyjwt")


@pytest.mark.parametrize(
    ("line", "raised"),
    [
        ("drf-jwt==1.17.3  # the fork", "drf-jwt>=1.19.0"),
        ("drf-jwt>=1.12,<1.19", "drf-jwt>=1.19.0"),
        ("PyGithub==1.54.1", "PyGithub>=1.55"),
        ("djangorestframework-jwt==1.11.0", None),
        ("djangorestframework-jwt", None),  # pip would go back to a 2014 release
        ("Flask-JWT-Extended>=3.20,<3.26", None),
        ("Flask-JWT-Extended==3.24.1", None),  # installs, then fails on jwt.encode().decode()
        ("Flask-JWT", None),
    ],
)
def test_releases_that_cannot_go_with_pyjwt_2_are_raised_or_reported(
    line: str, raised: str | None
) -> None:
    assert PACK is not None
    (conflict,) = requirement_conflicts("requirements.txt", f"Django==3.2\n{line}\n", PACK)
    assert (conflict.line, conflict.raised) == (2, raised)
    described = conflict.describe()
    assert described.startswith(f"requirements.txt:2: `{line.split('  ')[0]}` cannot go with")
    if raised is None:
        assert conflict.why_manual and conflict.why_manual in described
        assert raise_requirement_pins(f"{line}\n", PACK) == f"{line}\n"
    else:
        assert (
            raise_requirement_pins(f"{line}\n", PACK)
            == line.replace(line.split("  ")[0], raised) + "\n"
        )


@pytest.mark.parametrize(
    "line",
    [
        "drf-jwt",
        "drf-jwt>=1.18",  # pip takes the newest
        "PyGithub==1.53",
        "PyGithub>=1.50",
        "Flask-JWT-Extended",
        "Flask-JWT-Extended==4.6.0",
        "Flask-JWT<0.3",
        "djangorestframework-simplejwt==4.6.0",
    ],
)
def test_releases_that_go_with_pyjwt_2_are_left_alone(line: str) -> None:
    assert PACK is not None
    assert requirement_conflicts("requirements.txt", f"{line}\n", PACK) == []


def test_the_installed_drf_jwt_is_outside_the_releases_the_pack_calls_incompatible() -> None:
    """drf-jwt (a test dependency) is the one listed package installed here: its own metadata
    admits PyJWT 2, and the pack must not call its version incompatible."""
    assert PACK is not None
    (entry,) = [e for e in PACK.incompatible if e.package == "drf-jwt"]
    version = importlib.metadata.version("drf-jwt")
    assert not SpecifierSet(entry.versions).contains(version)
    (pyjwt,) = [
        Requirement(r) for r in importlib.metadata.requires("drf-jwt") or [] if "jwt" in r.lower()
    ]
    assert pyjwt.specifier.contains(importlib.metadata.version("pyjwt"))


def test_incompatible_entry_errors_name_the_file_and_line(tmp_path: Path) -> None:
    pack = tmp_path / "acme.yaml"
    head = "pack: acme\nlibrary: acme\nprefilter: [acme]\nrules: []\ninstall:\n  incompatible:\n"
    pack.write_text(head + "    - package: old\n      why: caps acme\n      versions: '<=x'\n")
    with pytest.raises(UsageError, match=r"acme\.yaml:7: install\.incompatible\[0\]: needs"):
        load_pack(pack)
    pack.write_text(head + "    - package: old\n      versions: '<=x'\n      instead: drop it\n")
    with pytest.raises(UsageError, match=r"acme\.yaml:\d+: install\.incompatible\[0\]\.why"):
        load_pack(pack)
    pack.write_text(
        head + "    - package: old\n      why: w\n      versions: '<=x'\n      instead: drop\n"
    )
    with pytest.raises(UsageError, match=r"acme\.yaml:9: install\.incompatible\[0\]\.versions"):
        load_pack(pack)


def test_plan_reports_djangorestframework_jwt_and_apply_raises_drf_jwt(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    shutil.copytree(FIXTURE, folder)
    (folder / "requirements.txt").write_text(
        "flask>=3.0\npyjwt>=2.8\ndjangorestframework-jwt==1.11.0\ndrf-jwt==1.17.3\n"
    )
    (folder / "idtoken-migrate.yaml").write_text(AUTH0_HS256_FLOW_CONFIG + EMAIL_CLAIM_MAPPED)
    _config, plan = plan_project(folder)
    found = {(c.location, c.raised) for c in plan.dependency_conflicts}
    assert found == {("requirements.txt:3", None), ("requirements.txt:4", "drf-jwt>=1.19.0")}
    assert any("replace it with `drf-jwt>=1.19.0`" in risk for risk in plan.risks)
    result = CliRunner().invoke(cli, ["apply", str(folder), "--phase", "dual", "--write"])
    assert result.exit_code == 0, result.output
    assert (folder / "requirements.txt").read_text() == (
        "flask>=3.0\npyjwt[crypto]>=2.13\ndjangorestframework-jwt==1.11.0\ndrf-jwt>=1.19.0\n"
    )
