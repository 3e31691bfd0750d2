"""Rule packs parsed once per machine: their data kept as JSON, keyed by the file's bytes.

Every start-up loads the rule packs, and PyYAML costs more to import and run (about 50 ms) than
a one-file `scan` spends on everything but libcst. So once a YAML file has loaded and passed its
checks, its data is written as JSON under the user's cache folder, named by a hash of the file's
exact bytes and the tool's version; a later start-up with the same bytes reads the JSON and never
imports yaml. Like `__pycache__`, it holds nothing the source does not: an edited file has
another hash, and a file that fails its checks is never stored (so its error keeps its line).

Location: `$IDTOKEN_MIGRATE_RULES_CACHE`, else `$XDG_CACHE_HOME/idtoken-migrate/yaml`, else
`~/.cache/idtoken-migrate/yaml`; none without a home folder. Set `IDTOKEN_MIGRATE_RULES_CACHE`
to an empty string to turn it off. A folder that cannot be written is simply not used.

The same rules as the scan cache (`cache`): data only (JSON, never anything that runs code when
read), checked before use (the data goes through the same checks as freshly parsed YAML, and an
entry larger than `MAX_ENTRY_BYTES` is not read), outside any project by default, and a folder set
with the variable that git tracks files in is never read or written: a repository cannot bring its
own rules in through the cache. Whoever can write the folder can still change the rules: a CI job
that restores `~/.cache` must trust what it restores.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from idtoken_migrate import __version__

_ENV = "IDTOKEN_MIGRATE_RULES_CACHE"
# The bundled packs take a few KB each; a larger entry is not read.
MAX_ENTRY_BYTES = 16 * 1024 * 1024
T = TypeVar("T")


def load(data: bytes, parse: Callable[[], Any], build: Callable[[Any], T]) -> T:
    """`build(parse())`, where a previous run's data for these exact bytes stands in for
    `parse()`; the data is stored only once `build` has accepted it."""
    raw = get(data)
    if raw is not None:
        try:
            return build(raw)
        except Exception:  # noqa: BLE001 - an entry that fails the checks: parse the YAML again
            pass
    raw = parse()
    built = build(raw)
    put(data, raw)
    return built


def cache_dir() -> Path | None:
    """The folder the data lives in; None when the cache is off."""
    configured = os.environ.get(_ENV)
    if configured is not None:
        return _untracked(configured) if configured else None
    base = user_cache_base()
    return None if base is None else base / "yaml"


def user_cache_base() -> Path | None:
    """`$XDG_CACHE_HOME/idtoken-migrate`, else `~/.cache/idtoken-migrate`; None without a home.
    Every cache of the tool lives under it (the scan cache too)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, or relative, which the XDG spec says to ignore
        base = os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):  # no home (HOME unset, a uid without a passwd entry): no cache
        return None
    return Path(base) / "idtoken-migrate"


@functools.lru_cache(maxsize=4)
def _untracked(folder: str) -> Path | None:
    from idtoken_migrate.scan.cache import tracked_by_git  # only for a folder the user chose

    return None if tracked_by_git(Path(folder)) else Path(folder)


def _entry(data: bytes) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(__version__.encode() + b"\0" + data).hexdigest()
    return folder / f"{digest[:40]}.json"


def get(data: bytes) -> Any | None:
    """The data a YAML file with exactly these bytes gave before, or None."""
    entry = _entry(data)
    if entry is None:
        return None
    try:
        with open(entry, "rb") as handle:
            if os.fstat(handle.fileno()).st_size > MAX_ENTRY_BYTES:
                return None
            return json.loads(handle.read())
    except (OSError, ValueError, RecursionError):  # missing, unreadable, torn: parse the YAML
        return None


def put(data: bytes, value: Any) -> None:
    """Remember `value`, the checked data of a YAML file with these bytes. Only plain data that
    JSON gives back unchanged is kept (a date or a non-string key would come back different)."""
    entry = _entry(data)
    if entry is None:
        return
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return
    if json.loads(text) != value:
        return
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, entry)  # atomic: a reader sees the old file or the whole new one
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return  # a read-only home, a full disk: the next start-up parses the YAML again
