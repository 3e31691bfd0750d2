"""YAML the tool reads (the user's config, rule packs, provider profiles, the signal vocabulary):
one safe loader whose mappings and lists remember their lines, and the checks every reader
shares, so each mistake is one line `file:line: key: message`.

The loader is PyYAML's SafeLoader, on libyaml's parser (CSafeLoader) when PyYAML has it, as its
wheels do; only the construction of mappings and lists is ours. yaml is imported on first use:
most start-ups read the packs' data from `yamlcache` and never import it.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Collection
from functools import lru_cache
from typing import Any

from idtoken_migrate.model import UsageError

# How a reader turns a problem into its own error: (file, line, key, message) -> exception.
ErrorFactory = Callable[[str, "int | None", str, str], Exception]


def problem_text(file: str, line: int | None, key: str, message: str) -> str:
    """`file:line: key: message`, without the line when none is known, without the key when ""."""
    where = f"{file}:{line}" if line is not None else file
    return f"{where}: {key}: {message}" if key else f"{where}: {message}"


class YamlFileError(UsageError):
    """A problem in a YAML file the tool reads: `str()` is one line, the attributes say where."""

    def __init__(self, file: str, line: int | None, key: str, message: str) -> None:
        self.file = file
        self.line = line
        self.key = key
        self.problem = message
        super().__init__(problem_text(file, line, key, message))


# --- values that remember their line --------------------------------------------------------------


class LineDict(dict):  # type: ignore[type-arg]
    """A mapping from YAML that remembers its own line, each key's, and the keys given twice."""

    line: int = 0
    key_lines: dict[Any, int]
    duplicates: list[tuple[Any, int]]


class LineList(list):  # type: ignore[type-arg]
    """A list from YAML that remembers its own line and each item's."""

    line: int = 0
    item_lines: list[int]


def line_of(container: Any, key: Any = None) -> int | None:
    """The line of `key` in a mapping or list read by `parse` (the container's own line when the
    key is not there, e.g. a missing key); None for data that came from elsewhere (the JSON of
    `yamlcache`, TOML)."""
    if isinstance(container, LineDict):
        return container.key_lines.get(key, container.line)
    if isinstance(container, LineList):
        if isinstance(key, int) and 0 <= key < len(container.item_lines):
            return container.item_lines[key]
        return container.line
    return None


def _construct_mapping(loader: Any, node: Any) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    out.duplicates = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):
            key = str(key)
        line = key_node.start_mark.line + 1
        if key in out:
            out.duplicates.append((key, line))
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
    return out


def _construct_sequence(loader: Any, node: Any) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


@lru_cache(maxsize=1)
def _loader() -> type:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _LineLoader(base):  # type: ignore[misc,valid-type]
        pass

    def construct_timestamp(loader: Any, node: Any) -> Any:
        # 2027-02-30 matches YAML's timestamp pattern but is no date: keep the text to validate.
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
        except ValueError:
            return loader.construct_scalar(node)

    tags = yaml.resolver.BaseResolver
    _LineLoader.add_constructor(tags.DEFAULT_MAPPING_TAG, _construct_mapping)
    _LineLoader.add_constructor(tags.DEFAULT_SEQUENCE_TAG, _construct_sequence)
    _LineLoader.add_constructor("tag:yaml.org,2002:timestamp", construct_timestamp)
    return _LineLoader


def parse(
    data: bytes | str,
    source: str,
    error: ErrorFactory = YamlFileError,
    *,
    unique_keys: bool = False,
) -> Any:
    """The document in `data` (read from `source`), its mappings `LineDict`s and its lists
    `LineList`s; a file that is not UTF-8 or not YAML is `error(source, line, "", message)`.
    `unique_keys`: a key given twice in one mapping is such an error too (the user config
    collects these with its other problems instead)."""
    document = _load(data, source, error)
    if unique_keys:
        duplicate = _first_duplicate(document)
        if duplicate is not None:
            key, line = duplicate
            raise error(source, line, str(key), "duplicate key (the second one would win)")
    return document


def _first_duplicate(node: Any) -> tuple[Any, int] | None:
    """The first key given twice in a mapping of `node`, in document order, with its line."""
    found: list[tuple[Any, int]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, LineDict):
            found += item.duplicates
            stack += item.values()
        elif isinstance(item, list):
            stack += item
    return min(found, key=lambda pair: pair[1]) if found else None


def _load(data: bytes | str, source: str, error: ErrorFactory) -> Any:
    import yaml

    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise error(source, None, "", "not UTF-8 text") from None
    try:
        return yaml.load(data, Loader=_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "syntax error"
        raise error(source, line, "", f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise error(source, None, "", f"invalid YAML: {str(exc).splitlines()[0]}") from None


# --- checks ---------------------------------------------------------------------------------------


# How messages name the types YAML gives (bool before int: a boolean is an int to Python).
_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (type(None), "null"),
    (bool, "a boolean"),
    (int, "an integer"),
    (float, "a number"),
    (str, "a string"),
    (list, "a list"),
    (dict, "a mapping"),
    (dt.date, "a date"),
)


def type_name(value: Any) -> str:
    """How a message names a value's type: `a string`, `a list`, `null`."""
    return next(
        (name for kind, name in _TYPE_NAMES if isinstance(value, kind)), type(value).__name__
    )


def did_you_mean(name: str, known: Collection[str]) -> str:
    """` (did you mean 'audience'?)` for the closest known word, or ""."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_key(name: str, known: Collection[str]) -> str:
    """The message for a key that is none of `known`: the closest one, else all of them."""
    return "unknown key" + (did_you_mean(name, known) or f" (known keys: {', '.join(known)})")


def wrong_type(expected: str, value: Any) -> str:
    """`expected a mapping, not a list`."""
    return f"expected {expected}, not {type_name(value)}"


def join_key(where: str, key: Any) -> str:
    """`rules[IDT101].fix` + `params` -> `rules[IDT101].fix.params`; an int key is an index."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else str(key)


def check_keys(
    obj: Any,
    known: Collection[str] | None,
    source: str,
    where: str,
    error: ErrorFactory = YamlFileError,
) -> None:
    """`obj` (named `where`) is a mapping whose keys are all `known` (None: any keys)."""
    if not isinstance(obj, dict):
        raise error(source, line_of(obj), where, wrong_type("a mapping", obj))
    if known is None:
        return
    for name in obj:
        if name not in known:
            message = unknown_key(str(name), sorted(known))
            raise error(source, line_of(obj, name), join_key(where, name), message)


def require(
    obj: dict[Any, Any],
    keys: Collection[str],
    source: str,
    where: str,
    error: ErrorFactory = YamlFileError,
) -> None:
    """Every one of `keys` is in the mapping `obj` (the message names the first that is not)."""
    for name in keys:
        if name not in obj:
            raise error(source, line_of(obj), join_key(where, name), "required key missing")


def str_list(
    obj: Any, key: str, source: str, where: str, error: ErrorFactory = YamlFileError
) -> tuple[str, ...]:
    """`key` of the mapping `obj`: a string or a list of strings (absent: none)."""
    value = obj.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        message = wrong_type("a string or a list of strings", value)
        raise error(source, line_of(obj, key), join_key(where, key), message)
    for index, item in enumerate(value):
        if not isinstance(item, str):
            message = wrong_type("a string or a list of strings", item)
            raise error(source, line_of(value, index), join_key(where, key), message)
    return tuple(value)
