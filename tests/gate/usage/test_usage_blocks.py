"""Reading a log in blocks: any block size gives the same report; huge lines are skipped."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from idtoken_migrate.gate.usage import UsageCollector, UsageReport, read_logs

from .verifier_logs import MOBILE, WEB, DualApp, at


@pytest.fixture(scope="module")
def log_bytes(dual_app: DualApp, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    formatter.converter = time.gmtime
    path = tmp_path_factory.mktemp("blocks") / "api.log"
    events = []
    for hour in range(10):
        events += [
            (at(f"2026-05-28T{hour:02d}:00:00+00:00"), "other", "x"),
            (at(f"2026-05-28T{hour:02d}:10:00+00:00"), WEB if hour % 2 else MOBILE, f"u{hour}"),
        ]
    dual_app.write_log(path, events, formatter)
    record = path.read_bytes().splitlines(keepends=True)[1]
    # the last line of a file often has no newline; one record is cut short
    return path.read_bytes() + record[: record.index(b"client_id=")] + b"\n" + record.rstrip(b"\n")


def collect(data: bytes, size: int) -> UsageReport:
    collector = UsageCollector()
    collector.feed_blocks((data[i : i + size] for i in range(0, len(data), size)), "api.log")
    return collector.report()


@pytest.mark.parametrize("size", [1, 7, 64, 4096])
def test_every_block_size_gives_the_same_report(log_bytes: bytes, size: int) -> None:
    whole = collect(log_bytes, len(log_bytes))
    assert whole.records == 11 and whole.skipped_lines == 10
    assert [(m.line, m.reason) for m in whole.malformed] == [(21, "no client_id")]
    assert collect(log_bytes, size) == whole


def test_a_line_longer_than_a_record_is_skipped_not_kept(tmp_path: Path, log_bytes: bytes) -> None:
    huge = b"2026-05-28 11:00:00,000 INFO dump: legacy ID token accepted: " + b"x" * 300_000
    path = tmp_path / "api.log"
    path.write_bytes(huge + b"\n" + log_bytes)
    report = read_logs([path])
    assert report.records == 11 and report.skipped_lines == 11
    assert report.malformed[0].line == 22  # line numbers count the huge line
    assert {c.client_id for c in report.clients} == {WEB, MOBILE}
    # in small blocks the huge line spans many of them: dropped as it streams, still one line
    data = path.read_bytes()
    assert collect(data, 4096) == collect(data, len(data))
    assert collect(data, 4096).malformed[0].line == 22
