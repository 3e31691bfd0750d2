"""Root conftest: kept minimal. Shared fixtures belong in the conftest of a test subfolder."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

# Parsed rule packs are cached per machine (yamlcache); tests keep theirs apart from the
# user's. Subprocesses inherit the variable.
if "IDTOKEN_MIGRATE_RULES_CACHE" not in os.environ:  # xdist workers inherit the controller's
    _RULES_CACHE = tempfile.mkdtemp(prefix="idtm-rules-")
    os.environ["IDTOKEN_MIGRATE_RULES_CACHE"] = _RULES_CACHE
    atexit.register(shutil.rmtree, _RULES_CACHE, ignore_errors=True)
# The scan cache's default folder is under $XDG_CACHE_HOME: not the user's during tests.
if not os.environ.get("IDTOKEN_MIGRATE_TEST_XDG"):
    _XDG = tempfile.mkdtemp(prefix="idtm-xdg-")
    os.environ["XDG_CACHE_HOME"] = os.environ["IDTOKEN_MIGRATE_TEST_XDG"] = _XDG
    atexit.register(shutil.rmtree, _XDG, ignore_errors=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: builds or installs packages (-m 'not slow' skips)")
