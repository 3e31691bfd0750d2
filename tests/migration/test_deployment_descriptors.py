"""Deployment descriptors: the verifier module is added where a Serverless service lists the
files a function ships (every other byte of the YAML kept), and a runtime older than the
verifier's library supports is refused with the exact change (serverless.yml, SAM, Zappa, App
Engine, Dockerfile); what cannot be edited safely (SAM CodeUri, Chalice, Docker COPY lists, Zappa
excludes) is reported with the line and the change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from samples import AUTH0_HS256_FLOW_CONFIG, EMAIL_CLAIM_MAPPED
from typer.testing import CliRunner

from idtoken_migrate.cli import app as cli
from idtoken_migrate.migration.deploy import ListEdit, deployment_findings, ship_verifier
from idtoken_migrate.migration.plan import plan_project

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "flask_auth0_hs256"
FLOOR = (3, 9)
SITES = ["auth/handler.py"]
VERIFIER = "auth/token_verifier.py"


def findings(tmp_path: Path, files: dict[str, str], verifier: str = VERIFIER):
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(text.encode())
    return deployment_findings(tmp_path, verifier, SITES, FLOOR)


BLOCK = """\
service: api
provider:
  name: aws
  runtime: python3.11
  role: !GetAtt LambdaRole.Arn
package:
  individually: true
  patterns:
    - '!**'
functions:
  authorizer:
    handler: auth/handler.main
    package:
      patterns:
        - "auth/handler.py"  # the authorizer
        - auth/policy.py
  api:
    handler: api.main
