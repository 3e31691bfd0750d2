"""Framework glue (templates/glue): Flask, FastAPI, Django middleware and DRF, on real requests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from verifier_kit import NOW, SCENARIOS, JwksServer, Keys, Route, fast_tuning, sign

from idtoken_migrate.render import GLUE_FRAMEWORKS, RenderError, render_glue, render_verifier

SCENARIO = SCENARIOS["auth0"]


@pytest.fixture
def package(tmp_path: Path, keys: Keys, jwks_server: JwksServer) -> tuple[Path, str]:
    """A package holding the rendered verifier and every glue module; returns (root, name)."""
    name = f"glue_app_{tmp_path.name.replace('-', '_')}"
    folder = tmp_path / name
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    url = jwks_server.add_route(Route(jwks={"keys": [keys.rsa.jwk]}))
    config = SCENARIO.config(jwks_uri=url)
    source = render_verifier(config, "dual", tuning=fast_tuning())
    (folder / "token_verifier.py").write_text(source)
    for framework in GLUE_FRAMEWORKS:
        glue = render_glue(framework, verifier_module=f"{name}.token_verifier")
        (folder / f"{framework}_auth.py").write_text(glue)
    return tmp_path, name


def tokens(keys: Keys) -> dict[str, str]:
    """Tokens valid now (the glue calls verify_token without a `now`)."""
    import time

    now = time.time()
    header = SCENARIO.access_header(keys.rsa)
    return {
        "access": sign(header, SCENARIO.access_claims(now=now), keys.rsa),
        "expired": sign(header, SCENARIO.access_claims(now=now - 7200), keys.rsa),
        "no_scope": sign(header, SCENARIO.access_claims(now=now, scope="openid"), keys.rsa),
        "id_token": sign(SCENARIO.id_header(keys.rsa), SCENARIO.id_claims(now=now), keys.rsa),
    }


def test_render_glue_refuses_bad_input() -> None:
    with pytest.raises(RenderError):
        render_glue("bottle", verifier_module="app.v")
    with pytest.raises(RenderError):
        render_glue("flask", verifier_module="app.v; import os")


def test_glue_passes_ruff(tmp_path: Path) -> None:
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed next to this interpreter")
    for framework in GLUE_FRAMEWORKS:
        source = render_glue(framework, verifier_module="app.auth.token_verifier")
        (tmp_path / f"{framework}_auth.py").write_text(source)
    config = ["--config", str(Path(__file__).resolve().parents[2] / "pyproject.toml")]
    # In the user's project their own package is first-party; say so for this temporary folder.
    first_party = ["--config", "lint.isort.known-first-party = ['app']"]
    for command in (["check", *first_party], ["format", "--check"]):
        result = subprocess.run(
            [str(ruff), *command, *config, "--no-cache", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_flask(package: tuple[Path, str], keys: Keys, monkeypatch: pytest.MonkeyPatch) -> None:
    flask = pytest.importorskip("flask")
    root, name = package
    monkeypatch.syspath_prepend(str(root))
    glue = __import__(f"{name}.flask_auth", fromlist=["require_access_token"])
    app = flask.Flask(__name__)

    @app.get("/orders")
    @glue.require_access_token
    def orders() -> dict:
        return {"email": flask.g.token_claims["email"]}

    client = app.test_client()
    token = tokens(keys)
    ok = client.get("/orders", headers={"Authorization": f"Bearer {token['access']}"})
    assert ok.status_code == 200 and ok.json == {"email": "ada@example.com"}
    legacy = client.get("/orders", headers={"Authorization": f"bearer {token['id_token']}"})
    assert legacy.status_code == 200
    missing = client.get("/orders")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == "Bearer"
    expired = client.get("/orders", headers={"Authorization": f"Bearer {token['expired']}"})
    assert expired.status_code == 401 and expired.json["reason"] == "expired"
    assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]
    scope = client.get("/orders", headers={"Authorization": f"Bearer {token['no_scope']}"})
    assert scope.status_code == 403 and scope.json["error"] == "insufficient_scope"
    garbage = client.get("/orders", headers={"Authorization": "Bearer not.a.token"})
    assert garbage.status_code == 401


def test_fastapi(package: tuple[Path, str], keys: Keys, monkeypatch: pytest.MonkeyPatch) -> None:
    fastapi = pytest.importorskip("fastapi")
    testclient = pytest.importorskip("fastapi.testclient")
    root, name = package
    monkeypatch.syspath_prepend(str(root))
    glue = __import__(f"{name}.fastapi_auth", fromlist=["AccessTokenClaims"])
    app = fastapi.FastAPI()

    def orders(claims):
        return {"email": claims["email"]}

    # Set as objects: this file's `from __future__ import annotations` would make them strings.
    orders.__annotations__ = {"claims": glue.AccessTokenClaims, "return": dict}
    app.get("/orders")(orders)

    client = testclient.TestClient(app)
    token = tokens(keys)
    ok = client.get("/orders", headers={"Authorization": f"Bearer {token['access']}"})
    assert ok.status_code == 200 and ok.json() == {"email": "ada@example.com"}
    missing = client.get("/orders")
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    expired = client.get("/orders", headers={"Authorization": f"Bearer {token['expired']}"})
    assert expired.status_code == 401 and expired.json()["detail"]["reason"] == "expired"
    scope = client.get("/orders", headers={"Authorization": f"Bearer {token['no_scope']}"})
    assert scope.status_code == 403


DJANGO_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    import django
    from django.conf import settings

    name = sys.argv[1]
    tokens = json.loads(os.environ["GLUE_TOKENS"])
    settings.configure(
        DEBUG=False,
        SECRET_KEY="glue-test",
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[f"{name}.django_auth.AccessTokenMiddleware"],
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"],
        DATABASES={},
        REST_FRAMEWORK={"UNAUTHENTICATED_USER": None},
    )
    django.setup()
    from importlib import import_module
    from django.http import JsonResponse
    from django.test import Client
    from django.urls import path
    from rest_framework.permissions import IsAuthenticated
    from rest_framework.response import Response
    from rest_framework.views import APIView

    django_auth = import_module(f"{name}.django_auth")
    drf_auth = import_module(f"{name}.drf_auth")

    @django_auth.access_token_required
    def plain(request):
        return JsonResponse({"email": request.token_claims["email"]})

    class Orders(APIView):
        authentication_classes = [drf_auth.AccessTokenAuthentication]
        permission_classes = [IsAuthenticated]

        def get(self, request):
            return Response({"email": request.auth["email"], "user": str(request.user)})

    urlpatterns = [path("plain", plain), path("drf", Orders.as_view())]
    results = {}
    for route in ("plain", "drf"):
        for kind in ("access", "id_token", "expired", "no_scope", None):
            headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[kind]}"} if kind else {}
            response = Client().get(f"/{route}", **headers)
            results[f"{route}:{kind}"] = [
                response.status_code,
                response.headers.get("WWW-Authenticate", ""),
                json.loads(response.content or b"null"),
            ]
    print(json.dumps(results))
    """
)


