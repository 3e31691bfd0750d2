"""The scan cache: round trip, salt isolation, damaged files, overlapping runs, bounded size."""

from __future__ import annotations

import multiprocessing
import os
import pickle
from pathlib import Path

import pytest

from idtoken_migrate.cache import (
    CACHE_DIR_ENV,
    ScanCache,
    cache_salt,
    default_cache_dir,
    file_key,
)
from idtoken_migrate.model import FileError, FileOutcome, Finding

SALT = cache_salt("0.1.0", b"rules", b"config")


def _outcome(path: str, line: int = 3) -> FileOutcome:
    finding = Finding(
        rule="pyjwt-decode-client-id-audience",
        kind="id-token-bearer",
        path=path,
        line=line,
        column=5,
        end_line=line,
        end_column=40,
        confidence="high",
        library="pyjwt",
        provider="auth0",
        message="ID token accepted as an API credential",
        evidence=("audience is a client id",),
        fingerprint="abc123",
        symbol="verify",
        snippet="jwt.decode(token, key, audience=CLIENT_ID)",
        facts=(("audience", "CLIENT_ID"),),
    )
    return FileOutcome(path=path, findings=(finding,), parsed=True, lines=10)


def _cache_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("scan-*.pickle"))


def test_round_trip_across_instances(tmp_path: Path) -> None:
    key = file_key("app/auth.py", b"import jwt\n")
    outcome = _outcome("app/auth.py")
    error = FileOutcome(path="bad.py", error=FileError(path="bad.py", message="syntax", line=2))
    with ScanCache(tmp_path, SALT) as cache:
        assert cache.get(key) is None
        cache.put(key, outcome)
        cache.put(file_key("bad.py", b"def ("), error)
        assert cache.get(key) == outcome

    reopened = ScanCache(tmp_path, SALT)
    assert reopened.get(key) == outcome
    assert reopened.get(file_key("bad.py", b"def (")) == error
    assert (reopened.hits, reopened.misses) == (2, 0)
    reopened.close()


def test_key_depends_on_content_and_path() -> None:
    base = file_key("a.py", b"x = 1\n")
    assert file_key("a.py", b"x = 1\n") == base
    assert file_key("a.py", b"x = 2\n") != base
    assert file_key("b.py", b"x = 1\n") != base


def test_salt_parts_are_delimited() -> None:
    assert cache_salt("ab", "c") != cache_salt("a", "bc")
    assert cache_salt("v", b"rules") == cache_salt(b"v", "rules")


def test_other_salt_never_returned(tmp_path: Path) -> None:
    key = file_key("a.py", b"x")
    with ScanCache(tmp_path, SALT) as cache:
        cache.put(key, _outcome("a.py"))
    other = ScanCache(tmp_path, cache_salt("0.1.0", b"rules", b"other config"))
    assert other.get(key) is None
    other.close()
    assert ScanCache(tmp_path, SALT).get(key) == _outcome("a.py")


def test_a_file_renamed_to_another_salt_is_ignored(tmp_path: Path) -> None:
    # The salt is checked inside the file too, not only in its name.
    with ScanCache(tmp_path, SALT) as cache:
        cache.put(file_key("a.py", b"x"), _outcome("a.py"))
    other = ScanCache(tmp_path, cache_salt("other"))
    _cache_files(tmp_path)[0].rename(other.path)
    assert ScanCache(tmp_path, cache_salt("other")).get(file_key("a.py", b"x")) is None


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"not a pickle at all",
        pickle.dumps([1, 2, 3]),
        pickle.dumps({"salt": "wrong", "entries": {}}),
    ],
    ids=["empty", "garbage", "wrong-type", "wrong-salt"],
)
def test_damaged_file_is_an_empty_cache(tmp_path: Path, damage: bytes) -> None:
    cache = ScanCache(tmp_path, SALT)
    tmp_path.mkdir(exist_ok=True)
    cache.path.write_bytes(damage)
    reopened = ScanCache(tmp_path, SALT)
    assert len(reopened) == 0
    key = file_key("a.py", b"x")
    assert reopened.get(key) is None
    reopened.put(key, _outcome("a.py"))
    reopened.close()
    assert ScanCache(tmp_path, SALT).get(key) == _outcome("a.py")


def test_truncated_file_is_an_empty_cache(tmp_path: Path) -> None:
    with ScanCache(tmp_path, SALT) as cache:
        for i in range(50):
            cache.put(file_key(f"m{i}.py", b"x"), _outcome(f"m{i}.py"))
    path = _cache_files(tmp_path)[0]
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert len(ScanCache(tmp_path, SALT)) == 0


