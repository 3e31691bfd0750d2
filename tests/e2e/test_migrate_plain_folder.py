"""An app in a plain folder (no package: `api/app.py` imports its siblings, `from auth import
requires_auth`), run the way its README says, `python api/app.py` from the project root, and
talked to over real HTTP on 127.0.0.1 in every phase: every import the migration writes must
resolve when the app runs that way (Python puts `api/`, not the project root, on sys.path)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from .harness import FIXTURES_DIR, Provider
from .phases import ruff_clean, walk
from .served import HttpApp, serve

NAME = "flask_plain_folder"
ME = "/api/me"


def opener(p: Provider):
    env = {
        "AUTH0_DOMAIN": p.extra_env["AUTH0_DOMAIN"],
        "AUTH0_CLIENT_ID": p.client_id,
        "AUTH0_CLIENT_SECRET": p.client_secret or "",
    }

    @contextlib.contextmanager
    def opened(folder: Path, extra: dict[str, str]) -> Iterator[HttpApp]:
        with serve(folder, ["api/app.py"], {**env, **extra}) as app:
            yield app

    return opened


def test_plain_folder_app_migrates_through_every_phase(
    tmp_path: Path, providers: dict[str, Provider]
) -> None:
    p = providers["auth0"]
    src = FIXTURES_DIR / NAME
    seen = []
    for phase, folder in walk(src, tmp_path, p, ME, opener(p), claims=p.claims_map):
        seen.append(phase)
        patched = ruff_clean(src, folder)
        assert folder / "api" / "token_verifier.py" in patched
        assert "from token_verifier import verify_token" in (folder / "api/auth.py").read_text()
        assert not (folder / "api" / "__init__.py").exists()  # still a plain folder
    assert seen == ["dual", "sunset", "strict"]