def test_django_middleware_and_drf(package: tuple[Path, str], keys: Keys) -> None:
    pytest.importorskip("django")
    pytest.importorskip("rest_framework")
    root, name = package
    env = {**os.environ, "GLUE_TOKENS": json.dumps(tokens(keys)), "PYTHONPATH": str(root)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", DJANGO_SCRIPT, name],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout.strip().splitlines()[-1])
    for route in ("plain", "drf"):
        assert results[f"{route}:access"][0] == 200
        assert results[f"{route}:access"][2]["email"] == "ada@example.com"
        assert results[f"{route}:id_token"][0] == 200  # dual phase, before the sunset
        assert results[f"{route}:expired"][0] == 401
        assert "invalid_token" in results[f"{route}:expired"][1]
        assert results[f"{route}:no_scope"][0] == 403
        assert results[f"{route}:None"][0] == 401
    assert results["plain:expired"][2]["reason"] == "expired"
    assert results["drf:access"][2]["user"] == SCENARIO.access["sub"]


def test_http_error_mapping(package: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    root, name = package
    monkeypatch.syspath_prepend(str(root))
    module = __import__(f"{name}.token_verifier", fromlist=["http_error"])
    assert module.http_error(None) == (
        401,
        {"WWW-Authenticate": "Bearer"},
        {"error": "missing_token"},
    )
    status, headers, body = module.http_error(module.TokenRejected("bad_signature"))
    assert status == 401 and body == {"error": "invalid_token", "reason": "bad_signature"}
    assert module.bearer_token("Bearer  abc ") == "abc"
    for value in (None, "", "Basic abc", "Bearer", "Bearer a b", "Token abc"):
        assert module.bearer_token(value) is None
    assert NOW  # the glue itself uses the real clock
