"""render_verifier: what the generated source contains, refuses to contain, and how it imports."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest
from verifier_kit import (
    HS_SECRET_ENV,
    KILL_SWITCH_ENV,
    NOW,
    SCENARIOS,
    SUNSET,
    JwksServer,
    Keys,
    Route,
    load_module,
    reject_reason,
    render_and_load,
    sign,
)

from idtoken_migrate.config import (
    PROVIDERS,
    AccessTokenConfig,
    Config,
    LegacyIdTokenConfig,
    WindowConfig,
)
from idtoken_migrate.config.rulepack import load_rules
from idtoken_migrate.verifier.render import (
    RenderError,
    UnsupportedProviderError,
    render_verifier,
)

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden" / "verifier_auth0_dual.py"
UPDATE_GOLDEN = "IDTOKEN_MIGRATE_UPDATE_GOLDEN"


def config_for(name: str, legacy_alg: str = "HS256", **changes: object) -> Config:
    scenario = SCENARIOS[name]
    config = scenario.config(jwks_uri="https://keys.example.com/jwks.json", legacy_alg=legacy_alg)
    return replace(config, **changes)


def golden_config() -> Config:
    return Config(
        provider="auth0",
        issuer="https://example.eu.auth0.com/",
        access_token=AccessTokenConfig(
            audience=("https://api.example.com",),
            algorithms=("RS256",),
            required_scopes=("read:orders",),
        ),
        legacy_id_token=LegacyIdTokenConfig(
            client_ids=("AbCdEf123",), algorithms=("HS256",), secret_env="AUTH0_CLIENT_SECRET"
        ),
        window=WindowConfig(sunset=dt.date(2027, 3, 1)),
        claims=(("email", "https://example.com/email"), ("name", "https://example.com/name")),
        source="idtoken-migrate.yaml",
    )


@pytest.mark.parametrize("legacy_alg", ["HS256", "RS256"])
@pytest.mark.parametrize("provider", SCENARIOS)
def test_strict_source_has_no_legacy_path(provider: str, legacy_alg: str) -> None:
    config = config_for(provider, legacy_alg)
    source = render_verifier(config, "strict")
    forbidden = [
        HS_SECRET_ENV,
        KILL_SWITCH_ENV,
        "environ",
        "HS256",
        "HS384",
        "HS512",
        "HMAC",
        "legacy",
        "Legacy",
        "sunset",
        "SUNSET",
        SUNSET.isoformat(),
        f"{SUNSET.year}, {SUNSET.month}, {SUNSET.day}",
    ]
    if config.legacy_id_token.client_ids[0] not in config.access_token.audience:
        forbidden.append(config.legacy_id_token.client_ids[0])  # Cognito: it is the API's client
    assert [word for word in forbidden if word in source] == []
    dual = render_verifier(config, "dual")
    assert HS_SECRET_ENV in dual or legacy_alg == "RS256"
    assert KILL_SWITCH_ENV in dual and "legacy_acceptances" in dual


def test_google_has_no_verifier_and_says_what_to_do() -> None:
    config = Config(provider="google", issuer="https://accounts.google.com")
    with pytest.raises(UnsupportedProviderError) as raised:
        render_verifier(config, "dual")
    text = raised.value.instead
    assert "opaque" in text and "tokeninfo" in text and "ID token" in text
    assert not list((REPO / "templates").rglob("*google*"))


INVALID = {
    "hs-access-alg": dict(access_token=AccessTokenConfig(audience=("a",), algorithms=("HS256",))),
    "none-access-alg": dict(access_token=AccessTokenConfig(audience=("a",), algorithms=("none",))),
    "no-audience": dict(access_token=AccessTokenConfig(audience=())),
    "blank-audience": dict(access_token=AccessTokenConfig(audience=(" a",))),
    "http-jwks": dict(jwks_uri="http://keys.example.com/jwks.json"),
    "file-jwks": dict(jwks_uri="file:///etc/passwd"),
    "jwks-credentials": dict(jwks_uri="https://user:pw@keys.example.com/jwks.json"),
    "hs-without-secret-env": dict(
        legacy_id_token=LegacyIdTokenConfig(client_ids=("c",), algorithms=("HS256",))
    ),
    "secret-env-not-a-name": dict(
        legacy_id_token=LegacyIdTokenConfig(
            client_ids=("c",), algorithms=("HS256",), secret_env="X; import os"
        )
    ),
    "no-legacy-client": dict(legacy_id_token=LegacyIdTokenConfig(client_ids=())),
    "none-legacy-alg": dict(
        legacy_id_token=LegacyIdTokenConfig(client_ids=("c",), algorithms=("none",))
    ),
    "kill-switch-not-a-name": dict(window=WindowConfig(kill_switch_env="A B")),
    "leeway-negative": dict(leeway=-1),
    "leeway-huge": dict(leeway=86400),
    "scope-with-space": dict(
        access_token=AccessTokenConfig(audience=("a",), required_scopes=("read write",))
    ),
    "no-issuer": dict(issuer=""),
    "unknown-provider": dict(provider="ping"),
}


@pytest.mark.parametrize("changes", INVALID.values(), ids=INVALID.keys())
def test_unsafe_config_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(RenderError):
        render_verifier(config_for("okta", **changes), "dual")


def test_other_refusals() -> None:
    with pytest.raises(RenderError, match="phase"):
        render_verifier(config_for("okta"), "both")
    with pytest.raises(RenderError, match="at\\+jwt"):
        render_verifier(config_for("cognito"), "strict", require_at_jwt=True)
    with pytest.raises(RenderError, match="legacy_exceptions"):
        render_verifier(config_for("okta"), "strict", legacy_exceptions=["zope"])
    with pytest.raises(RenderError, match="jwks_uri"):
        render_verifier(config_for("generic", jwks_uri=None), "strict")


def test_strict_ignores_the_unused_legacy_config() -> None:
    # In strict the legacy section may be empty: nothing of it is rendered.
    config = config_for("okta", legacy_id_token=LegacyIdTokenConfig(client_ids=()))
    assert "verify_token" in render_verifier(config, "strict")


@pytest.mark.parametrize(
    ("provider", "issuer", "expected"),
    [
        ("auth0", "https://acme.eu.auth0.com/", "https://acme.eu.auth0.com/.well-known/jwks.json"),
        (
            "cognito",
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123",
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json",
        ),
        (
            "keycloak",
            "https://sso.example.com/realms/acme",
            "https://sso.example.com/realms/acme/protocol/openid-connect/certs",
        ),
        (
            "okta",
            "https://acme.okta.com/oauth2/default",
            "https://acme.okta.com/oauth2/default/v1/keys",
        ),
        (
            "entra",
            "https://login.microsoftonline.com/tid-1/v2.0",
            "https://login.microsoftonline.com/tid-1/discovery/v2.0/keys",
        ),
    ],
)
def test_default_jwks_uri_is_rendered(provider: str, issuer: str, expected: str) -> None:
    source = render_verifier(config_for(provider, issuer=issuer, jwks_uri=None), "strict")
    assert f'"{expected}"' in source


def test_config_values_are_literals_not_code(tmp_path: Path) -> None:
    hostile = 'https://idp.example.com/"\n__import__("os").system("id")\n"""'
    config = config_for(
        "generic",
        issuer=hostile,
        source="/tmp/evil\nimport os.yaml",
        claims=(("email", 'x"\n)'),),
    )
    source = render_verifier(config, "dual")
    module = load_module(source, tmp_path)
    assert hostile == module.ISSUER
    assert module.CLAIM_MAP == (("email", 'x"\n)'),)
    header = source.splitlines()[0]
    assert header.startswith("# Generated by idtoken-migrate") and "evil?import os.yaml" in header
    tree = ast.parse(source)
    calls = {
        n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call) and hasattr(n.func, "attr")
    }
    assert "system" not in calls


