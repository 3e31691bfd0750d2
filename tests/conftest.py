"""Root conftest: kept minimal. Shared fixtures belong in the conftest of a test subfolder."""

from __future__ import annotations

import os
import tempfile

import pytest

# Parsed rule packs are cached per machine (migrate.yamlcache); tests keep theirs apart from the
# user's. Subprocesses inherit the variable.
os.environ.setdefault("IDTOKEN_MIGRATE_RULES_CACHE", tempfile.mkdtemp(prefix="idtm-rules-"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: long-running test (still part of the default run)")
