"""Command-line shell over the engine: parse options, call the engine, print, map exit codes."""

from __future__ import annotations

import importlib
import os
import sys

from migrate.cli.app import app

# Each module registers its commands on `app` when imported, in the order `--help` lists them:
# the order of the workflow. Engines load inside the commands, so start-up stays light.
for _module in ("scan", "init", "plan", "apply", "check", "inspect", "rules", "demo"):
    importlib.import_module(f"migrate.cli.{_module}")


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
