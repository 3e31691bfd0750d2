"""Checks shared by the rule-pack loaders: a mapping's keys, a string list, and errors that name
the file and line (`rules/x.yaml:12: rules[IDT101].fix: unknown key`)."""

from __future__ import annotations

from typing import Any

from idtoken_migrate.model import UsageError


class PackError(UsageError):
    pass


def err(source: str, line: int | None, key: str, message: str) -> UsageError:
    where = f"{source}:{line}" if line else source
    return PackError(f"{where}: {key}: {message}")


def check_keys(obj: Any, allowed: set[str], source: str, where: str) -> None:
    if not isinstance(obj, dict):
        line = getattr(obj, "line", None)
        raise err(source, line, where, "expected a mapping")
    for key in obj:
        if key not in allowed:
            import difflib

            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            lines = getattr(obj, "key_lines", {})
            raise err(
                source, lines.get(str(key)), f"{where}.{key}".lstrip("."), "unknown key" + hint
            )


def line_of(obj: Any, key: str) -> int | None:
    return getattr(obj, "key_lines", {}).get(key, getattr(obj, "line", None))


def str_list(obj: Any, key: str, source: str, where: str) -> tuple[str, ...]:
    value = obj.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise err(
            source, line_of(obj, key), f"{where}.{key}", "expected a string or a list of strings"
        )
    return tuple(value)