def test_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    cache = ScanCache(tmp_path, SALT)
    key = file_key("a.py", b"x")
    cache.put(key, _outcome("a.py"))
    cache._entries[key] = (cache._entries[key][0], b"\x80\x05garbage")
    assert cache.get(key) is None
    assert cache.get(key) is None
    cache.close()


def test_unwritable_directory_does_not_raise(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    cache = ScanCache(blocker / "cache", SALT)
    cache.put(file_key("a.py", b"x"), _outcome("a.py"))
    cache.close()
    assert cache.get(file_key("a.py", b"x")) == _outcome("a.py")


def test_warm_run_without_changes_writes_nothing(tmp_path: Path) -> None:
    key = file_key("a.py", b"x")
    with ScanCache(tmp_path, SALT) as cache:
        cache.put(key, _outcome("a.py"))
    path = _cache_files(tmp_path)[0]
    before = path.stat().st_mtime_ns
    os.utime(path, ns=(before - 10**9, before - 10**9))
    with ScanCache(tmp_path, SALT) as cache:
        assert cache.get(key) is not None
    assert path.stat().st_mtime_ns == before - 10**9


def test_directory_is_marked_and_old_salts_pruned(tmp_path: Path) -> None:
    for i in range(5):
        with ScanCache(tmp_path, cache_salt(str(i)), keep_salts=2) as cache:
            cache.put(file_key("a.py", b"x"), _outcome("a.py"))
        # Distinct mtimes, oldest first.
        latest = _cache_files(tmp_path)
        for path in latest:
            if path == cache.path:
                os.utime(path, (1_000_000 + i, 1_000_000 + i))
    assert len(_cache_files(tmp_path)) == 3  # the current salt and the two most recent others
    assert (tmp_path / ".gitignore").read_text().strip().endswith("*")
    assert (tmp_path / "CACHEDIR.TAG").exists()


def test_entries_bounded_least_recently_used_first(tmp_path: Path) -> None:
    with ScanCache(tmp_path, SALT, max_entries=10) as cache:
        for i in range(25):
            cache.put(file_key(f"m{i}.py", b"x"), _outcome(f"m{i}.py"))
        old = file_key("m0.py", b"x")
        cache._entries[old] = (0, cache._entries[old][1])
    reopened = ScanCache(tmp_path, SALT, max_entries=10)
    assert len(reopened) == 10
    assert reopened.get(old) is None


def test_default_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_DIR_ENV, raising=False)
    assert default_cache_dir(tmp_path) == tmp_path / ".idtoken-migrate-cache"
    one_file = tmp_path / "app.py"
    one_file.write_text("x = 1\n")
    assert default_cache_dir(one_file) == tmp_path / ".idtoken-migrate-cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "elsewhere"))
    assert default_cache_dir(tmp_path) == tmp_path / "elsewhere"


def test_overlapping_runs_merge(tmp_path: Path) -> None:
    first = ScanCache(tmp_path, SALT)
    second = ScanCache(tmp_path, SALT)
    first.put(file_key("a.py", b"x"), _outcome("a.py"))
    second.put(file_key("b.py", b"x"), _outcome("b.py"))
    first.close()
    second.close()
    merged = ScanCache(tmp_path, SALT)
    assert merged.get(file_key("a.py", b"x")) == _outcome("a.py")
    assert merged.get(file_key("b.py", b"x")) == _outcome("b.py")


def _writer(directory: str, worker: int, rounds: int) -> None:
    for r in range(rounds):
        with ScanCache(Path(directory), SALT) as cache:
            for i in range(200):
                name = f"w{worker}/r{r}/m{i}.py"
                key = file_key(name, b"x")
                cache.get(key)
                cache.put(key, _outcome(name, line=i + 1))


def test_two_processes_writing_at_once(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), w, 15)) for w in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=120)
    assert [proc.exitcode for proc in procs] == [0, 0]

    cache = ScanCache(tmp_path, SALT)
    assert len(cache) > 0
    for key in list(cache._entries):
        outcome = cache.get(key)
        assert outcome is not None
        assert key.endswith(":" + outcome.path)
    # Each writer's last round is on disk whole, whichever closed last.
    last = [file_key(f"w{w}/r14/m199.py", b"x") for w in range(2)]
    assert any(cache.get(key) is not None for key in last)
    assert not list(tmp_path.glob(".tmp-*"))
