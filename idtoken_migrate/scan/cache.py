"""The scan cache: one file's `FileOutcome`, found again by its path, its bytes and the scan's salt.

Use it in the parent process only (workers return outcomes; the parent stores them)::

    salt = cache_salt(__version__, rules_bytes, config_bytes)
    with ScanCache(default_cache_dir(root), salt) as cache:
        for relpath, content in files:
            key = file_key(relpath, content)
            outcome = cache.get(key)
            if outcome is None:
                outcome = scan_one(relpath, content)
                cache.put(key, outcome)

A cached outcome is only right if scanning a file depends on nothing but its relative path, its
bytes and what went into the salt (tool version, rules, config): anything else that changes an
outcome belongs in the salt.

Data only. The cache is JSON: reading it can never run code, whoever wrote it. Every entry is
checked when it is used, against the types of the model's dataclasses (a string is a string, an
int an int in range, a tuple no longer than it may be), against a size budget, and against its
key: the outcome, its findings and its error must all name the file the key names, so an entry
cannot move a finding to another file (a path `apply` would then edit). An entry that fails is
dropped and the file scanned again. A key that is not `<hash>:<relative path>` is dropped on load.

Where: `$IDTOKEN_MIGRATE_CACHE_DIR` when set, else one folder per project root under the user's
cache folder (`$XDG_CACHE_HOME/idtoken-migrate/scan/`, else `~/.cache/idtoken-migrate/scan/`),
named by the root's name and a hash of its absolute path; none without a home folder. Never inside
the scanned tree by default: a repository cannot ship its own cache. A folder given with
`--cache-dir` or the variable that lies inside a git work tree and holds files git tracks is
neither read nor written (`tracked_by_git`): a committed cache would let a pull request decide
what the gate sees.

Layout: one JSON file per salt, `<dir>/scan-<salt>.json`, holding `{key: [day, outcome]}`. It is
read whole once when the cache opens and written whole at `close()` through a temporary file and
`os.replace`, so a reader never sees half a file; when two runs overlap, the one that closes last
merges what is on disk with its own entries and wins any conflict. A file that is missing,
unreadable, truncated, too large or from another format is treated as an empty cache; an error
writing it is ignored (the scan's result never depends on it).

Size stays bounded: at most `max_entries` entries per salt (the least recently used go first), at
most `MAX_FILE_BYTES` per file, and at close all but the `keep_salts` most recently written files of
other salts are deleted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from idtoken_migrate.model import FileError, FileOutcome, Finding, GeneratedModule, SiteFacts

CACHE_DIR_ENV = "IDTOKEN_MIGRATE_CACHE_DIR"
DEFAULT_MAX_ENTRIES = 200_000
DEFAULT_KEEP_SALTS = 2
# A cache file larger than this is not read (200k entries of a typical project take ~30 MB).
MAX_FILE_BYTES = 256 * 1024 * 1024
# One entry may hold this many characters and items in all; a larger one is not stored or used.
MAX_ENTRY_SIZE = 1024 * 1024
_MAX_INT = 2**31 - 1

# Bump when the file layout changes; the shape of the stored dataclasses is folded in by itself.
_FORMAT = "2"
_FILE_PREFIX = "scan-"
_FILE_SUFFIX = ".json"
_SECONDS_PER_DAY = 86_400
_KEY = re.compile(r"[0-9a-f]{32}:(?!/)(.+)\Z", re.DOTALL)


def cache_salt(*parts: str | bytes) -> str:
    """A stable hash of what an outcome depends on besides the file: version, rules, config."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        # Length prefix: ("ab", "c") and ("a", "bc") must not collide.
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def file_key(relpath: str, content: bytes) -> str:
    """The cache key of one file: a hash of its bytes plus its '/'-separated relative path."""
    # The path is in the key because an outcome carries it: two copies of a file are two entries.
    # sha256 runs on the CPU's SHA instructions where it has them: about twice blake2b's speed.
    return f"{hashlib.sha256(content).hexdigest()[:32]}:{relpath}"


