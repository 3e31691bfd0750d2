"""A DRF authentication backend in the shape of django-cognito-jwt (tests/corpus/SOURCES.md),
migrated dual -> kill switch -> sunset -> strict and driven through Django's test client in a
worker process: the validator class reads its audience and pool URL from Django settings handed to
its constructor, fetches the JWKS itself, and every failure becomes a 401."""

from __future__ import annotations

from pathlib import Path

from .apploader import AppSpec
from .harness import FIXTURES_DIR, Provider
from .phases import django_app, ruff_clean, walk

NAME = "drf_cognito_backend"
SPEC = AppSpec("django", "profiles.settings")
ME = "/api/me/"


def env(p: Provider) -> dict[str, str]:
    endpoint, _, pool = p.issuer.rpartition("/")
    return {
        "COGNITO_ENDPOINT": endpoint,
        "COGNITO_USER_POOL": pool,
        "COGNITO_AUDIENCE": p.client_id,
    }


def opener(p: Provider):
    def opened(folder: Path, extra: dict[str, str]):
        return django_app(folder, SPEC, {**env(p), **extra}, "/api/health/")

    return opened


def test_drf_backend_migrates_through_every_phase(
    tmp_path: Path, providers: dict[str, Provider]
) -> None:
    p = providers["cognito"]
    src = FIXTURES_DIR / NAME
    seen = []
    for phase, folder in walk(src, tmp_path, p, ME, opener(p), claims=p.claims_map):
        seen.append(phase)
        ruff_clean(src, folder)
    assert seen == ["dual", "sunset", "strict"]
