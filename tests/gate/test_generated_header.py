"""The gate recognises the verifier modules the renderer really writes, in both phases."""

from __future__ import annotations

import datetime as dt

import pytest

from idtoken_migrate.config import AccessTokenConfig, Config, LegacyIdTokenConfig, WindowConfig
from idtoken_migrate.gate.verdict import read_generated_header
from idtoken_migrate.verifier.render import render_verifier

CONFIG = Config(
    provider="auth0",
    issuer="https://example.eu.auth0.com/",
    access_token=AccessTokenConfig(audience=("https://api.example.com",)),
    legacy_id_token=LegacyIdTokenConfig(
        client_ids=("AbCdEf123",), algorithms=("HS256",), secret_env="AUTH0_CLIENT_SECRET"
    ),
    window=WindowConfig(sunset=dt.date(2027, 3, 1)),
)


@pytest.mark.parametrize("phase", ["dual", "strict"])
def test_rendered_verifier_header_names_its_phase(phase: str) -> None:
    header = read_generated_header(render_verifier(CONFIG, phase))
    assert header is not None
    assert header[0] == phase


def test_hand_written_module_is_not_generated() -> None:
    assert read_generated_header("import jwt\n# phase dual\n") is None
