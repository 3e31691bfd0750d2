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

Layout: one pickle per salt, `<dir>/scan-<salt>.pickle`, holding `{key: (day, pickled outcome)}`.
It is read whole once when the cache opens (a warm run of 10k files costs a few milliseconds) and
written whole at `close()` through a temporary file and `os.replace`, so a reader never sees half a
file; when two runs overlap, the one that closes last merges what is on disk with its own entries
and wins any conflict. A file that is missing, unreadable, truncated or from another format is
treated as an empty cache; an error writing it is ignored (the scan's result never depends on it).

Size stays bounded: at most `max_entries` entries per salt (the least recently used go first), and
at close all but the `keep_salts` most recently written files of other salts are deleted.

Pickle runs code while it loads, so the cache directory must be as trusted as the code being
scanned: it is the user's own (inside the scanned tree, or wherever `IDTOKEN_MIGRATE_CACHE_DIR`
points), never a shared or downloaded one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import pickle
import tempfile
import time
from pathlib import Path
from types import TracebackType

from idtoken_migrate.model import FileError, FileOutcome, Finding, GeneratedModule

CACHE_DIR_ENV = "IDTOKEN_MIGRATE_CACHE_DIR"
DEFAULT_CACHE_DIR_NAME = ".idtoken-migrate-cache"
DEFAULT_MAX_ENTRIES = 200_000
DEFAULT_KEEP_SALTS = 2

# Bump when the file layout changes; the shape of the stored dataclasses is folded in by itself.
_FORMAT = "1"
_FILE_PREFIX = "scan-"
_FILE_SUFFIX = ".pickle"
_SECONDS_PER_DAY = 86_400


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


def default_cache_dir(root: Path) -> Path:
    """`$IDTOKEN_MIGRATE_CACHE_DIR` when set and not empty, else `<root>/.idtoken-migrate-cache`.

    `root` is the scanned project's root; a file stands for the folder it is in.
    """
    configured = os.environ.get(CACHE_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    base = root.parent if root.is_file() else root
    return base / DEFAULT_CACHE_DIR_NAME


def _schema() -> str:
    # An outcome pickled before a field was added or renamed would unpickle without it.
    return repr(
        [
            (cls.__name__, [f.name for f in dataclasses.fields(cls)])
            for cls in (FileOutcome, Finding, FileError, GeneratedModule)
        ]
    )


_Entry = tuple[int, bytes]  # (day last used, pickled FileOutcome)


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
            day, blob = entry
            try:
                outcome = pickle.loads(blob)
            except Exception:  # one damaged entry costs one re-scan, nothing more
                outcome = None
            if isinstance(outcome, FileOutcome):
                self.hits += 1
                if day != self._today:  # touch at most once a day, so a warm run writes nothing
                    self._entries[key] = (self._today, blob)
                    self._dirty = True
                return outcome
            del self._entries[key]
            self._dirty = True
        self.misses += 1
        return None

    def put(self, key: str, outcome: FileOutcome) -> None:
        """Store `outcome` under `key`; it reaches the disk at `close()`."""
        self._entries[key] = (self._today, pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL))
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

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._entries)

    def _load(self) -> tuple[dict[str, _Entry], tuple[int, int, int] | None]:
        try:
            with open(self.path, "rb") as fh:
                stat = os.fstat(fh.fileno())
                data = pickle.load(fh)
        except Exception:  # missing, unreadable, truncated, garbage: start empty
            return {}, None
        if (
            not isinstance(data, dict)
            or data.get("salt") != self.salt
            or not isinstance(data.get("entries"), dict)
        ):
            return {}, None
        return data["entries"], (stat.st_ino, stat.st_size, stat.st_mtime_ns)

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
        payload = pickle.dumps(
            {"salt": self.salt, "entries": entries}, protocol=pickle.HIGHEST_PROTOCOL
        )
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=_FILE_SUFFIX, dir=self.directory)
        try:
            with os.fdopen(fd, "wb") as fh:
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
        # Temporary files left by a run that was killed while writing.
        cutoff = time.time() - 3600
        for path in self.directory.glob(f".tmp-*{_FILE_SUFFIX}"):
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