def default_cache_dir(root: Path) -> Path | None:
    """`$IDTOKEN_MIGRATE_CACHE_DIR` when set and not empty, else the user's cache folder for the
    project at `root` (a file stands for the folder it is in); None when there is no home."""
    configured = os.environ.get(CACHE_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    from idtoken_migrate.config.yamlcache import user_cache_base

    base = user_cache_base()
    if base is None:
        return None
    project = root.resolve()
    if project.is_file():
        project = project.parent
    digest = hashlib.sha256(os.fsencode(project)).hexdigest()[:16]
    name = re.sub(r"[^A-Za-z0-9._-]", "_", project.name)[:40] or "root"
    return base / "scan" / f"{name}-{digest}"


def tracked_by_git(directory: Path) -> bool:
    """Whether `directory` lies in a git work tree and git tracks a file in it.

    Without git installed, a folder that exists inside a work tree counts as tracked: it cannot be
    told apart from a committed one."""
    directory = Path(os.path.abspath(directory))
    if not directory.is_dir():
        return False  # nothing there to read; what we write is ours
    top = next((p for p in (directory, *directory.parents) if (p / ".git").exists()), None)
    if top is None:
        return False
    git = shutil.which("git")
    if git is None:
        return True
    try:
        done = subprocess.run(
            [git, "-C", str(directory), "ls-files", "-z", "--", "."],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return True
    if done.returncode != 0:
        # "not a git repository" (a stray .git file or folder): nothing is tracked.
        return b"not a git repository" not in done.stderr
    return bool(done.stdout)


# -- outcomes as plain data, checked on the way back ------------------------------------------


class _Invalid(Exception):
    pass


_Decoder = Callable[[Any, list[int]], Any]


def _spend(budget: list[int], amount: int) -> None:
    budget[0] -= amount
    if budget[0] < 0:
        raise _Invalid("entry too large")


def _decoder(hint: Any) -> _Decoder:
    """A function that checks a JSON value against the type `hint` and builds the value."""
    if dataclasses.is_dataclass(hint):
        return _dataclass_decoder(hint)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in args if a is not type(None)]
        if len(options) != 1:
            raise TypeError(f"unsupported union {hint!r}")
        inner = _decoder(options[0])
        return lambda value, budget: None if value is None else inner(value, budget)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])

            def many(value: Any, budget: list[int]) -> tuple[Any, ...]:
                if type(value) is not list:
                    raise _Invalid("not a list")
                _spend(budget, len(value))
                return tuple(item(v, budget) for v in value)

            return many
        parts = [_decoder(a) for a in args]

        def fixed(value: Any, budget: list[int]) -> tuple[Any, ...]:
            if type(value) is not list or len(value) != len(parts):
                raise _Invalid("not a list of the right length")
            return tuple(p(v, budget) for p, v in zip(parts, value, strict=True))

        return fixed
    if hint is str:

        def text(value: Any, budget: list[int]) -> str:
            if type(value) is not str:
                raise _Invalid("not a string")
            _spend(budget, len(value))
            return value

        return text
    if hint is bool:

        def flag(value: Any, budget: list[int]) -> bool:
            if type(value) is not bool:
                raise _Invalid("not a boolean")
            return value

        return flag
    if hint is int:

        def number(value: Any, budget: list[int]) -> int:
            if type(value) is not int or not 0 <= value <= _MAX_INT:
                raise _Invalid("not an int in range")
            return value

        return number
    raise TypeError(f"unsupported type {hint!r}")


def _dataclass_decoder(cls: Any) -> _Decoder:
    hints = typing.get_type_hints(cls)
    fields = [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls)]

    def build(value: Any, budget: list[int]) -> Any:
        if type(value) is not list or len(value) != len(fields):
            raise _Invalid(f"not a {cls.__name__}")
        _spend(budget, len(fields))
        return cls(*(decode(v, budget) for (_, decode), v in zip(fields, value, strict=True)))

    return build


def _encode(value: Any) -> Any:
    # Positional: the field names are in the salt (`_schema`), so they need not be in each entry.
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [_encode(getattr(value, f.name)) for f in dataclasses.fields(value)]
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


_decode_outcome: _Decoder | None = None
_PLAIN_FIELDS = ["path", "findings", "error", "suppressed", "parsed", "lines", "generated"]
_PLAIN = [f.name for f in dataclasses.fields(FileOutcome)] == _PLAIN_FIELDS


def _plain_outcome(relpath: str, value: Any) -> FileOutcome | None:
    # Nearly every entry is a file with nothing to report: checked here in one expression.
    if (
        _PLAIN
        and type(value) is list
        and len(value) == 7
        and value[0] == relpath
        and value[1] == []
        and value[2] is None
        and value[6] is None
        and type(value[3]) is int
        and type(value[4]) is bool
        and type(value[5]) is int
        and 0 <= value[3] <= _MAX_INT
        and 0 <= value[5] <= _MAX_INT
    ):
        return FileOutcome(relpath, (), None, value[3], value[4], value[5], None)
    return None


def decode_outcome(relpath: str, value: Any) -> FileOutcome | None:
    """The outcome a cache entry for `relpath` holds, or None when it fails any check."""
    plain = _plain_outcome(relpath, value)
    if plain is not None:
        return plain
    global _decode_outcome
    if _decode_outcome is None:
        _decode_outcome = _dataclass_decoder(FileOutcome)
    try:
        outcome: FileOutcome = _decode_outcome(value, [MAX_ENTRY_SIZE])
    except (_Invalid, TypeError, ValueError, RecursionError):
        return None
    paths = {outcome.path, *(f.path for f in outcome.findings)}
    if outcome.error is not None:
        paths.add(outcome.error.path)
    if outcome.generated is not None:
        paths.add(outcome.generated.path)
    return outcome if paths == {relpath} else None


def _schema() -> str:
    # An entry stored before a field was added, renamed or retyped must not be read as the new one.
    return repr(
        [
            (cls.__name__, [(f.name, str(f.type)) for f in dataclasses.fields(cls)])
            for cls in (FileOutcome, Finding, SiteFacts, FileError, GeneratedModule)
        ]
    )


