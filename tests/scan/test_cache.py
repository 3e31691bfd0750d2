"""The scan cache: round trip, salt isolation, damaged files, overlapping runs, bounded size."""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import subprocess
import sys
from pathlib import Path
from shutil import which as shutil_which

import pytest

from idtoken_migrate.model import FileError, FileOutcome, Finding, SiteFacts
from idtoken_migrate.scan.cache import (
    CACHE_DIR_ENV,
    ScanCache,
    cache_salt,
    default_cache_dir,
    file_key,
)

UNVERIFIED = (
    "import jwt\n\ndef verify(t):\n    return jwt.decode(t, options={'verify_signature': False})\n"
)
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
        facts=SiteFacts(audience_expr="CLIENT_ID", handlers=("jwt.InvalidTokenError",)),
    )
    return FileOutcome(path=path, findings=(finding,), parsed=True, lines=10)


def _cache_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("scan-*.json"))


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
        b"not json at all",
        b"[1, 2, 3]",
        b'{"salt": "wrong", "entries": {}}',
        b"[" * 100_000,
    ],
    ids=["empty", "garbage", "wrong-type", "wrong-salt", "nested"],
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
    cache._entries[key] = [cache._entries[key][0], ["a.py", "garbage"]]
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
        cache._entries[old] = [0, cache._entries[old][1]]
    reopened = ScanCache(tmp_path, SALT, max_entries=10)
    assert len(reopened) == 10
    assert reopened.get(old) is None


def test_default_cache_dir_is_outside_the_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CACHE_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    project = tmp_path / "proj"
    project.mkdir()
    folder = default_cache_dir(project)
    assert folder is not None
    assert folder.parent == tmp_path / "xdg" / "idtoken-migrate" / "scan"
    assert folder.name.startswith("proj-")
    one_file = project / "app.py"
    one_file.write_text("x = 1\n")
    assert default_cache_dir(one_file) == folder  # a file stands for its folder
    other = tmp_path / "other" / "proj"
    other.mkdir(parents=True)
    assert default_cache_dir(other) != folder  # one folder per project root, not per name
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")  # ignored, as the XDG spec says
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert (
        default_cache_dir(project).parent
        == tmp_path / "home" / ".cache" / "idtoken-migrate" / "scan"
    )
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "elsewhere"))
    assert default_cache_dir(tmp_path) == tmp_path / "elsewhere"


# -- what a cache folder holds is data, checked before use ------------------------------------


def _plant(cache: ScanCache, entries: dict[str, object]) -> None:
    cache.directory.mkdir(parents=True, exist_ok=True)
    cache.path.write_text(json.dumps({"salt": cache.salt, "entries": entries}))


def _stored(outcome: FileOutcome) -> list:
    from idtoken_migrate.scan.cache import _encode

    return _encode(outcome)


def test_a_valid_planted_entry_round_trips(tmp_path: Path) -> None:
    # The check that follows would prove nothing if a well-formed entry were refused too.
    key = file_key("a.py", b"x")
    _plant(ScanCache(tmp_path, SALT), {key: [0, _stored(_outcome("a.py"))]})
    assert ScanCache(tmp_path, SALT).get(key) == _outcome("a.py")


@pytest.mark.parametrize(
    "damage",
    [
        lambda v: v.__setitem__(5, "10"),  # lines: a string where an int belongs
        lambda v: v.__setitem__(4, 1),  # parsed: an int where a bool belongs
        lambda v: v.__setitem__(5, -1),  # lines: out of range
        lambda v: v.__setitem__(3, 2**40),  # suppressed: out of range
        lambda v: v[1][0].__setitem__(3, 3.5),  # finding line: a float
        lambda v: v[1][0].__setitem__(11, "not a list"),  # evidence
        lambda v: v[1][0].__setitem__(15, [["a", 1]]),  # facts: (str, str) pairs
        lambda v: v[1][0].pop(),  # a field missing
        lambda v: v.append(None),  # a field too many
        lambda v: v.__setitem__(2, {"path": "a.py", "message": "x"}),  # error as a dict
        lambda v: v[1].append({"__reduce__": "os.system"}),
    ],
    ids=[
        "str-for-int",
        "int-for-bool",
        "negative",
        "huge-int",
        "float",
        "evidence",
        "facts",
        "missing-field",
        "extra-field",
        "dict",
        "object",
    ],
)
def test_a_planted_entry_with_wrong_types_is_discarded_and_recomputed(
    tmp_path: Path, damage
) -> None:
    key = file_key("a.py", b"x")
    value = _stored(_outcome("a.py"))
    damage(value)
    _plant(ScanCache(tmp_path, SALT), {key: [0, value]})
    cache = ScanCache(tmp_path, SALT)
    assert cache.get(key) is None
    cache.put(key, _outcome("a.py"))  # what the scan does after a miss
    cache.close()
    assert ScanCache(tmp_path, SALT).get(key) == _outcome("a.py")


@pytest.mark.parametrize(
    "value",
    [
        ["a.py", [], None, 0, True, "10", None],
        ["a.py", [], None, 0, 1, 10, None],
        ["a.py", [], None, -1, True, 10, None],
        ["b.py", [], None, 0, True, 10, None],  # another file's outcome
        ["a.py", [], None, 0, True, 10],
    ],
    ids=["str-lines", "int-parsed", "negative", "other-path", "short"],
)
def test_a_bad_entry_of_a_file_without_findings_is_discarded(tmp_path: Path, value: list) -> None:
    key = file_key("a.py", b"x")
    good = _stored(FileOutcome("a.py", parsed=True, lines=10))
    assert good == ["a.py", [], None, 0, True, 10, None]  # the shape the fast path reads
    _plant(ScanCache(tmp_path, SALT), {key: [0, good]})
    assert ScanCache(tmp_path, SALT).get(key) == FileOutcome("a.py", parsed=True, lines=10)
    _plant(ScanCache(tmp_path, SALT), {key: [0, value]})
    assert ScanCache(tmp_path, SALT).get(key) is None


