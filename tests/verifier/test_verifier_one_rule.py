"""One token, one rule (RFC 8725 3.12), in every configuration (issue 14).

Every token is signed for real with the session's RSA/EC keys and verified against a JWKS served
on 127.0.0.1. Each test names the point of the issue it closes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from verifier_kit import (
    DROP,
    NOW,
    SCENARIOS,
    SUB_HASH_KEY_ENV,
    Keys,
    SigningKey,
    fast_tuning,
    load_module,
    reject_reason,
    render_and_load,
    sign,
    sign_raw,
    sub_hash,
)

from idtoken_migrate.config import Config
from idtoken_migrate.config.file import ConfigError, load_config
from idtoken_migrate.model import SiteFacts
from idtoken_migrate.verifier.render import RenderError, render_verifier

SHARED = "shared-app"  # one registration: the API's audience is also the legacy client id
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
JWT_PROVIDERS = ("generic", "keycloak", "entra", "okta", "auth0", "cognito")
LEGACY_ALGORITHMS = ("RS256", "ES256")  # ID tokens are signed with the RSA and the EC key


def shared_config(provider: str, jwks_uri: str, **access: Any) -> Config:
    """The provider's scenario config with one audience for the API and the legacy client."""
    base = SCENARIOS[provider].config(jwks_uri=jwks_uri)
    access.setdefault("required_scopes", ())
    return dataclasses.replace(
        base,
        access_token=dataclasses.replace(base.access_token, audience=(SHARED,), **access),
        legacy_id_token=dataclasses.replace(
            base.legacy_id_token, client_ids=(SHARED,), algorithms=LEGACY_ALGORITHMS
        ),
    )


def token(key: SigningKey, claims: dict[str, Any], typ: str | None = "JWT", **header: Any) -> str:
    head: dict[str, Any] = {"alg": key.alg, "kid": key.kid, **header}
    if typ is not None:
        head["typ"] = typ
    return sign(head, claims, key)


def code_flow_id_claims(provider: str, **changes: Any) -> dict[str, Any]:
    """ID-token claims as code flow (or a refresh) returns them: no nonce, no at_hash."""
    changes = {"nonce": DROP, "at_hash": DROP, "c_hash": DROP, **changes}
    return SCENARIOS[provider].id_claims(**changes)


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "idtoken-migrate.yaml"
    path.write_text(text, encoding="utf-8")
    return path


SHARED_YAML = """\
version: 1
provider: {provider}
issuer: {issuer}
jwks_uri: https://idp.example.com/jwks.json
phase: {phase}
access_token:
  audience: [{shared}]
{extra}legacy_id_token:
  client_ids: [{shared}]
"""


def shared_yaml(provider: str, phase: str = "dual", extra: str = "") -> str:
    return SHARED_YAML.format(
        provider=provider,
        issuer=SCENARIOS[provider].issuer,
        phase=phase,
        shared=SHARED,
        extra=extra,
    )


# --- 1. shared audience on a profile whose rules cannot be told apart -------------------------


def test_attack_config_no_longer_renders(provider_routes: dict[str, str]) -> None:
    """The attack run's config: generic, audience [app], client_ids [app], nothing else. Before
    the fix a code-flow ID token passed strict as an access token (commit 76c752c proved it)."""
    config = shared_config("generic", provider_routes["generic"])
    for phase in ("dual", "strict"):
        with pytest.raises(RenderError, match="access_token.audience: 'shared-app' is both"):
            render_verifier(config, phase)


@pytest.mark.parametrize("provider", ["generic", "auth0"])
@pytest.mark.parametrize("phase", ["dual", "strict"])
def test_loader_refuses_a_shared_audience_without_a_discriminator(
    provider: str, phase: str, tmp_path: Path
) -> None:
    path = write_config(tmp_path, shared_yaml(provider, phase))
    with pytest.raises(ConfigError) as caught:
        load_config(path, tmp_path)
    error = caught.value
    assert error.line == 7 and error.key == "access_token.audience"  # the audience list
    assert f"{path.name}:7: access_token.audience:" in str(error)
    for remedy in ("require_at_jwt: true", "required_scopes", "required_claims"):
        assert remedy in str(error)