"""


def test_a_block_list_gets_the_verifier_after_its_last_item(tmp_path: Path) -> None:
    found = findings(tmp_path, {"serverless.yml": BLOCK})
    assert found.refusal is None
    assert found.edits == (
        ListEdit("serverless.yml", "functions.authorizer.package.patterns", VERIFIER),
    )
    edited = ship_verifier(BLOCK, found.edits[0])
    assert edited == BLOCK.replace(
        "        - auth/policy.py\n", "        - auth/policy.py\n        - auth/token_verifier.py\n"
    )
    assert ship_verifier(edited, found.edits[0]) == edited  # twice changes nothing
    (tmp_path / "serverless.yml").write_text(edited)
    assert findings(tmp_path, {}).edits == ()


def test_old_include_lists_flow_style_and_crlf(tmp_path: Path) -> None:
    text = (
        "service: api\r\nprovider: {name: aws, runtime: python3.9}\r\n"
        "package:\r\n  exclude: ['**']\r\n  include: [auth/handler.py, 'auth/policy.py']\r\n"
    )
    (edit,) = findings(tmp_path, {"serverless.yml": text}).edits
    assert edit.key == "package.include"
    assert ship_verifier(text, edit) == text.replace(
        "'auth/policy.py']", "'auth/policy.py', auth/token_verifier.py]"
    )
    block = "package:\r\n  exclude:\r\n    - '**'\r\n  include:\r\n    - auth/handler.py\r\n"
    (edit,) = findings(tmp_path, {"serverless.yml": block}).edits
    assert ship_verifier(block, edit) == block + "    - auth/token_verifier.py\r\n"


@pytest.mark.parametrize(
    "package",
    [
        "package:\n  patterns: ['auth/handler.py']\n",  # nothing excluded: everything ships
        "package:\n  patterns: ['!tests/**']\n",
        "package:\n  patterns: ['!**', 'auth/**']\n",  # the folder ships, the verifier in it
        "package:\n  include: [auth/handler.py]\n",  # include alone narrows nothing
        "package: ${file(resources/package.yml)}\n",
    ],
)
def test_lists_that_already_ship_the_verifier_are_left_alone(tmp_path: Path, package: str) -> None:
    assert findings(tmp_path, {"serverless.yml": "service: api\n" + package}).edits == ()


def test_a_verifier_outside_the_service_folder_is_not_added(tmp_path: Path) -> None:
    text = "package:\n  patterns: ['!**', 'handler.py']\n"
    assert findings(tmp_path, {"svc/serverless.yml": text}).edits == ()


@pytest.mark.parametrize(
    ("path", "text", "where", "found", "change"),
    [
        (
            "serverless.yml",
            "provider:\n  runtime: python3.6\n",
            "serverless.yml:2",
            "`runtime: python3.6`",
            "`runtime: python3.9`",
        ),
        (
            "serverless.yml",
            "functions:\n  f:\n    runtime: python3.8\n",
            "serverless.yml:3",
            "`runtime: python3.8`",
            "`runtime: python3.9`",
        ),
        (
            "template.yaml",
            "Globals:\n  Function:\n    Runtime: python3.7\nResources: {}\n",
            "template.yaml:3",
            "`Runtime: python3.7`",
            "`Runtime: python3.9`",
        ),
        (
            "template.yaml",
            "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            "      CodeUri: !Sub '${Dir}'\n      Runtime: python2.7\n",
            "template.yaml:6",
            "`Runtime: python2.7`",
            "`Runtime: python3.9`",
        ),
        (
            "zappa_settings.json",
            '{"dev": {"runtime": "python3.6", "app_function": "app.app"}}',
            "zappa_settings.json (dev)",
            '`"runtime": "python3.6"`',
            '`"runtime": "python3.9"`',
        ),
        (
            "app.yaml",
            "# GAE\nruntime: python27\napi_version: 1\n",
            "app.yaml:2",
            "`runtime: python27`",
            "`runtime: python39`",
        ),
        (
            "Dockerfile",
            "FROM node:18 AS web\nFROM python:3.6-slim-buster\nCOPY . /app\n",
            "Dockerfile:2",
            "`FROM python:3.6-slim-buster`",
            "`FROM python:3.9-slim-buster`",
        ),
        (
            "Dockerfile",
            "FROM public.ecr.aws/lambda/python:3.8\n",
            "Dockerfile:1",
            "`FROM public.ecr.aws/lambda/python:3.8`",
            "`FROM public.ecr.aws/lambda/python:3.9`",
        ),
    ],
)
def test_old_runtimes_are_refused_with_the_exact_change(
    tmp_path: Path, path: str, text: str, where: str, found: str, change: str
) -> None:
    refusal = findings(tmp_path, {path: text}).refusal
    assert refusal == (
        f"{where}: {found} cannot run the generated verifier (PyJWT >= 2.13 needs Python >= "
        f"3.9); change it to {change} (or newer) first"
    )


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("serverless.yml", "provider:\n  runtime: python3.9\n"),
        ("serverless.yml", "provider:\n  runtime: nodejs18.x\n"),
        ("template.yaml", "Globals:\n  Function:\n    Runtime: python3.12\n"),
        ("Dockerfile", "FROM python:3.6 AS build\nFROM python:3.12-slim\n"),
        ("Dockerfile", "FROM ubuntu:22.04\n"),
        ("app.yaml", "runtime: python312\n"),
        ("serverless.yml", "provider: [unbalanced\n"),  # not YAML: nothing to say, no crash
        ("zappa_settings.json", "{not json"),
    ],
)
def test_supported_or_unknown_runtimes_pass(tmp_path: Path, path: str, text: str) -> None:
    assert findings(tmp_path, {path: text}).refusal is None


def test_what_cannot_be_edited_is_reported_with_the_change(tmp_path: Path) -> None:
    files = {
        "template.yaml": (
            "Resources:\n  Authorizer:\n    Type: AWS::Serverless::Function\n"
            "    Properties:\n      CodeUri: auth/handlers/\n      Handler: handler.main\n"
        ),
        ".chalice/config.json": '{"version": "2.0", "app_name": "api"}',
        "Dockerfile": "FROM python:3.12\nCOPY auth/handler.py auth/policy.py /var/task/auth/\n",
        "zappa_settings.json": '{"prod": {"exclude": ["*_verifier.py"]}}',
    }
    manual = findings(tmp_path, files, verifier="auth/token_verifier.py")
    found = deployment_findings(tmp_path, VERIFIER, ["auth/handlers/handler.py"], FLOOR).manual
    assert [note for note in found if note.startswith("template.yaml")] == [
        "template.yaml:5: Authorizer ships only auth/handlers/ (CodeUri): put the verifier there "
        "(`output.module: auth/handlers/token_verifier.py`)"
    ]
    assert manual.manual == (
        ".chalice/config.json: Chalice ships only app.py and chalicelib/: put the verifier there "
        "(`output.module: chalicelib/token_verifier.py`)",
        "Dockerfile:2: the image copies auth/handler.py auth/policy.py but not the verifier: add "
        "`COPY auth/token_verifier.py /var/task/auth/`",
        "zappa_settings.json (prod): `exclude` '*_verifier.py' leaves the verifier "
        "(auth/token_verifier.py) out of the package; narrow it",
    )


def test_plan_and_apply_ship_the_verifier_and_refuse_an_old_runtime(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    shutil.copytree(FIXTURE, folder)
    (folder / "idtoken-migrate.yaml").write_text(AUTH0_HS256_FLOW_CONFIG + EMAIL_CLAIM_MAPPED)
    yml = (
        "service: api\nprovider:\n  name: aws\n  runtime: python3.12\n"
        "package:\n  patterns:\n    - '!**'\n    - app.py\n    - auth.py\n    - settings.py\n"
    )
    (folder / "serverless.yml").write_text(yml)
    _config, plan = plan_project(folder)
    assert plan.blocked is None
    verifier = plan.verifier_path
    assert verifier == "token_verifier.py"
    assert [(f.path, f.action) for f in plan.files if f.path == "serverless.yml"] == [
        ("serverless.yml", "update")
    ]
    result = CliRunner().invoke(cli, ["apply", str(folder), "--phase", "dual", "--write"])
    assert result.exit_code == 0, result.output
    assert (folder / "serverless.yml").read_text() == yml + "    - token_verifier.py\n"
    result = CliRunner().invoke(
        cli, ["apply", str(folder), "--phase", "strict", "--write", "--force"]
    )
    assert result.exit_code == 0, result.output
    assert (folder / "serverless.yml").read_text() == yml + "    - token_verifier.py\n"

    old = tmp_path / "old"
    shutil.copytree(FIXTURE, old)
    (old / "idtoken-migrate.yaml").write_text(AUTH0_HS256_FLOW_CONFIG + EMAIL_CLAIM_MAPPED)
    (old / "serverless.yml").write_text(yml.replace("python3.12", "python3.6"))
    before = {p: p.read_bytes() for p in old.rglob("*") if p.is_file()}
    result = CliRunner().invoke(cli, ["apply", str(old), "--phase", "dual", "--write"])
    assert result.exit_code == 2
    assert (
        "serverless.yml:4: `runtime: python3.6` cannot run the generated verifier" in result.output
    )
    assert {p: p.read_bytes() for p in old.rglob("*") if p.is_file()} == before


def test_a_package_read_from_another_file_is_edited_there(tmp_path: Path) -> None:
    included = "include:\n  - auth/handler.py\n\nexclude:\n  - '**'\n"
    files = {
        "serverless.yml": "service: api\npackage: ${file(resources/package.yml)}\n",
        "resources/package.yml": included,
    }
    (edit,) = findings(tmp_path, files).edits
    assert edit == ListEdit("resources/package.yml", "include", VERIFIER)
    assert ship_verifier(included, edit) == included.replace(
        "handler.py\n", "handler.py\n  - auth/token_verifier.py\n"
    )
    outside = {"serverless.yml": "package: ${file(../package.yml)}\n"}
    assert findings(tmp_path / "svc", outside).edits == ()
