"""Command-line shell over the engine: parse options, call the engine, print, map exit codes.

`scan` and `check` start without typer when their command line is plain (see
`idtoken_migrate.cli.params`); everything else, `--help` and every malformed command line go to the
typer application in `idtoken_migrate.cli.typer_app`.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

_FAST_COMMANDS = ("scan", "check")


def main() -> None:
    try:
        code = _run_fast(sys.argv[1:])
        if code is None:
            sys.exit(_run_typer())
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:  # a full disk behind `> report.txt`
            print(f"idtoken-migrate: error: cannot write the report: {exc}", file=sys.stderr)
            code = 2
        # Everything is written and closed: skip tearing down libcst's thousands of objects,
        # about 50 ms of a one-file scan (as mypy does). main() is only ever the process's
        # entry point (the console script, `python -m migrate`), never called from a library.
        os._exit(code)
    except KeyboardInterrupt:
        print("idtoken-migrate: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:  # `... | head`: the reader has gone, as click handles it
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so the interpreter's flush is quiet
        sys.exit(1)
    except Exception as exc:  # a bug of ours: one line, and the traceback only on request
        if os.environ.get("IDTOKEN_MIGRATE_DEBUG"):
            raise
        print(
            f"idtoken-migrate: internal error: {type(exc).__name__}: {exc} "
            "(set IDTOKEN_MIGRATE_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        sys.exit(2)


def _run_typer() -> int:
    """Run the typer application; a malformed command line is one line on stderr, exit 2
    (click would print usage, a hint and the error on three)."""
    from typer import Abort

    from idtoken_migrate.cli.typer_app import app

    try:  # recent typer carries its own copy of click, and raises its exceptions
        from typer._click import exceptions as click
    except ImportError:
        from click import exceptions as click  # type: ignore[no-redef]

    no_args = getattr(click, "NoArgsIsHelpError", ())  # click >= 8.2
    try:
        code = app(prog_name="idtoken-migrate", standalone_mode=False)
    except no_args as exc:
        exc.show()  # the bare command: its help, as before
        return exc.exit_code
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "idtoken-migrate"
        message = " ".join(exc.format_message().split())
        print(
            f"idtoken-migrate: error: {message} (see '{where} --help')",
            file=sys.stderr,
        )
        return exc.exit_code
    except click.ClickException as exc:
        print(f"idtoken-migrate: error: {' '.join(exc.format_message().split())}", file=sys.stderr)
        return exc.exit_code
    except Abort:
        print("idtoken-migrate: aborted", file=sys.stderr)
        return 1
    return code if isinstance(code, int) else 0


def _run_fast(argv: list[str]) -> int | None:
    """Run `scan` or `check` without typer; None when the command line is typer's to read."""
    if not argv or argv[0] not in _FAST_COMMANDS:
        return None
    if os.name == "nt" and any(c in arg for arg in argv for c in "*?["):
        return None  # click expands globs on Windows, where the shell does not
    from idtoken_migrate.cli.params import parse

    command = importlib.import_module(f"idtoken_migrate.cli.{argv[0]}").COMMAND
    kwargs = parse(command, argv[1:])
    if kwargs is None:
        return None
    return command.run(**kwargs)


def __getattr__(name: str) -> Any:
    if name == "app":  # the typer application, built on first use
        from idtoken_migrate.cli.typer_app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
