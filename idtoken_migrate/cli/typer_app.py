"""The typer application: every command, `--help`, and the error messages of a bad command line.

`main` (in `idtoken_migrate.cli`) reaches this module only when the typer-free path for `scan` and
`check` cannot take the command line (see `idtoken_migrate.cli.params`).
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperArgument, TyperOption

from idtoken_migrate import __version__
from idtoken_migrate.cli.params import Command, Param

# typer shows a value's Python type in `--help` (`--config <path>`, `PATH <list[Path]>`); users
# of ruff and click expect `--config PATH`. An argument's name or metavar says enough.
_READABLE = {"path": "PATH", "str": "TEXT", "int": "N", "int range": "N", "float": "NUMBER"}
_option_type = TyperOption.display_type_rich


def _readable_type(self: TyperOption, ctx: Any) -> str | None:
    label = _option_type(self, ctx)
    if self.metavar is not None or not label:
        return label
    inner = label.strip("<>").removeprefix("list[").removesuffix("]")
    return _READABLE.get(inner.lower(), inner.upper())


TyperOption.display_type_rich = _readable_type  # type: ignore[method-assign]
TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]

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


# What `--help` shows for a value when the declaration names none (typer would show
# `<list[Path]>`).
_METAVARS = {Path: "PATH", int: "N", str: "TEXT"}


def _typer_param(param: Param) -> Any:
    metavar = param.metavar or _METAVARS.get(param.type)
    if not param.flags:
        return typer.Argument(param.default, help=param.help, show_default=False, metavar=metavar)
    return typer.Option(
        param.default,
        *param.flags,
        help=param.help,
        min=param.min,
        hidden=param.hidden,
        metavar=None if param.type is bool else metavar,
    )


# The order `--help` lists the commands in: the order of the workflow. `scan` and `check` are
# declared free of typer; the others register themselves on `app` when imported.
for _name in ("scan", "init", "plan", "apply", "usage", "check", "inspect", "rules", "demo"):
    _module = importlib.import_module(f"idtoken_migrate.cli.{_name}")
    if isinstance(getattr(_module, "COMMAND", None), Command):
        add_command(app, _module.COMMAND)