def test_a_huge_entry_is_discarded_and_never_stored(tmp_path: Path) -> None:
    key = file_key("a.py", b"x")
    value = _stored(_outcome("a.py"))
    value[1][0][10] = "m" * (2 * 1024 * 1024)  # message: 2M characters
    many = _stored(_outcome("a.py"))
    many[1] = many[1] * 600_000  # 600,000 findings of a few bytes each
    other = file_key("b.py", b"x")
    _plant(ScanCache(tmp_path, SALT), {key: [0, value], other: [0, many]})
    cache = ScanCache(tmp_path, SALT)
    assert cache.get(key) is None
    assert cache.get(other) is None
    big = FileOutcome("a.py", findings=(dataclasses_replace(_outcome("a.py"), "m" * 2_000_000),))
    cache.put(key, big)
    assert key not in cache._entries


def dataclasses_replace(outcome: FileOutcome, message: str) -> Finding:
    import dataclasses

    return dataclasses.replace(outcome.findings[0], message=message)


def test_a_cache_file_over_the_size_limit_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import idtoken_migrate.scan.cache as cache_module

    key = file_key("a.py", b"x")
    _plant(ScanCache(tmp_path, SALT), {key: [0, _stored(_outcome("a.py"))]})
    monkeypatch.setattr(cache_module, "MAX_FILE_BYTES", 64)
    assert len(ScanCache(tmp_path, SALT)) == 0


@pytest.mark.parametrize(
    ("key_path", "outcome_path"),
    [
        ("../../home/user/.bashrc", "../../home/user/.bashrc"),  # the key itself escapes
        ("/etc/passwd", "/etc/passwd"),  # an absolute key
        ("app/auth.py", "../outside.py"),  # the right key, an outcome for another file
        ("app/auth.py", "app/other.py"),
    ],
)
def test_an_entry_that_points_outside_its_file_is_never_used(
    tmp_path: Path, key_path: str, outcome_path: str
) -> None:
    key = f"{'0' * 32}:{key_path}"
    _plant(ScanCache(tmp_path, SALT), {key: [0, _stored(_outcome(outcome_path))]})
    cache = ScanCache(tmp_path, SALT)
    assert cache.get(key) is None
    # A finding moved to another file under a good key: what apply would edit.
    real = file_key("app/auth.py", b"x")
    moved = _stored(_outcome("app/auth.py"))
    moved[1][0][2] = outcome_path
    _plant(cache, {real: [0, moved]})
    assert ScanCache(tmp_path, SALT).get(real) is None
    assert not (tmp_path.parent / "outside.py").exists()


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # noqa: ANN204
        return (os.system, (f"echo pwned > {self.marker}",))


def test_a_planted_pickle_payload_never_runs(tmp_path: Path) -> None:
    """A repository that commits the old cache format, or a payload under the new names, gets
    nothing run: not in the old in-tree folder, not in the cache folder, not named *.json."""
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(marker))
    assert not marker.exists()
    pickle.loads(payload)  # the payload is live: loading it writes the marker
    assert marker.exists()
    marker.unlink()

    project = tmp_path / "proj"
    (project / "app").mkdir(parents=True)
    (project / "app" / "auth.py").write_text(UNVERIFIED)
    old = project / ".idtoken-migrate-cache"
    old.mkdir()
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    for folder in (old, cache_dir):
        for name in ("scan-" + "0" * 32 + ".pickle", "scan-" + "1" * 32 + ".json"):
            (folder / name).write_bytes(payload)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    env.pop(CACHE_DIR_ENV, None)
    for extra in ([], ["--cache-dir", str(cache_dir)], ["--cache-dir", str(old)]):
        for _ in range(2):  # cold, then warm
            proc = subprocess.run(
                [sys.executable, "-m", "idtoken_migrate", "scan", ".", "--format", "json", *extra],
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert proc.returncode == 0, proc.stderr
            assert json.loads(proc.stdout)["stats"]["by_kind"]["unverified-decode"] == 1
    assert not marker.exists()
    assert list((tmp_path / "xdg" / "idtoken-migrate" / "scan").glob("proj-*/scan-*.json"))


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@t", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(not shutil_which("git"), reason="needs git")
def test_a_committed_cache_folder_is_never_read(tmp_path: Path) -> None:
    from idtoken_migrate.scan.engine import ScanOptions, scan_paths

    (tmp_path / "auth.py").write_text(UNVERIFIED)
    folder = tmp_path / "ci-cache"
    options = ScanOptions(cache_dir=folder, root=tmp_path)
    first = scan_paths([tmp_path], options)
    assert len(first.findings) == 1
    # An attacker empties the findings of auth.py in the cache and commits it.
    (path,) = folder.glob("scan-*.json")
    data = json.loads(path.read_text())
    for entry in data["entries"].values():
        entry[1][1] = []
    path.write_text(json.dumps(data))
    assert scan_paths([tmp_path], options).findings == ()  # not tracked: the user's own cache
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-f", "ci-cache", "auth.py")
    _git(tmp_path, "commit", "-q", "-m", "x")
    result = scan_paths([tmp_path], options)
    assert len(result.findings) == 1
    assert result.stats.cached == 0
    assert json.loads(path.read_text()) == data  # nor written


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
