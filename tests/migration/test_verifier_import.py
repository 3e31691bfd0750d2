"""Every import `apply` writes resolves: the verifier's module path is computed from where it
goes, relative to the site's import base; a site that cannot import it stays untouched."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from samples import AUTH0_HS256_CONFIG

from idtoken_migrate.migration.apply import compute, write_changes
from idtoken_migrate.migration.codemods import SiteUnsafe
from idtoken_migrate.migration.plan import MIGRATE, UNSAFE, plan_project, verifier_import

SITE = """\
import os

import jwt


def current_user(token):
    try:
        return jwt.decode(token, os.environ["AUTH0_CLIENT_SECRET"], algorithms=["HS256"],
                          audience="AbCdEf123")
    except jwt.InvalidTokenError:
        return None
"""


def project(root: Path, files: dict[str, str], output_module: str | None = None) -> Path:
    config = AUTH0_HS256_CONFIG
    if output_module:
        config += f"output:\n  module: {output_module}\n"
    (root / "idtoken-migrate.yaml").write_text(config)
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def imports_ok(root: Path, module: str, base: str = ".") -> None:
    """Import `module` the way the app would, with `base` (relative to root) on sys.path."""
    code = f"import sys; sys.path.insert(0, {str(root / base)!r}); import {module}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("files", "site", "verifier", "statement"),
    [
        pytest.param([], "auth.py", "token_verifier.py", "from token_verifier import", id="top"),
        pytest.param([], "app/auth.py", "app/v.py", "from v import", id="same-plain-folder"),
        pytest.param([], "main.py", "app/verifier.py", "from app.verifier import", id="below"),
        pytest.param(["pkg"], "pkg/auth.py", "pkg/v.py", "from .v import", id="same-package"),
        pytest.param(
            ["pkg", "pkg/sub"], "pkg/sub/auth.py", "pkg/v.py", "from ..v import", id="parent"
        ),
        pytest.param(
            ["pkg", "pkg/a", "pkg/b"], "pkg/a/x.py", "pkg/b/v.py", "from ..b.v import", id="sib"
        ),
        pytest.param(["pkg"], "pkg/auth.py", "lib/v.py", "from lib.v import", id="other-tree"),
        pytest.param(["src/pkg"], "src/pkg/a.py", "src/v.py", "from v import", id="src-layout"),
    ],
)
def test_import_statement(tmp_path, files, site, verifier, statement):
    for package in files:
        (tmp_path / package).mkdir(parents=True, exist_ok=True)
        (tmp_path / package / "__init__.py").write_text("")
    assert verifier_import(tmp_path, site, verifier).statement.startswith(statement)


@pytest.mark.parametrize(
    ("site", "verifier"),
    [("svc_b/auth.py", "svc_a/token_verifier.py"), ("svc/auth.py", "token_verifier.py")],
)
def test_a_plain_folder_cannot_import_from_elsewhere(tmp_path, site, verifier):
    with pytest.raises(SiteUnsafe, match="set output.module, or run apply on that folder"):
        verifier_import(tmp_path, site, verifier)


def test_second_plain_folder_is_left_untouched_with_the_fix(tmp_path):
    root = project(tmp_path, {"svc_a/auth.py": SITE, "svc_b/auth.py": SITE})
    config, plan = plan_project(root)
    actions = {s.finding.path: s for s in plan.sites}
    assert actions["svc_a/auth.py"].action == MIGRATE
    left = actions["svc_b/auth.py"]
    assert left.action == UNSAFE
    assert "svc_b/ is not a package" in left.why and "set output.module" in left.why
    assert any(
        "svc_b/auth.py" in risk and "run apply on that folder" in risk for risk in plan.risks
    )
    result = compute(plan, config, root)
    assert "svc_b/auth.py" not in result.paths()
    write_changes(root, result.changes)
    imports_ok(root, "auth", "svc_a")
    assert (root / "svc_b/auth.py").read_text() == SITE


def test_dotted_output_module_is_imported_by_its_dotted_path(tmp_path):
    root = project(tmp_path, {"main.py": SITE, "app/views.py": "x = 1\n"}, "app.verifier")
    config, plan = plan_project(root)
    assert plan.verifier_path == "app/verifier.py"
    result = compute(plan, config, root)
    write_changes(root, result.changes)
    assert "from app.verifier import verify_token" in (root / "main.py").read_text()
    imports_ok(root, "main")


def test_nested_package_imports_relatively(tmp_path):
    files = {"pkg/__init__.py": "", "pkg/api/__init__.py": "", "pkg/api/auth.py": SITE}
    root = project(tmp_path, files, "pkg/verifier.py")
    config, plan = plan_project(root)
    write_changes(root, compute(plan, config, root).changes)
    assert "from ..verifier import verify_token" in (root / "pkg/api/auth.py").read_text()
    imports_ok(root, "pkg.api.auth")


@pytest.mark.parametrize(
    ("packages", "site", "shadow"),
    [
        pytest.param([], "api/auth.py", "api/jwt.py", id="plain-folder-sibling"),
        pytest.param([], "api/auth.py", "api/jwt/__init__.py", id="plain-folder-package"),
        pytest.param(["svc"], "svc/auth.py", "jwt.py", id="package-base"),
    ],
)
def test_a_project_module_named_jwt_is_refused(tmp_path, packages, site, shadow):
    """A local `jwt.py` in the folder on sys.path wins over PyJWT: the verifier could not import."""
    for package in packages:
        (tmp_path / package).mkdir(parents=True, exist_ok=True)
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / shadow).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / shadow).write_text("def verify(token):\n    return {}\n")
    verifier = site.rpartition("/")[0] + "/token_verifier.py"
    with pytest.raises(SiteUnsafe, match=f"{shadow} shadows the PyJWT package"):
        verifier_import(tmp_path, site, verifier)


def test_a_jwt_module_inside_a_package_does_not_shadow(tmp_path):
    """`pkg/jwt.py` is `pkg.jwt`: the verifier's absolute `import jwt` still finds PyJWT."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/__init__.py").write_text("")
    (tmp_path / "pkg/jwt.py").write_text("")
    assert verifier_import(tmp_path, "pkg/auth.py", "pkg/token_verifier.py").relative == 1


def test_shadowed_plain_folder_is_left_untouched(tmp_path):
    shadow = "def helper():\n    return 1\n"
    root = project(tmp_path, {"api/auth.py": SITE, "api/jwt.py": shadow})
    config, plan = plan_project(root)
    (site,) = plan.sites
    assert site.action == UNSAFE and "api/jwt.py shadows the PyJWT package" in site.why
    result = compute(plan, config, root)
    assert "api/auth.py" not in result.paths() and "api/token_verifier.py" not in result.paths()
