"""The typer application: every command, `--help`, and the error messages of a bad command line.

`main` (in `idtoken_migrate.cli`) reaches this module only when the typer-free path for `scan` and
`check` cannot take the command line (see `idtoken_migrate.cli.params`).
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import typer

from idtoken_migrate import __version__
from idtoken_migrate.cli.params import Command, Param

app = typer.Typer(
    name="idtoken-migrate",
    help="Find ID tokens used as API credentials and migrate the API to access tokens.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"idtoken-migrate {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Find ID tokens used as API credentials and migrate the API to access tokens."""


def add_command(target: typer.Typer, command: Command) -> None:
    """Register a command declared with `cli.params` on `target` as a typer command."""
    parameters = [
        inspect.Parameter(
            p.name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=_typer_param(p),
            annotation=_annotation(p),
        )
        for p in command.params
    ]

    def callback(**kwargs: Any) -> None:
        code = command.run(**kwargs)
        if code:
            raise typer.Exit(code)

    callback.__name__ = command.name
    callback.__doc__ = command.help
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__annotations__ = {p.name: p.annotation for p in parameters}
    target.command(command.name)(callback)


def _annotation(param: Param) -> Any:
    if param.multiple:
        return list[param.type] | None  # type: ignore[name-defined]
    if param.default is None:
        return param.type | None
    return param.type


def _typer_param(param: Param) -> Any:
    if not param.flags:
        return typer.Argument(param.default, help=param.help, show_default=False)
    return typer.Option(
        param.default,
        *param.flags,
        help=param.help,
        min=param.min,
        hidden=param.hidden,
        metavar=param.metavar,
    )


# The order `--help` lists the commands in: the order of the workflow. `scan` and `check` are
# declared free of typer; the others register themselves on `app` when imported.
for _name in ("scan", "init", "plan", "apply", "check", "inspect", "rules", "demo"):
    _module = importlib.import_module(f"idtoken_migrate.cli.{_name}")
    if isinstance(getattr(_module, "COMMAND", None), Command):
        add_command(app, _module.COMMAND)