def test_rendering_is_deterministic_and_says_how_to_regenerate() -> None:
    config = config_for("keycloak")
    first, second = render_verifier(config, "dual"), render_verifier(config, "dual")
    assert first == second
    lines = first.splitlines()
    assert "idtoken-migrate.yaml" in lines[0] and "keycloak" in lines[0] and "dual" in lines[0]
    assert "idtoken-migrate apply --phase dual --write" in "\n".join(lines[:4])


def test_rendered_module_is_standalone() -> None:
    allowed = set(sys.stdlib_module_names) | {"jwt"}
    for provider in SCENARIOS:
        for phase in ("dual", "strict"):
            tree = ast.parse(render_verifier(config_for(provider), phase))
            imported = {
                (alias.name if isinstance(node, ast.Import) else node.module or "").split(".")[0]
                for node in ast.walk(tree)
                if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names
            }
            assert imported <= allowed, (provider, phase, imported - allowed)


def test_rendered_module_imports_with_only_pyjwt(tmp_path: Path) -> None:
    path = tmp_path / "token_verifier.py"
    path.write_text(render_verifier(config_for("auth0"), "dual"), encoding="utf-8")
    blocked = [
        "jose",
        "authlib",
        "joserfc",
        "google",
        "okta_jwt_verifier",
        "auth0",
        "idtoken_migrate",
    ]
    script = (
        "import sys\n"
        f"for name in {blocked!r}:\n"
        "    sys.modules[name] = None\n"
        "import token_verifier\n"
        "assert issubclass(token_verifier.TokenRejected, __import__('jwt').InvalidTokenError)\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def _installed(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


LEGACY_CATCHES = {
    "pyjwt": ("jwt", "InvalidTokenError"),
    "python-jose": ("jose.exceptions", "JWTError"),
    "authlib": ("authlib.jose.errors", "JoseError"),
    "joserfc": ("joserfc.errors", "JoseError"),
    "google-auth": ("builtins", "ValueError"),
}


@pytest.mark.filterwarnings("ignore:authlib.jose module is deprecated")
@pytest.mark.parametrize("library", LEGACY_CATCHES)
def test_legacy_except_clauses_still_catch_rejections(
    library: str, tmp_path: Path, keys: Keys, jwks_server: JwksServer
) -> None:
    module_name, class_name = LEGACY_CATCHES[library]
    if not _installed(module_name):
        pytest.skip(f"{module_name} is not installed")
    legacy_error = getattr(__import__(module_name, fromlist=[class_name]), class_name)
    scenario = SCENARIOS["auth0"]
    url = jwks_server.add_route(Route(jwks={"keys": [keys.rsa.jwk]}))
    module = render_and_load(
        scenario.config(jwks_uri=url), "dual", tmp_path, legacy_exceptions=[library]
    )
    expired = sign(
        scenario.access_header(keys.rsa), scenario.access_claims(now=NOW - 9999), keys.rsa
    )
    try:
        module.verify_token(expired, now=NOW)
    except legacy_error as error:  # what the legacy code wrote: still a 401
        assert error.reason == "expired"
        assert str(error) == "expired: exp is in the past"
    else:
        pytest.fail("expired token accepted")


def test_all_legacy_exception_bases_together(tmp_path: Path) -> None:
    installed = ["python-jose", "authlib", "joserfc", "google-auth"]
    source = render_verifier(config_for("okta"), "strict", legacy_exceptions=installed)
    module = load_module(source, tmp_path)
    error = module.TokenRejected("bad_signature", "x")
    assert isinstance(error, ValueError) and error.reason == "bad_signature"
    assert set(load_rules().exception_bases) >= set(installed)


@pytest.mark.parametrize("provider", ["auth0", "keycloak", "generic"])
def test_require_at_jwt(provider: str, tmp_path: Path, keys: Keys, jwks_server: JwksServer) -> None:
    scenario = SCENARIOS[provider]
    url = jwks_server.add_route(Route(jwks={"keys": [keys.rsa.jwk]}))
    module = render_and_load(scenario.config(jwks_uri=url), "strict", tmp_path, require_at_jwt=True)
    claims = scenario.access_claims()
    for typ, expected in [
        ("at+jwt", None),
        ("JWT", "wrong_type"),
        (None, "wrong_type"),
        ("dpop+jwt", "wrong_type"),
        ("jwt+at", "wrong_type"),
    ]:
        header = {"alg": "RS256", "kid": keys.rsa.kid}
        if typ:
            header["typ"] = typ
        token = sign(header, claims, keys.rsa)
        if expected is None:
            assert module.verify(token, now=NOW).kind == "access_token"
        else:
            assert reject_reason(module, token) == expected, typ


def test_rendered_modules_pass_ruff(tmp_path: Path) -> None:
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed next to this interpreter")
    for provider in SCENARIOS:
        for phase in ("dual", "strict"):
            for legacy_alg in ("RS256", "HS256"):
                source = render_verifier(
                    config_for(provider, legacy_alg),
                    phase,
                    legacy_exceptions=["python-jose"] if legacy_alg == "HS256" else [],
                )
                (tmp_path / f"v_{provider}_{phase}_{legacy_alg}.py").write_text(source)
                base = config_for(provider, legacy_alg)
                variants = {
                    "introspection": dataclasses.replace(
                        base,
                        access_token=dataclasses.replace(
                            base.access_token,
                            validation="introspection",
                            introspection_endpoint="https://idp.example.com/introspect",
                            introspection_client_id_env="API_CLIENT_ID",
                            introspection_client_secret_env="API_CLIENT_SECRET",
                        ),
                    ),
                    "google": dataclasses.replace(
                        base,
                        legacy_id_token=dataclasses.replace(
                            base.legacy_id_token,
                            provider="google",
                            issuer="https://accounts.google.com",
                        ),
                    ),
                }
                for name, variant in variants.items():
                    source = render_verifier(variant, phase)
                    (tmp_path / f"v_{provider}_{phase}_{legacy_alg}_{name}.py").write_text(source)
    config = ["--config", str(REPO / "pyproject.toml"), "--no-cache"]
    check = subprocess.run(
        [str(ruff), "check", *config, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = subprocess.run(
        [str(ruff), "format", "--check", *config, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_golden_rendering() -> None:
    """tests/golden/verifier_auth0_dual.py shows a reviewer one rendering, exactly.

    Regenerate after an intended template change: IDTOKEN_MIGRATE_UPDATE_GOLDEN=1 pytest -k golden
    """
    source = render_verifier(golden_config(), "dual", legacy_exceptions=["python-jose"])
    if os.environ.get(UPDATE_GOLDEN):
        GOLDEN.write_text(source, encoding="utf-8")
    assert GOLDEN.exists(), f"missing {GOLDEN}; run with {UPDATE_GOLDEN}=1"
    assert source == GOLDEN.read_text(encoding="utf-8"), f"rendering changed; {UPDATE_GOLDEN}=1"


def test_golden_rendering_is_a_working_module(tmp_path: Path) -> None:
    module: ModuleType = load_module(GOLDEN.read_text(encoding="utf-8"), tmp_path)
    assert module.JWKS_URI == "https://example.eu.auth0.com/.well-known/jwks.json"
    assert module.LEGACY_SECRET_ENV == "AUTH0_CLIENT_SECRET"
    assert dt.date(2027, 3, 1) == module.SUNSET


def test_every_provider_but_google_renders() -> None:
    renderable = [p for p in PROVIDERS if p != "google"]
    assert set(renderable) == set(SCENARIOS)


# Private names of the rendered module that inspect_token.py drives (offline mode, the
# classification step) and plan.py reads (TokenRejected's bases): renaming one breaks them.
INTERNAL_HOOKS = ("_parse", "_check_signature", "_http_get", "_KeySet", "_Key", "_KEY_TYPES")


@pytest.mark.parametrize("phase", ["dual", "strict"])
def test_names_other_stages_rely_on(phase: str, tmp_path: Path) -> None:
    module = load_module(render_verifier(config_for("auth0"), phase), tmp_path)
    hooks = [*INTERNAL_HOOKS, "_KEYS", "logger", "JWKS_URI"]
    hooks.append("_is_access_token" if phase == "dual" else "_require_access_token")
    if phase == "dual":
        hooks += ["_legacy_secret", "legacy_logger", "legacy_acceptances"]
    assert [name for name in hooks if not hasattr(module, name)] == []