@pytest.mark.parametrize("command", [("plan", "."), ("apply", ".", "--phase", "strict")])
def test_plan_and_apply_stop_on_it(command: tuple[str, ...], tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import jwt\n", encoding="utf-8")
    write_config(tmp_path, shared_yaml("generic"))
    proc = subprocess.run(
        [sys.executable, "-m", "idtoken_migrate", *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert "idtoken-migrate.yaml:7: access_token.audience:" in line
    assert "required_scopes" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py", "idtoken-migrate.yaml"]


DISCRIMINATORS = {
    "require_at_jwt": "  require_at_jwt: true\n",
    "required_scopes": "  required_scopes: [read]\n",
    "required_claims": "  required_claims: [scope]\n",
}


@pytest.mark.parametrize("provider", ["generic", "auth0"])
@pytest.mark.parametrize("name", DISCRIMINATORS)
def test_a_working_discriminator_makes_the_config_valid(
    provider: str, name: str, tmp_path: Path
) -> None:
    config = load_config(
        write_config(tmp_path, shared_yaml(provider, extra=DISCRIMINATORS[name])), tmp_path
    )
    assert config.access_token.audience == (SHARED,)


@pytest.mark.parametrize("provider", ["okta", "keycloak", "entra", "cognito"])
def test_profiles_with_claim_discriminators_allow_a_shared_audience(
    provider: str, tmp_path: Path
) -> None:
    config = load_config(write_config(tmp_path, shared_yaml(provider)), tmp_path)
    assert config.legacy_id_token.client_ids == (SHARED,)


def _shared_access_claims(provider: str, **changes: Any) -> dict[str, Any]:
    aud_claim = "client_id" if provider == "cognito" else "aud"
    return SCENARIOS[provider].access_claims(**{aud_claim: SHARED, **changes})


SHARED_CASES = [
    # provider, discriminator config, access-token header typ
    ("generic", {"require_at_jwt": True}, "at+jwt"),
    ("generic", {"required_scopes": ("read",)}, "JWT"),
    ("generic", {"required_claims": (("token_use", "access"),)}, "JWT"),
    ("auth0", {"require_at_jwt": True}, "at+jwt"),
    ("auth0", {"required_scopes": ("read",)}, "JWT"),
    ("okta", {}, None),
    ("keycloak", {}, "JWT"),
    ("entra", {}, "JWT"),
]


@pytest.mark.parametrize(
    ("provider", "access", "typ"),
    SHARED_CASES,
    ids=[f"{p}-{'-'.join(a) or 'profile'}" for p, a, _ in SHARED_CASES],
)
def test_shared_audience_one_token_one_rule(
    provider: str,
    access: dict[str, Any],
    typ: str | None,
    keys: Keys,
    provider_routes: dict[str, str],
    module_dir: Path,
) -> None:
    config = shared_config(provider, provider_routes[provider], **access)
    dual = render_and_load(config, "dual", module_dir)
    strict = render_and_load(config, "strict", module_dir)
    at_claims = _shared_access_claims(provider, token_use="access")
    id_claims = code_flow_id_claims(provider, aud=SHARED, azp=DROP)
    for key in (keys.rsa, keys.ec):
        access_token = token(key, at_claims, typ)
        code_flow = token(key, id_claims)
        with_nonce = token(key, {**id_claims, "nonce": "n-9"})
        assert strict.verify(access_token, now=NOW).kind == "access_token"
        assert dual.verify(access_token, now=NOW).kind == "access_token"
        # The attack: a code-flow ID token is no access token, in either phase.
        assert reject_reason(strict, code_flow) in ("unrecognized_token", "id_token_not_accepted")
        assert dual.verify(code_flow, now=NOW).kind == "legacy_id_token"
        assert reject_reason(strict, with_nonce) == "id_token_not_accepted"
        assert dual.verify(with_nonce, now=NOW).kind == "legacy_id_token"


def test_shared_audience_id_token_in_dual_meets_the_kill_switch(
    keys: Keys,
    provider_routes: dict[str, str],
    module_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It reaches the legacy rule now, so the kill switch (and the sunset) apply to it."""
    config = shared_config("generic", provider_routes["generic"], required_scopes=("read",))
    dual = render_and_load(config, "dual", module_dir)
    monkeypatch.setenv(config.window.kill_switch_env, "1")
    code_flow = token(keys.rsa, code_flow_id_claims("generic", aud=SHARED))
    assert reject_reason(dual, code_flow) == "id_token_disabled"


def test_required_claims_hold_on_the_access_path(
    keys: Keys, provider_routes: dict[str, str], module_dir: Path
) -> None:
    config = shared_config(
        "generic", provider_routes["generic"], required_claims=(("token_use", "access"),)
    )
    strict = render_and_load(config, "strict", module_dir)
    api_only = dataclasses.replace(
        config,
        access_token=dataclasses.replace(config.access_token, audience=(SHARED, "https://api")),
    )
    strict_two = render_and_load(api_only, "strict", module_dir)
    claims = _shared_access_claims("generic", aud="https://api")
    assert reject_reason(strict_two, token(keys.rsa, claims, "at+jwt")) == "missing_claim"
    wrong = {**claims, "token_use": "id"}
    assert reject_reason(strict_two, token(keys.rsa, wrong, "at+jwt")) == "invalid_claim"
    good = {**claims, "token_use": "access"}
    assert strict_two.verify(token(keys.ec, good, "at+jwt"), now=NOW).kind == "access_token"
    # Without the claim, the shared audience alone does not make an access token.
    shared_claims = _shared_access_claims("generic")
    assert reject_reason(strict, token(keys.rsa, shared_claims, "JWT")) == "unrecognized_token"


# --- 2. the legacy rule refuses the provider's access-token markers ---------------------------


def _legacy_module(
    provider: str, provider_routes: dict[str, str], module_dir: Path, **legacy: Any
) -> ModuleType:
    config = SCENARIOS[provider].config(jwks_uri=provider_routes[provider])
    legacy.setdefault("algorithms", LEGACY_ALGORITHMS)
    config = dataclasses.replace(
        config, legacy_id_token=dataclasses.replace(config.legacy_id_token, **legacy)
    )
    return render_and_load(config, "dual", module_dir)


MARKED = [
    # provider, claim changes of an otherwise valid legacy ID token (aud = the client)
    ("entra", {"idtyp": "app", "nonce": DROP}),  # client credentials, no roles, no scp
    ("entra", {"azpacr": "1", "nonce": DROP}),  # any v2 access token
    ("entra", {"appidacr": "1", "nonce": DROP}),  # any v1 access token
    ("okta", {"cid": "0oa1b2c3d4e5f6g7h8", "nonce": DROP}),
    ("okta", {"scp": ["openid"], "nonce": DROP}),
    ("auth0", {"gty": "client-credentials", "nonce": DROP}),
    ("auth0", {"permissions": ["read:orders"], "nonce": DROP}),
    ("generic", {"scope": "openid read", "nonce": DROP}),
    ("keycloak", {"typ": "Bearer", "nonce": DROP}),  # both rules' markers: ambiguous_token
    ("keycloak", {"typ": "Refresh", "nonce": DROP}),
    ("keycloak", {"typ": DROP, "nonce": DROP}),
    ("cognito", {"token_use": "access"}),
    ("cognito", {"token_use": DROP}),
]


@pytest.mark.parametrize(
    ("provider", "changes"), MARKED, ids=[f"{p}-{next(iter(c))}" for p, c in MARKED]
)
def test_legacy_rule_refuses_access_token_markers(
    provider: str,
    changes: dict[str, Any],
    keys: Keys,
    provider_routes: dict[str, str],
    module_dir: Path,
) -> None:
    dual = _legacy_module(provider, provider_routes, module_dir)
    scenario = SCENARIOS[provider]
    legit = token(keys.rsa, scenario.id_claims(), scenario.id_typ)
    assert dual.verify(legit, now=NOW).kind == "legacy_id_token"
    marked = token(keys.ec, scenario.id_claims(**changes), scenario.id_typ)
    expected = "ambiguous_token" if changes.get("typ") == "Bearer" else "not_an_id_token"
    assert reject_reason(dual, marked) == expected


def test_entra_id_token_with_app_roles_is_still_a_legacy_id_token(
    keys: Keys, provider_routes: dict[str, str], module_dir: Path
) -> None:
    """Entra ID tokens carry the user's app roles in `roles`: not an access-token marker there."""
    dual = _legacy_module("entra", provider_routes, module_dir)
    scenario = SCENARIOS["entra"]
    with_roles = token(keys.rsa, scenario.id_claims(roles=["Orders.Read"]), scenario.id_typ)
    assert dual.verify(with_roles, now=NOW).kind == "legacy_id_token"


def test_entra_shared_registration_app_token(
    keys: Keys, provider_routes: dict[str, str], module_dir: Path
) -> None:
    """Issue 14.2 as found: one app registration for SPA and API (v2 aud = its client id); an
    app-only client-credentials token without roles or scp fails the access rule, and must not be
    accepted as an ID token either."""
    config = shared_config("entra", provider_routes["entra"])
    dual = render_and_load(config, "dual", module_dir)
    app_only = SCENARIOS["entra"].access_claims(
        aud=SHARED, azp=SHARED, scp=DROP, idtyp="app", azpacr="1", sub="svc", oid="svc"
    )
    assert reject_reason(dual, token(keys.rsa, app_only)) == "not_an_id_token"
    without_idtyp = {k: v for k, v in app_only.items() if k != "idtyp"}
    assert reject_reason(dual, token(keys.rsa, without_idtyp)) == "not_an_id_token"


# --- 3. azp must be a configured client ------------------------------------------------------


@pytest.mark.parametrize("provider", JWT_PROVIDERS)
def test_azp_of_another_client_is_refused(
    provider: str, keys: Keys, provider_routes: dict[str, str], module_dir: Path
) -> None:
    scenario = SCENARIOS[provider]
    dual = _legacy_module(provider, provider_routes, module_dir)
    other = token(keys.rsa, scenario.id_claims(azp="other-client"), scenario.id_typ)
    assert reject_reason(dual, other) == "wrong_audience"
    odd = token(keys.rsa, scenario.id_claims(azp=["other-client"]), scenario.id_typ)
    assert reject_reason(dual, odd) == "wrong_audience"
    own = token(keys.ec, scenario.id_claims(azp=scenario.client), scenario.id_typ)
    assert dual.verify(own, now=NOW).kind == "legacy_id_token"
    allowed = _legacy_module(
        provider, provider_routes, module_dir, authorized_parties=("other-client",)
    )
    assert allowed.verify(other, now=NOW).kind == "legacy_id_token"


def test_authorized_parties_config_key(tmp_path: Path) -> None:
    text = shared_yaml("okta").replace(SHARED, "web") + "  authorized_parties: [mobile]\n"
    config = load_config(write_config(tmp_path, text), tmp_path)
    assert config.legacy_id_token.authorized_parties == ("mobile",)
    bad = write_config(tmp_path, text.replace("[mobile]", "{a: 1}"))
    with pytest.raises(ConfigError, match=r":10: legacy_id_token.authorized_parties: must be"):
        load_config(bad, tmp_path)


# --- 4. back-channel logout tokens ------------------------------------------------------------


@pytest.mark.parametrize("provider", JWT_PROVIDERS)
def test_logout_tokens_are_refused(
    provider: str, keys: Keys, provider_routes: dict[str, str], module_dir: Path
) -> None:
    scenario = SCENARIOS[provider]
    dual = _legacy_module(provider, provider_routes, module_dir)
    logout = scenario.id_claims(
        nonce=DROP, at_hash=DROP, sid="sess1", jti="lt-1", events={LOGOUT_EVENT: {}}
    )
    assert reject_reason(dual, token(keys.rsa, logout, scenario.id_typ)) == "not_an_id_token"
    typed = token(keys.ec, logout, "logout+jwt")
    assert reject_reason(dual, typed) in ("wrong_type", "unrecognized_token")


def test_keycloak_logout_typ_is_refused(
    keys: Keys, provider_routes: dict[str, str], module_dir: Path
) -> None:
    dual = _legacy_module("keycloak", provider_routes, module_dir)
    logout = SCENARIOS["keycloak"].id_claims(typ="Logout", nonce=DROP, sid="s-1")
    assert reject_reason(dual, token(keys.rsa, logout)) == "not_an_id_token"


# --- 5. Cognito: token_use must be "id" --------------------------------------------------------


def test_cognito_legacy_rule_requires_token_use_id(
    keys: Keys, provider_routes: dict[str, str], module_dir: Path
) -> None:
    dual = _legacy_module("cognito", provider_routes, module_dir)
    cognito = SCENARIOS["cognito"]
    for token_use in ("access", "ID", "", 1):
        claims = cognito.id_claims(token_use=token_use)
        assert reject_reason(dual, token(keys.rsa, claims, None)) == "not_an_id_token"
    assert dual.verify(token(keys.ec, cognito.id_claims(), None), now=NOW).kind == (
        "legacy_id_token"
    )


# --- 6. huge numbers -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("provider", ["generic", "cognito", "entra"])
def test_huge_numeric_dates_are_a_clear_rejection(
    provider: str,
    name: str,
    keys: Keys,
    provider_routes: dict[str, str],
    module_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    scenario = SCENARIOS[provider]
    dual = _legacy_module(provider, provider_routes, module_dir)
    strict = render_and_load(
        scenario.config(jwks_uri=provider_routes[provider]), "strict", module_dir
    )
    huge = "9" * 400
    cases = []
    for value in (huge, "-" + huge, "1e400"):
        for claims, typ in (
            (scenario.access_claims(), scenario.access_typ),
            (scenario.id_claims(), scenario.id_typ),
        ):
            text = sign_payload(claims, name, value)
            cases.append((text, typ))
    with caplog.at_level(logging.DEBUG):
        for payload, typ in cases:
            header = {"alg": "RS256", "kid": keys.rsa.kid}
            if typ is not None:
                header["typ"] = typ
            signed = sign_raw(header, payload.encode(), keys.rsa)
            assert reject_reason(dual, signed) == "invalid_claim"
            try:
                strict.verify(signed, now=NOW)
            except strict.TokenRejected as rejected:
                assert rejected.reason in ("invalid_claim", "id_token_not_accepted")
                if rejected.reason == "invalid_claim":
                    assert "out of range" in rejected.detail
            else:
                raise AssertionError("accepted")
        # Beyond Python's int-digit limit, the JSON itself is refused.
        beyond = sign_payload(scenario.access_claims(), name, "9" * 5000)
        header = {"alg": "RS256", "kid": keys.rsa.kid}
        assert reject_reason(dual, sign_raw(header, beyond.encode(), keys.rsa)) in (
            "malformed",
            "token_too_large",
        )
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text and "OverflowError" not in caplog.text


def sign_payload(claims: dict[str, Any], name: str, literal: str) -> str:
    """The claims as JSON text with `name` set to a number literal json.dumps cannot write."""
    import json

    marker = "__NUMBER__"
    text = json.dumps({**claims, name: marker}, separators=(",", ":"))
    return text.replace(f'"{marker}"', literal)


# --- 7. the logged sub hash is keyed ---------------------------------------------------------


def _legacy_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "idtoken_migrate.verifier.legacy"]


def test_sub_hash_is_keyed_per_deployment(
    keys: Keys,
    provider_routes: dict[str, str],
    module_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    scenario = SCENARIOS["auth0"]
    subject = scenario.id_token["sub"]
    legit = token(keys.rsa, scenario.id_claims())
    source = render_verifier(
        scenario.config(jwks_uri=provider_routes["auth0"]), "dual", tuning=fast_tuning()
    )

    monkeypatch.setenv(SUB_HASH_KEY_ENV, "deployment-a")
    first = load_module(source, module_dir)
    with caplog.at_level(logging.INFO):
        first.verify(legit, now=NOW)
    (record,) = _legacy_records(caplog)
    assert record.getMessage().startswith(
        f"legacy ID token accepted: client_id={scenario.client} "
        f"sub_hash={sub_hash(subject, 'deployment-a')} "
    )
    assert hashlib.sha256(subject.encode()).hexdigest()[:16] not in caplog.text
    caplog.clear()

    monkeypatch.setenv(SUB_HASH_KEY_ENV, "deployment-b")
    second = load_module(source, module_dir)
    with caplog.at_level(logging.INFO):
        second.verify(legit, now=NOW)
    assert f"sub_hash={sub_hash(subject, 'deployment-b')}" in caplog.text
    assert sub_hash(subject, "deployment-a") != sub_hash(subject, "deployment-b")


def test_sub_hash_without_a_key_is_random_per_process_and_says_so(
    keys: Keys,
    provider_routes: dict[str, str],
    module_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.delenv(SUB_HASH_KEY_ENV)
    scenario = SCENARIOS["keycloak"]
    dual = _legacy_module("keycloak", provider_routes, module_dir)
    legit = token(keys.ec, scenario.id_claims())
    with caplog.at_level(logging.INFO):
        dual.verify(legit, now=NOW)
        dual.verify(legit, now=NOW)
    records = _legacy_records(caplog)
    warnings = [r for r in records if SUB_HASH_KEY_ENV in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING  # once per process
    hashes = {
        r.getMessage().rsplit("sub_hash=", 1)[1] for r in records if "sub_hash=" in r.getMessage()
    }
    assert len(hashes) == 1  # stable within the process
    subject = scenario.id_token["sub"]
    assert hashes.pop() not in (
        hashlib.sha256(subject.encode()).hexdigest()[:16],
        sub_hash(subject, ""),
    )


@pytest.mark.parametrize(("provider", "shared"), [("auth0", False), ("cognito", True)])
def test_init_starter_never_writes_an_indistinguishable_config(
    provider: str, shared: bool, tmp_path: Path
) -> None:
    """A project that checks access and ID tokens against one literal audience: the starter
    config `init` writes must still load (its contract), so it does not reuse that audience where
    the profile cannot tell the kinds apart by it."""
    from idtoken_migrate.config.starter import render_starter_config
    from idtoken_migrate.model import ACCESS_TOKEN, ID_TOKEN_BEARER, Finding, ScanResult, ScanStats

    def site(kind: str, line: int) -> Finding:
        return Finding(
            rule="IDT101",
            kind=kind,
            path="app/auth.py",
            line=line,
            column=5,
            end_line=line,
            end_column=40,
            confidence="high",
            library="pyjwt",
            provider=provider,
            message="jwt.decode",
            evidence=(f"{provider} issuer",),
            fingerprint=f"f{line}",
            facts=SiteFacts(audience_expr='"app-42"', issuer_expr=repr(SCENARIOS[provider].issuer)),
        )

    findings = (site(ID_TOKEN_BEARER, 10), site(ACCESS_TOKEN, 20))
    result = ScanResult(root=str(tmp_path), findings=findings, stats=ScanStats(files=1))
    write_config(tmp_path, render_starter_config(result))
    config = load_config(None, tmp_path)
    assert config.legacy_id_token.client_ids == ("app-42",)
    assert (config.access_token.audience == ("app-42",)) is shared
