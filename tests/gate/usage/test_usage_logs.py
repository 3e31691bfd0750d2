"""`usage` reads what a real dual verifier logged for real signed tokens: every log shape."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import time
from pathlib import Path

import pytest

from idtoken_migrate.gate.usage import log_files, parse_timezone, read_logs
from idtoken_migrate.model import UsageError

from .verifier_logs import MOBILE, WEB, DualApp, JsonFormatter, ShipperFormatter, at

UTC = dt.timezone.utc
PARIS_SUMMER = dt.timezone(dt.timedelta(hours=2))


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(UTC)


class OffsetFormatter(logging.Formatter):
    """`asctime` as ISO 8601 in a server's own zone, offset included (`...T01:30:00+02:00`)."""

    def __init__(
        self, zone: dt.tzinfo, fmt: str = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    ):
        super().__init__(fmt)
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return dt.datetime.fromtimestamp(record.created, self.zone).isoformat(
            timespec="milliseconds"
        )


class NaiveLocalJson(JsonFormatter):
    """python-json-logger's `asctime` on a server whose local time is UTC+2: no offset written."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        local = dt.datetime.fromtimestamp(record.created, PARIS_SUMMER).replace(tzinfo=None)
        return local.strftime("%Y-%m-%d %H:%M:%S,000")


def asctime_formatter() -> logging.Formatter:
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    formatter.converter = time.gmtime
    return formatter


def per_client(report) -> dict[str, dict]:  # noqa: ANN001
    return {c["client_id"]: c for c in report.to_json()["clients"]}


def test_default_formatter_lines_count_per_client_user_and_utc_day(
    dual_app: DualApp, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    dual_app.write_log(
        log,
        [
            (at("2026-05-27T23:59:59+00:00"), WEB, "auth0|1"),
            (at("2026-05-28T00:00:00+00:00"), WEB, "auth0|1"),  # the next UTC day
            (at("2026-05-28T08:15:00+00:00"), WEB, "auth0|2"),
            (at("2026-05-28T09:00:00+00:00"), "access", ""),
            (at("2026-05-28T09:30:00+00:00"), MOBILE, "auth0|3"),
            (at("2026-05-28T10:00:00+00:00"), "other", "u"),
        ],
    )
    report = read_logs([log])
    clients = per_client(report)
    assert clients[WEB] == {
        "client_id": WEB,
        "count": 3,
        "first_seen": "2026-05-27T23:59:59Z",
        "last_seen": "2026-05-28T08:15:00Z",
        "users": 2,
        "per_day": {"2026-05-27": 1, "2026-05-28": 2},
    }
    assert clients[MOBILE]["count"] == 1 and clients[MOBILE]["users"] == 1
    assert [c.client_id for c in report.clients] == [MOBILE, WEB]  # most recently seen first
    assert (report.records, report.skipped_lines, report.malformed_count) == (4, 2, 0)
    # The message-only lines of the default formatter carry no time: the span is the records'.
    assert report.to_json()["since"] == "2026-05-27T23:59:59Z"
    assert report.to_json()["until"] == "2026-05-28T09:30:00Z"


def test_asctime_prefix_with_an_offset_gives_the_span_in_utc(
    dual_app: DualApp, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    lines = dual_app.write_log(
        log,
        [
            (at("2026-05-28T00:10:00+02:00"), "other", "first"),  # 2026-05-27T22:10Z
            (at("2026-05-28T01:30:00+02:00"), WEB, "auth0|1"),  # 2026-05-27T23:30Z
            (at("2026-05-28T02:30:00+02:00"), WEB, "auth0|1"),  # 2026-05-28T00:30Z
            (at("2026-05-29T09:00:00+02:00"), "access", ""),
        ],
        OffsetFormatter(PARIS_SUMMER),
    )
    assert lines[0].startswith("2026-05-28T00:10:00.000+02:00 INFO myapi.requests")
    report = read_logs([log])
    assert per_client(report)[WEB]["per_day"] == {"2026-05-27": 1, "2026-05-28": 1}
    assert (report.since, report.until) == (
        utc("2026-05-27T22:10:00+00:00"),
        utc("2026-05-29T07:00:00+00:00"),
    )


def test_naive_local_timestamps_are_read_in_the_zone_given(
    dual_app: DualApp, tmp_path: Path
) -> None:
    """Structured records (the extra fields, no message) take their time from `asctime`."""
    log = tmp_path / "app.json"
    lines = dual_app.write_log(
        log,
        [(at("2026-05-28T01:30:00+02:00"), WEB, "auth0|1")],
        NaiveLocalJson(),
        chatter=False,
    )
    record = json.loads(lines[0])
    assert record["event"] == "legacy_id_token_accepted" and "message" not in record
    assert record["asctime"] == "2026-05-28 01:30:00,000"
    in_paris = read_logs([log], naive_tz=parse_timezone("+02:00"))
    assert per_client(in_paris)[WEB]["per_day"] == {"2026-05-27": 1}
    assert per_client(in_paris)[WEB]["last_seen"] == "2026-05-27T23:30:00Z"
    as_utc = read_logs([log])  # the default reads it as UTC: a different day
    assert per_client(as_utc)[WEB]["per_day"] == {"2026-05-28": 1}


def test_shipper_json_lines_with_the_record_in_message(dual_app: DualApp, tmp_path: Path) -> None:
    log = tmp_path / "shipped.json"
    dual_app.write_log(
        log,
        [
            (at("2026-05-28T12:00:00+00:00"), MOBILE, "auth0|9"),
            (at("2026-05-28T12:05:00+00:00"), "other", "x"),
            (at("2026-05-28T12:06:00+00:00"), MOBILE, "auth0|8"),
        ],
        ShipperFormatter("%(levelname)s %(name)s %(message)s"),
    )
    report = read_logs([log])
    assert per_client(report)[MOBILE]["count"] == 2
    assert per_client(report)[MOBILE]["users"] == 2
    assert report.skipped_lines == 1
    assert report.to_json()["until"] == "2026-05-28T12:06:00Z"


def test_rotated_set_with_gzip_is_read_oldest_first(dual_app: DualApp, tmp_path: Path) -> None:
    formatter = asctime_formatter()
    days = [
        ("app.log.2", "2026-05-20", WEB),
        ("app.log.1", "2026-05-21", MOBILE),
        ("app.log", "2026-05-22", WEB),
    ]
    for name, day, client in days:
        dual_app.write_log(
            tmp_path / name,
            [
                (at(f"{day}T06:00:00+00:00"), "other", "boot"),
                (at(f"{day}T07:00:00+00:00"), client, "auth0|1"),
                (at(f"{day}T23:00:00+00:00"), "access", ""),
            ],
            formatter,
        )
    oldest = tmp_path / "app.log.2"
    (tmp_path / "app.log.2.gz").write_bytes(gzip.compress(oldest.read_bytes()))
    oldest.unlink()
    (tmp_path / "app.log.bak").write_text("not part of the set\n")

    files = log_files([tmp_path / "app.log"])
    assert [f.name for f in files] == ["app.log.2.gz", "app.log.1", "app.log"]
    assert log_files([tmp_path / "app.log", tmp_path / "app.log.1"]) == files  # each file once
    report = read_logs(files)
    assert per_client(report)[WEB]["per_day"] == {"2026-05-20": 1, "2026-05-22": 1}
    assert per_client(report)[MOBILE]["per_day"] == {"2026-05-21": 1}
    assert report.to_json()["since"] == "2026-05-20T06:00:00Z"
    assert report.to_json()["until"] == "2026-05-22T23:00:00Z"
    only_current = read_logs(log_files([tmp_path / "app.log"], rotated=False))
    assert set(per_client(only_current)) == {WEB}


def test_malformed_records_are_reported_with_file_and_line(
    dual_app: DualApp, tmp_path: Path
) -> None:
    real = tmp_path / "real.log"
    lines = dual_app.write_log(
        real,
        [
            (at("2026-05-28T10:00:00+00:00"), WEB, "auth0|1"),
            (at("2026-05-28T10:01:00+00:00"), "other", "x"),
        ],
        asctime_formatter(),
    )
    shipped = dual_app.write_log(
        tmp_path / "shipped.json",
        [(at("2026-05-28T10:02:00+00:00"), WEB, "auth0|2")],
        ShipperFormatter(),
        chatter=False,
    )
    record = lines[0]
    cut_before_client = record[: record.index("client_id=")]  # a write cut short by a crash
    log = tmp_path / "app.log"
    log.write_text(
        "\n".join(
            [
                record,
                lines[1],
                cut_before_client,
                shipped[0][: shipped[0].index("sub_hash=")],  # a JSON line cut short
                record.replace("at=2026-05-28T10:00:00Z", "at=2026-05-28T25:00:00Z"),
                "2026-05-28 10:03:00,000 INFO ops: alert legacy_id_token_accepted is quiet",
                '{"event": "deploy", "note": "dashboards count legacy_id_token_accepted"}',
                "\x00\xff binary noise \xfe",
                record,
            ]
        )
        + "\n",
        encoding="utf-8",
        errors="surrogateescape",
    )
    report = read_logs([log])
    assert report.records == 2
    assert [(m.line, m.reason) for m in report.malformed] == [
        (3, "no client_id"),
        (4, "not valid JSON"),
        (5, "at='2026-05-28T25:00:00Z' is not a time"),
    ]
    assert all(m.source == str(log) for m in report.malformed)
    assert str(report.malformed[0]) == f"{log}:3: no client_id"
    assert report.malformed[0].at == utc("2026-05-28T10:00:00+00:00")  # the line's prefix
    assert report.malformed[1].at is None
    assert report.skipped_lines == 4


def test_a_record_without_any_time_is_malformed(tmp_path: Path) -> None:
    """An earlier verifier's line under the default formatter: no at=, no prefix."""
    log = tmp_path / "old.log"
    log.write_text("legacy ID token accepted: client_id=AbCdEf123 sub_sha256=3f0a9c1d2e3b4a5f\n")
    report = read_logs([log])
    assert report.records == 0
    assert report.malformed[0].reason.startswith("no timestamp")


def test_bad_inputs_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        log_files([tmp_path / "missing.log"])
    with pytest.raises(UsageError, match="a folder"):
        log_files([tmp_path])
    broken = tmp_path / "app.log.1.gz"
    broken.write_bytes(gzip.compress(b"line\n" * 1000)[:40])
    with pytest.raises(UsageError, match=r"app\.log\.1\.gz: not a readable log file"):
        read_logs([broken])
    for zone in ("Mars/Olympus", "+25:00", ""):
        with pytest.raises(UsageError, match="--timezone"):
            parse_timezone(zone)
    assert parse_timezone("-05:30").utcoffset(None) == -dt.timedelta(hours=5, minutes=30)
