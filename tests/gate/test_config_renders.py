"""What the config loader accepts, the renderer renders: one list of algorithms, one leeway range
(a mistake must surface at load time, with its line, not later in plan)."""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import AUTH0_HS256_CONFIG

from idtoken_migrate.config import MAX_LEEWAY_SECONDS, PUBLIC_KEY_ALGORITHMS
from idtoken_migrate.config.file import load_config
from idtoken_migrate.model import UsageError
from idtoken_migrate.verifier.render import ASYMMETRIC_ALGORITHMS, render_verifier


def _load(tmp_path: Path, text: str):
    (tmp_path / "idtoken-migrate.yaml").write_text(text)
    return load_config(None, tmp_path)


def test_the_renderer_knows_every_algorithm_the_config_allows() -> None:
    assert tuple(ASYMMETRIC_ALGORITHMS) == PUBLIC_KEY_ALGORITHMS


@pytest.mark.parametrize("alg", PUBLIC_KEY_ALGORITHMS)
def test_every_accepted_algorithm_renders(tmp_path: Path, alg: str) -> None:
    config = _load(
        tmp_path, AUTH0_HS256_CONFIG.replace("  audience:", f"  algorithms: [{alg}]\n  audience:")
    )
    assert f'"{alg}"' in render_verifier(config, "dual")


def test_leeway_bounds_agree(tmp_path: Path) -> None:
    at_max = _load(tmp_path, AUTH0_HS256_CONFIG + f"leeway: {MAX_LEEWAY_SECONDS}\n")
    render_verifier(at_max, "dual")
    with pytest.raises(UsageError, match=r"idtoken-migrate.yaml:\d+: leeway"):
        _load(tmp_path, AUTH0_HS256_CONFIG + f"leeway: {MAX_LEEWAY_SECONDS + 1}\n")
    with pytest.raises(UsageError, match="ES256K"):
        _load(
            tmp_path,
            AUTH0_HS256_CONFIG.replace("  audience:", "  algorithms: [ES256K]\n  audience:"),
        )
