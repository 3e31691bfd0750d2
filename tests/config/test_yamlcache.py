"""Parsed rule packs kept per machine (yamlcache): the cached data gives the very same
rules, an edited or broken pack is parsed again, and a bad cache folder only costs time."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from samples import USER_PACK as PACK

from idtoken_migrate.config import rulepack, yamlcache, yamlfile
from idtoken_migrate.model import UsageError
from idtoken_migrate.resources import rules_dir
from idtoken_migrate.scan.signals import load_signals


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("IDTOKEN_MIGRATE_RULES_CACHE", str(folder))
    return folder


def no_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(data: bytes, source: str) -> None:
        raise AssertionError(f"parsed {source} although its data was cached")

    monkeypatch.setattr(yamlfile, "parse", refuse)


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.json")) if cache.is_dir() else []


def test_every_bundled_pack_loads_the_same_from_the_cache(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = rulepack.pack_files(rules_dir())
    parsed = [rulepack.load_pack(p) for p in files]
    assert len(entries(cache)) == len(files)
    no_yaml(monkeypatch)
    assert [rulepack.load_pack(p) for p in files] == parsed


def test_signals_load_the_same_from_the_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = rules_dir() / "signals.yaml"
    parsed = load_signals.__wrapped__(path)
    profiles = list((rules_dir() / "providers").glob("*.yaml"))  # their `scanner:` sections
    assert len(entries(cache)) == 1 + len(profiles)
    no_yaml(monkeypatch)
    assert load_signals.__wrapped__(path) == parsed
    assert parsed.audience_meaning("cognito") is not None


def test_a_broken_pack_is_never_stored_and_keeps_its_line(tmp_path: Path, cache: Path) -> None:
    pack = tmp_path / "acme.yaml"
    pack.write_text(PACK.replace("    summary:", "    sumary:"))
    for _ in range(2):
        with pytest.raises(UsageError, match=r"acme\.yaml:7: rules\[ACME001\]\.sumary"):
            rulepack.load_pack(pack)
    assert entries(cache) == []


def test_an_edited_pack_is_parsed_again(tmp_path: Path, cache: Path) -> None:
    pack = tmp_path / "acme.yaml"
    pack.write_text(PACK)
    assert rulepack.load_pack(pack).rules[0].summary == "acme_auth.verify checks a token"
    pack.write_text(PACK.replace("summary: acme_auth.verify checks a token", "summary: edited"))
    assert rulepack.load_pack(pack).rules[0].summary == "edited"
    assert len(entries(cache)) == 2


def test_a_torn_entry_is_ignored_and_replaced(tmp_path: Path, cache: Path) -> None:
    pack = tmp_path / "acme.yaml"
    pack.write_text(PACK)
    first = rulepack.load_pack(pack)
    [entry] = entries(cache)
    entry.write_text('{"pack": "ac')
    assert rulepack.load_pack(pack) == first
    assert yamlcache.get(pack.read_bytes()) is not None


def test_a_folder_that_cannot_be_written_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("IDTOKEN_MIGRATE_RULES_CACHE", str(blocker / "cache"))
    pack = tmp_path / "acme.yaml"
    pack.write_text(PACK)
    assert rulepack.load_pack(pack).rules[0].id == "ACME001"
    assert yamlcache.get(pack.read_bytes()) is None


def test_an_empty_setting_turns_it_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDTOKEN_MIGRATE_RULES_CACHE", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert yamlcache.cache_dir() is None
    yamlcache.put(b"a: 1\n", {"a": 1})
    assert yamlcache.get(b"a: 1\n") is None
    assert not (tmp_path / "xdg").exists()


def test_the_default_place_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IDTOKEN_MIGRATE_RULES_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert yamlcache.cache_dir() == tmp_path / "idtoken-migrate" / "yaml"


def test_a_relative_xdg_folder_is_ignored_and_no_home_means_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IDTOKEN_MIGRATE_RULES_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert yamlcache.cache_dir() == tmp_path / ".cache" / "idtoken-migrate" / "yaml"
    # HOME unset and a uid without a passwd entry (`docker run --user 4242`): "~" stays "~".
    pwd = pytest.importorskip("pwd")
    monkeypatch.delenv("HOME")

    def no_entry(uid: int) -> None:
        raise KeyError(uid)

    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    monkeypatch.chdir(tmp_path)
    assert yamlcache.cache_dir() is None
    yamlcache.put(b"a: 1\n", {"a": 1})
    assert list(tmp_path.iterdir()) == []  # nothing written under the working directory


def test_only_data_json_gives_back_unchanged_is_kept(cache: Path) -> None:
    yamlcache.put(b"when: 2026-01-01\n", {"when": dt.date(2026, 1, 1)})
    yamlcache.put(b"1: one\n", {1: "one"})  # JSON would bring the key back as "1"
    assert entries(cache) == []
    yamlcache.put(b"a: [1, x]\n", {"a": [1, "x"]})
    assert yamlcache.get(b"a: [1, x]\n") == {"a": [1, "x"]}


def test_readers_never_see_a_half_written_entry(cache: Path) -> None:
    value = {"rules": [{"id": f"R{i}", "words": ["x" * 200] * 20} for i in range(50)]}
    data = b"the same pack bytes"
    seen: list[object] = []

    def write() -> None:
        for _ in range(100):
            yamlcache.put(data, value)

    def read() -> None:
        for _ in range(300):
            seen.append(yamlcache.get(data))

    threads = [threading.Thread(target=write), threading.Thread(target=write)]
    threads.append(threading.Thread(target=read))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(v is None or v == value for v in seen)
    assert [p.name for p in cache.iterdir() if p.name.startswith(".tmp-")] == []


# -- the same rules as the scan cache: data only, checked, never a committed folder ------------


def _entry_for(data: bytes) -> Path:
    entry = yamlcache._entry(data)
    assert entry is not None
    entry.parent.mkdir(parents=True, exist_ok=True)
    return entry


@pytest.mark.parametrize(
    "planted",
    [
        b'{"rules": "not a list"}',
        b"[1, 2, 3]",
        b'{"rules": [{"id": 7}]}',
        b"\x80\x04\x95pickle bytes",
        b"[" * 50_000,
    ],
    ids=["wrong-type", "wrong-shape", "wrong-field-type", "pickle", "nested"],
)
def test_a_planted_entry_that_fails_the_checks_is_parsed_again(
    cache: Path, tmp_path: Path, planted: bytes
) -> None:
    pack = tmp_path / "acme.yaml"
    pack.write_text(PACK)
    expected = rulepack.load_pack(pack).rules
    _entry_for(pack.read_bytes()).write_bytes(planted)
    assert rulepack.load_pack(pack).rules == expected


def test_a_huge_entry_is_not_read(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = tmp_path / "acme.yaml"
    pack.write_text(PACK)
    rulepack.load_pack(pack)
    assert yamlcache.get(pack.read_bytes()) is not None
    monkeypatch.setattr(yamlcache, "MAX_ENTRY_BYTES", 16)
    assert yamlcache.get(pack.read_bytes()) is None
    assert rulepack.load_pack(pack).rules[0].id == "ACME001"


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_folder_git_tracks_is_never_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    folder = repo / "rules-cache"
    folder.mkdir(parents=True)
    pack = tmp_path / "acme.yaml"
    pack.write_text(PACK)
    monkeypatch.setenv("IDTOKEN_MIGRATE_RULES_CACHE", str(folder))
    yamlcache._untracked.cache_clear()
    rulepack.load_pack(pack)  # stored: the folder is the user's own
    (entry,) = folder.glob("*.json")
    planted = json.loads(entry.read_text())
    planted["rules"][0]["id"] = "PLANTED1"
    entry.write_text(json.dumps(planted))
    assert rulepack.load_pack(pack).rules[0].id == "PLANTED1"  # an untracked folder is read
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-f", "rules-cache"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "x"], cwd=repo, check=True)
    yamlcache._untracked.cache_clear()
    assert yamlcache.cache_dir() is None
    assert rulepack.load_pack(pack).rules[0].id == "ACME001"
    yamlcache._untracked.cache_clear()
