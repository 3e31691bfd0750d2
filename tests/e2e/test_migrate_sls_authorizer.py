"""A Serverless Framework Lambda TOKEN authorizer (tests/fixtures/sls_cognito_authorizer)
migrated as a user would: the plan first refuses its `runtime: python3.6` with the exact change;
once the user made it, dual -> kill switch -> sunset -> strict, the handler called with API
Gateway authorizer events carrying real signed tokens (JWKS on 127.0.0.1). In every phase the
migrated serverless.yml ships the verifier module next to the handler, and requirements.txt no
longer pins what pyjwt[crypto]>=2.13 cannot install with."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import shutil
import subprocess
import sys
import traceback
import venv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from .harness import FIXTURES_DIR, Provider
from .phases import run, walk

NAME = "sls_cognito_authorizer"
METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/GET/orders"
VERIFIER = "authorizer/token_verifier.py"


@dataclass
class Answer:
    """An authorizer's decision as API Gateway turns it into an answer: Allow 200 (the body is
    the context it hands to the function), Deny 403, an exception 500."""

    status: int
    text: str
    policy: dict[str, Any] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.text)


class Authorizer:
    """`authorizer.handler` of one copy of the service, imported in isolation."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        with self._environment({}):
            sys.path.insert(0, str(folder))
            try:
                self.module = importlib.import_module("authorizer.handler")
            finally:
                sys.path.remove(str(folder))

    @contextlib.contextmanager
    def _environment(self, extra: dict[str, str]) -> Iterator[None]:
        saved = dict(os.environ)
        os.environ.update({**self.env, **extra})
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def get(self, path: str, token: str | None = None, env: dict[str, str] | None = None) -> Answer:
        event = {"type": "TOKEN", "methodArn": METHOD_ARN}
        if token is not None:
            event["authorizationToken"] = f"Bearer {token}"
        with self._environment(env or {}):
            try:
                policy = self.module.main(event, None)
            except Exception:  # an authorizer that raises is a 500 at API Gateway
                return Answer(500, traceback.format_exc())
        (statement,) = policy["policyDocument"]["Statement"]
        assert (
            statement["Resource"] == "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/*"
        )
        if statement["Effect"] == "Allow":
            return Answer(200, json.dumps(policy["context"], sort_keys=True), policy)
        return Answer(403, json.dumps({"message": "User is not authorized"}), policy)

    def close(self) -> None:
        for name in [m for m in sys.modules if m == "authorizer" or m.startswith("authorizer.")]:
            del sys.modules[name]


def env(p: Provider) -> dict[str, str]:
    return {
        "COGNITO_ISSUER": p.issuer,
        "COGNITO_APP_CLIENT_ID": p.client_id,
        "COGNITO_JWKS_URL": p.jwks_uri,
    }


def opener(p: Provider):
    @contextlib.contextmanager
    def opened(folder: Path, extra: dict[str, str]) -> Iterator[Authorizer]:
        authorizer = Authorizer(folder, {**env(p), **extra})
        try:
            assert authorizer.get("/", token=None).status == 403
            yield authorizer
        finally:
            authorizer.close()

    return opened


def shipped_patterns(folder: Path) -> list[str]:
    config = yaml.safe_load((folder / "serverless.yml").read_text())
    return config["functions"]["authorize"]["package"]["patterns"]


def user_fixes_the_runtime(src: Path, dest: Path, p: Provider) -> Path:
    """The plan refuses the python3.6 runtime, naming the line and the change; the user makes
    exactly that change."""
    shutil.copytree(src, dest)
    (dest / "idtoken-migrate.yaml").write_text(
        yaml.safe_dump(p.migration_config(claims=p.claims_map), sort_keys=False)
    )
    before = {path: path.read_bytes() for path in dest.rglob("*") if path.is_file()}
    code, out = run("apply", str(dest), "--phase", "dual", "--write")
    assert code == 2, out
    assert "serverless.yml:7: `runtime: python3.6` cannot run the generated verifier" in out
    assert "change it to `runtime: python3.9` (or newer)" in out
    assert {path: path.read_bytes() for path in dest.rglob("*") if path.is_file()} == before
    yml = dest / "serverless.yml"
    yml.write_text(yml.read_text().replace("runtime: python3.6", "runtime: python3.12"))
    (dest / "idtoken-migrate.yaml").unlink()
    return dest


def test_the_authorizer_migrates_and_ships_its_verifier(
    tmp_path: Path, providers: dict[str, Provider]
) -> None:
    p = providers["cognito"]
    pristine = FIXTURES_DIR / NAME
    src = user_fixes_the_runtime(pristine, tmp_path / "src", p)
    original_yml = (src / "serverless.yml").read_text()
    assert VERIFIER not in shipped_patterns(src)
    seen = []
    for phase, folder in walk(src, tmp_path, p, "/", opener(p), claims=p.claims_map):
        seen.append(phase)
        assert (folder / VERIFIER).is_file()
        assert shipped_patterns(folder) == [*shipped_patterns(src), VERIFIER]
        migrated_yml = (folder / "serverless.yml").read_text()
        added = "        - authorizer/token_verifier.py\n"
        assert migrated_yml.replace(added, "", 1) == original_yml  # every other byte kept
        requirements = (folder / "requirements.txt").read_text()
        assert requirements == "pyjwt[crypto]>=2.13\ncryptography>=3.4.0\n"
        code, out = run("plan", str(folder), "--format", "json")
        assert code == 0, out
        assert json.loads(out)["dependency_conflicts"] == []
    assert seen == ["dual", "sunset", "strict"]


@pytest.mark.slow
def test_the_migrated_requirements_install_in_a_fresh_venv(
    tmp_path: Path, providers: dict[str, Provider]
) -> None:
    p = providers["cognito"]
    folder = user_fixes_the_runtime(FIXTURES_DIR / NAME, tmp_path / "app", p)
    before = (folder / "requirements.txt").read_text()
    (folder / "idtoken-migrate.yaml").write_text(
        yaml.safe_dump(p.migration_config(claims=p.claims_map), sort_keys=False)
    )
    code, out = run("apply", str(folder), "--phase", "dual", "--write")
    assert code == 0, out
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"

    def resolve(requirements: str) -> subprocess.CompletedProcess[str]:
        path = tmp_path / "requirements-check.txt"
        path.write_text(requirements)
        command = [str(python), "-m", "pip", "install", "--dry-run", "--quiet", "-r", str(path)]
        return subprocess.run(command, capture_output=True, text=True, timeout=600)

    # PyJWT raised alone (as before the pins were checked): pip cannot resolve it
    only_pyjwt = before.replace("PyJWT==1.7.1", "pyjwt[crypto]>=2.13")
    refused = resolve(only_pyjwt)
    assert refused.returncode != 0 and "ResolutionImpossible" in refused.stderr, refused.stderr
    result = resolve((folder / "requirements.txt").read_text())
    assert result.returncode == 0, result.stdout + result.stderr
