"""A library is one YAML file: a pack with a `library:` block, in a `--rules` folder, is found by
the scan, planned, migrated, and answered by a verifier whose rejections are that library's
errors, with no Python table touched."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from verifier_kit import NOW, SCENARIOS, JwksServer, Keys, Route, fast_tuning, load_module, sign

from idtoken_migrate.config.rulepack import load_rules
from idtoken_migrate.migration.apply import compute
from idtoken_migrate.migration.plan import MIGRATE, build_plan, scan_project
from idtoken_migrate.model import UsageError

PACK = """\
pack: acme
library:
  name: acme-auth
  codemod: replace-verify-call
  base: acme_auth.errors.AuthError as AcmeAuthError
  catching: [AuthError]
  errors:
    expired: acme_auth.errors.TokenExpired as AcmeTokenExpired
  parents:
    acme_auth.errors.TokenExpired: acme_auth.errors.AuthError
    acme_auth.errors.AuthError: Exception
  reexports: {acme_auth: acme_auth.errors}
prefilter: [acme_auth]
rules:
  - id: ACME001
    name: acme-verify
    summary: acme_auth.verify checks a token
    match: {call: [acme_auth.verify]}
    args: {token: [0, token], audience: [audience]}
"""
# The legacy library itself (what the app has installed).
LIBRARY = {
    "acme_auth/__init__.py": "from acme_auth.errors import AuthError, TokenExpired\n",
    "acme_auth/errors.py": (
        "class AuthError(Exception):\n    pass\n\n\nclass TokenExpired(AuthError):\n    pass\n"
    ),
}
APP = """\
import acme_auth
from flask import request

CLIENT_ID = "spa-client"


def current_user():
    token = request.headers["Authorization"].split()[1]
    try:
        return acme_auth.verify(token, audience=CLIENT_ID)
    except acme_auth.TokenExpired:
        return 419
    except acme_auth.AuthError:
        return 401
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_a_library_added_by_one_yaml_file_is_migrated_and_keeps_its_errors(
    tmp_path: Path, keys: Keys, jwks_server: JwksServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules, project, site_packages = tmp_path / "rules", tmp_path / "api", tmp_path / "lib"
    _write(rules, {"acme.yaml": PACK})
    _write(project, {"app.py": APP})
    _write(site_packages, LIBRARY)
    scenario = SCENARIOS["auth0"]
    url = jwks_server.add_route(Route(jwks={"keys": [keys.rsa.jwk]}))
    config = scenario.config(jwks_uri=url)
    rule_set = load_rules((rules,))

    result = scan_project(project, config, (rules,))
    plan = build_plan(result, config, project.resolve(), "dual", rules=rule_set)
    (site,) = plan.sites
    assert (site.finding.rule, site.action, site.codemod) == (
        "ACME001",
        MIGRATE,
        "replace-verify-call",
    )
    assert site.legacy_exception == "acme-auth" and plan.legacy_exceptions == ("acme-auth",)
    answers = {r.reason: (r.before, r.after) for r in site.rejections}
    expired = "419 (`except acme_auth.TokenExpired`, line 11)"
    generic = "401 (`except acme_auth.AuthError`, line 13)"
    assert answers["expired"] == (expired, expired)
    assert answers["bad_signature"] == ("-", generic)

    changes = {
        c.path: c.after.decode()
        for c in compute(plan, config, project, tuning=fast_tuning()).changes
    }
    assert "return verify_token(token)" in changes["app.py"]
    assert "except acme_auth.TokenExpired:" in changes["app.py"]
    verifier_source = changes[plan.verifier_path]
    assert "from acme_auth.errors import AuthError as AcmeAuthError" in verifier_source

    monkeypatch.syspath_prepend(str(site_packages))
    errors = importlib.import_module("acme_auth.errors")
    module = load_module(verifier_source, tmp_path)
    assert issubclass(module.TokenRejected, errors.AuthError)
    late = sign(scenario.access_header(keys.rsa), scenario.access_claims(now=NOW - 7200), keys.rsa)
    with pytest.raises(errors.TokenExpired) as raised:  # the app's 419 branch still answers it
        module.verify_token(late, now=NOW)
    assert raised.value.reason == "expired"
    foreign = sign(scenario.access_header(keys.rsa), scenario.access_claims(aud="x"), keys.rsa)
    with pytest.raises(errors.AuthError) as other:
        module.verify_token(foreign, now=NOW)
    assert not isinstance(other.value, errors.TokenExpired)
    sys.modules.pop("acme_auth.errors", None)
    sys.modules.pop("acme_auth", None)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("  catching: [AuthError]\n", "  catchin: [AuthError]\n"),
            "acme.yaml:6: library.catchin: unknown key (did you mean 'catching'?)",
        ),
        (
            ("AuthError as AcmeAuthError", "AuthError"),
            "acme.yaml:5: library.base: say how the generated module names it",
        ),
        (("    expired:", "    expird:"), "acme.yaml:8: library.errors.expird: unknown key"),
        (
            ("  errors:\n", "  errors:\n    wrong_audience: 12\n"),
            "acme.yaml:8: library.errors.wrong_audience: expected `module.Class [as Alias]`",
        ),
        (("  name: acme-auth\n", ""), "acme.yaml:3: library.name: expected a library name"),
    ],
)
def test_a_bad_library_block_names_its_file_line_and_key(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    (tmp_path / "acme.yaml").write_text(PACK.replace(*change), encoding="utf-8")
    with pytest.raises(UsageError) as raised:
        load_rules((tmp_path,), bundled=False)
    assert message in str(raised.value)
    assert str(raised.value).startswith(str(tmp_path / "acme.yaml"))


def test_a_library_given_facts_twice_is_an_error_naming_both_packs(tmp_path: Path) -> None:
    (tmp_path / "acme.yaml").write_text(PACK, encoding="utf-8")
    (tmp_path / "acme2.yaml").write_text(
        PACK.replace("pack: acme", "pack: acme2").replace("ACME001", "ACME002"), encoding="utf-8"
    )
    with pytest.raises(UsageError, match="acme-auth's facts are already given in .*acme.yaml"):
        load_rules((tmp_path,), bundled=False)


def _expired(library: str) -> list[str]:
    base = load_rules().exception_bases[library]
    return [e.qualified for e in base.by_reason if e.reason == "expired"]


def test_the_bundled_packs_give_each_library_its_facts() -> None:
    bundled = load_rules()
    assert _expired("pyjwt") == ["jwt.ExpiredSignatureError"]
    assert _expired("python-jose") == ["jose.exceptions.ExpiredSignatureError"]
    assert _expired("okta-jwt-verifier") == []  # one error for every failure
    assert dict(bundled.libraries["pyjwt"].renames)["ExpiredSignature"] == "ExpiredSignatureError"
    assert bundled.exception_modules["jose.jwt"] == "jose.exceptions"
