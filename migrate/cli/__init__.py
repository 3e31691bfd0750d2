"""Command-line shell over the engine: parse options, call the engine, print, map exit codes."""

from __future__ import annotations

import os
import sys

# Each module registers its commands on `app` when imported.
from migrate.cli import apply as _apply  # noqa: F401,E402
from migrate.cli import check as _check  # noqa: F401,E402
from migrate.cli import demo as _demo  # noqa: F401,E402
from migrate.cli import init as _init  # noqa: F401,E402
from migrate.cli import inspect as _inspect  # noqa: F401,E402
from migrate.cli import plan as _plan  # noqa: F401,E402
from migrate.cli import rules as _rules  # noqa: F401,E402
from migrate.cli import scan as _scan  # noqa: F401,E402
from migrate.cli.app import app


def main() -> None:
    try:
        app(prog_name="idtoken-migrate")
    except KeyboardInterrupt:
        print("idtoken-migrate: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # a bug of ours: one line, and the traceback only on request
        if os.environ.get("IDTOKEN_MIGRATE_DEBUG"):
            raise
        print(
            f"idtoken-migrate: internal error: {type(exc).__name__}: {exc} "
            "(set IDTOKEN_MIGRATE_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        sys.exit(2)
