"""Root conftest: kept minimal. Shared fixtures belong in the conftest of a test subfolder."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: long-running test (still part of the default run)")