class ScanCache:
    """File outcomes of earlier scans under one salt; the module docstring says how it is kept."""

    def __init__(
        self,
        directory: Path,
        salt: str,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        keep_salts: int = DEFAULT_KEEP_SALTS,
    ) -> None:
        self.directory = Path(directory)
        self.salt = cache_salt(_FORMAT, _schema(), salt)
        self.path = self.directory / f"{_FILE_PREFIX}{self.salt}{_FILE_SUFFIX}"
        self.max_entries = max_entries
        self.keep_salts = keep_salts
        self.hits = 0
        self.misses = 0
        self._today = int(time.time()) // _SECONDS_PER_DAY
        self._entries, self._loaded_stat = self._load()
        self._dirty = False
        self._closed = False

    def get(self, key: str) -> FileOutcome | None:
        """The stored outcome for `key` (from `file_key`), or None."""
        entry = self._entries.get(key)
        if entry is not None:
            day, value = entry
            outcome = decode_outcome(key[33:], value)
            if outcome is not None:
                self.hits += 1
                if day != self._today:  # touch at most once a day, so a warm run writes nothing
                    self._entries[key] = [self._today, value]
                    self._dirty = True
                return outcome
            del self._entries[key]  # one bad entry costs one re-scan, nothing more
            self._dirty = True
        self.misses += 1
        return None

    def put(self, key: str, outcome: FileOutcome) -> None:
        """Store `outcome` under `key`; it reaches the disk at `close()`. An outcome too large
        to be read back (`MAX_ENTRY_SIZE`) is not stored."""
        value = _encode(outcome)
        if _KEY.match(key) is None or decode_outcome(key[33:], value) is None:
            self._entries.pop(key, None)
            return
        self._entries[key] = [self._today, value]
        self._dirty = True

    def close(self) -> None:
        """Write what changed and prune old files; never raises for a disk problem, safe twice."""
        if self._closed:
            return
        self._closed = True
        if not self._dirty:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _mark_directory(self.directory)
            self._write()
            self._prune_other_salts()
        except OSError:
            pass

    def __enter__(self) -> ScanCache:
        return self

    def __exit__(self, *_exc_info: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._entries)

    def _load(self) -> tuple[dict[str, Any], tuple[int, int, int] | None]:
        try:
            with open(self.path, "rb") as fh:
                stat = os.fstat(fh.fileno())
                if stat.st_size > MAX_FILE_BYTES:
                    return {}, None
                data = json.loads(fh.read())
        except (OSError, ValueError, RecursionError):  # missing, unreadable, torn, garbage
            return {}, None
        if (
            type(data) is not dict
            or data.get("salt") != self.salt
            or type(data.get("entries")) is not dict
        ):
            return {}, None
        entries = {
            key: entry
            for key, entry in data["entries"].items()
            if type(entry) is list
            and len(entry) == 2
            and type(entry[0]) is int
            and _KEY.match(key) is not None
            and ".." not in key[33:].split("/")
        }
        return entries, (stat.st_ino, stat.st_size, stat.st_mtime_ns)

    def _write(self) -> None:
        entries = self._entries
        # Another run may have written since we loaded: keep its entries, ours win on conflict.
        if self._disk_stat() != self._loaded_stat:
            on_disk, _ = self._load()
            on_disk.update(entries)
            entries = on_disk
        if len(entries) > self.max_entries:
            newest = sorted(entries.items(), key=lambda item: item[1][0], reverse=True)
            entries = dict(newest[: self.max_entries])
        # ASCII: a path that is not valid UTF-8 (surrogate escapes) survives the round trip.
        payload = json.dumps({"salt": self.salt, "entries": entries}, separators=(",", ":"))
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=_FILE_SUFFIX, dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(payload)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _disk_stat(self) -> tuple[int, int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_ino, stat.st_size, stat.st_mtime_ns)

    def _prune_other_salts(self) -> None:
        others: list[tuple[float, Path]] = []
        for path in self.directory.glob(f"{_FILE_PREFIX}*{_FILE_SUFFIX}"):
            if path == self.path:
                continue
            with contextlib.suppress(OSError):
                others.append((path.stat().st_mtime, path))
        others.sort(reverse=True)
        stale = [path for _, path in others[self.keep_salts :]]
        # Files of the pickle format that came before: never read, removed when seen.
        stale += list(self.directory.glob(f"{_FILE_PREFIX}*.pickle"))
        # Temporary files left by a run that was killed while writing.
        cutoff = time.time() - 3600
        for path in self.directory.glob(".tmp-*"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    stale.append(path)
        for path in stale:
            with contextlib.suppress(OSError):
                path.unlink()


def _mark_directory(directory: Path) -> None:
    # Keep the cache out of the user's commits and backups, as ruff's and pytest's caches do.
    for name, text in (
        (".gitignore", "# Created by idtoken-migrate.\n*\n"),
        (
            "CACHEDIR.TAG",
            "Signature: 8a477f597d28d172789f06886806bc55\n"
            "# This file is a cache directory tag created by idtoken-migrate.\n",
        ),
    ):
        marker = directory / name
        if not marker.exists():
            with contextlib.suppress(OSError):
                marker.write_text(text)
