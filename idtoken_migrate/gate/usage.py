"""Legacy ID-token acceptances per client, read from the dual verifier's logs, and readiness.

The generated dual verifier logs one record per accepted legacy ID token (see
templates/verifier/verifier.py.j2, `_legacy_accepted`): a readable line
`legacy ID token accepted: client_id=... sub_hash=... issuer=... phase=dual at=...Z` under any
formatter, and the same fields as `extra` for JSON formatters. This module reads them from plain
or gzip files and streams (text lines, or JSON lines as log shippers export them), one line at a
time: memory grows with the clients, users and days seen, never with the lines.

Times are UTC: a timestamp with an offset is converted, one without (Python's `asctime`) is read
in `naive_tz` (default UTC). Days are UTC days, as the verifier's sunset date is.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from idtoken_migrate.model import UsageError

EVENT = "legacy_id_token_accepted"
TEXT_MARKER = "legacy ID token accepted:"
_TEXT_MARKER_B = TEXT_MARKER.encode("ascii")
_EVENT_B = EVENT.encode("ascii")
UTC = dt.timezone.utc

# key=value pairs of the record's message; values hold no spaces (config values and hex)
_FIELD = re.compile(r"(?<!\S)(client_id|sub_hash|sub_sha256|issuer|phase|at)=(\S+)")
# A log timestamp: ISO 8601 or `asctime` (`2026-05-28 10:00:00,123`), gunicorn's `+0000` offset.
_TIMESTAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?"
    r"(?:\s?(Z|[+-]\d{2}(?::?\d{2})?)(?![\d:]))?"
)
# Where in a text line its timestamp may start: the formatter's prefix, not the message.
_PREFIX_CHARS = 80
_AT = re.compile(r"(?<!\S)at=(\S+)")
_RECORD_LINE = re.compile(
    TEXT_MARKER + r" client_id=(\S+) sub_(?:hash|sha256)=(\S+) issuer=\S+ phase=\S+ at=(\S+)"
)
# JSON fields log shippers and JSON formatters put the time in (epoch seconds or ms, or text).
_TIME_FIELDS = ("timestamp", "@timestamp", "time", "ts", "asctime", "created", "datetime", "date")
_MESSAGE_FIELDS = ("message", "msg", "log", "event")
_NESTED = ("jsonPayload", "fields")  # Google Cloud Logging exports; Vector/Fluent nesting
MAX_MALFORMED_KEPT = 100  # reported with file and line; the count goes on past it
_FIRST_TIME_TRIES = 200  # lines tried at the start of a log for its first timestamp
_TAIL = 32  # lines tried at the end of a log for its last timestamp
_BLOCK = 1 << 20  # bytes read at a time
_MAX_RECORD_LINE = 64 * 1024  # a longer line is no record of ours (and is not decoded)


@dataclass(frozen=True)
class MalformedRecord:
    """A line that says it is a legacy acceptance but cannot be read as one."""

    source: str
    line: int
    reason: str
    at: dt.datetime | None = None  # its time, when the line has one

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class ClientUsage:
    client_id: str
    count: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    users: int
    per_day: tuple[tuple[str, int], ...]  # (YYYY-MM-DD, n), days with acceptances, in order

    def to_json(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "count": self.count,
            "first_seen": iso(self.first_seen),
            "last_seen": iso(self.last_seen),
            "users": self.users,
            "per_day": dict(self.per_day),
        }


@dataclass(frozen=True)
class UsageReport:
    clients: tuple[ClientUsage, ...]  # most recently seen first
    records: int
    skipped_lines: int
    since: dt.datetime | None  # the earliest time the logs show (any line), UTC
    until: dt.datetime | None  # the latest
    malformed: tuple[MalformedRecord, ...] = ()  # the first MAX_MALFORMED_KEPT
    malformed_count: int = 0
    sources: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The `usage --format json` contract."""
        return {
            "version": 1,
            "clients": [client.to_json() for client in self.clients],
            "records": self.records,
            "skipped_lines": self.skipped_lines,
            "since": iso(self.since) if self.since else None,
            "until": iso(self.until) if self.until else None,
        }


def iso(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- reading log files -------------------------------------------------------------------------

_ROTATED_SUFFIX = re.compile(r"[.-](\d{1,4}|\d{8}(?:\d{2})?|\d{4}-\d{2}-\d{2})(\.gz)?")


def log_files(paths: Iterable[Path], *, rotated: bool = True) -> list[Path]:
    """The files to read: each path, and with `rotated` its rotated siblings (`app.log.1`,
    `app.log.2.gz`, logrotate's `app.log-20260528.gz`), oldest first; each file once."""
    result: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            raise UsageError(f"{path}: a folder; name the log files")
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        group = (_rotated_siblings(path) if rotated else []) + [path]
        for member in group:
            key = member.resolve()
            if key not in seen:
                seen.add(key)
                result.append(member)
    return result


def _rotated_siblings(path: Path) -> list[Path]:
    numbered: list[tuple[int, Path]] = []
    dated: list[tuple[str, Path]] = []
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return []
    for entry in entries:
        if not entry.name.startswith(path.name) or entry == path:
            continue
        found = _ROTATED_SUFFIX.fullmatch(entry.name[len(path.name) :])
        if not found or not entry.is_file():
            continue
        suffix = found.group(1)
        if len(suffix) <= 4:
            numbered.append((int(suffix), entry))
        else:
            dated.append((suffix.replace("-", ""), entry))
    # logrotate's dateext names sort by date; numbered ones are older the higher the number
    return [p for _, p in sorted(dated)] + [p for _, p in sorted(numbered, reverse=True)]


def open_log(stream: IO[bytes], name: str) -> IO[bytes]:
    """`stream`, or its decompressed content when it is gzip (by its magic bytes, not its name)."""
    if not hasattr(stream, "peek"):  # a BytesIO, a test runner's stdin
        stream = io.BufferedReader(stream)  # type: ignore[arg-type]
    if stream.peek(2)[:2] == b"\x1f\x8b":  # type: ignore[attr-defined]
        return gzip.GzipFile(fileobj=stream, mode="rb", filename=name)  # type: ignore[return-value]
    return stream


def read_logs(
    paths: Iterable[Path | None], *, naive_tz: dt.tzinfo = UTC, stdin: IO[bytes] | None = None
) -> UsageReport:
    """Read every log file in order; a None in `paths` stands for `stdin` (`-`)."""
    collector = UsageCollector(naive_tz=naive_tz)
    for path in paths:
        if path is None:
            assert stdin is not None
            collector.feed_stream(stdin, "<stdin>")
            continue
        try:
            with path.open("rb") as raw:
                collector.feed_stream(raw, str(path))
        except OSError as exc:
            raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return collector.report()


def parse_timezone(text: str) -> dt.tzinfo:
    """`UTC`, an offset (`+02:00`, `-0500`) or an IANA zone name (`Europe/Paris`)."""
    name = text.strip()
    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    found = re.fullmatch(r"([+-])(\d{2}):?(\d{2})?", name)
    if found:
        sign, hours, minutes = found.groups()
        delta = dt.timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta < dt.timedelta(hours=24):
            return dt.timezone(-delta if sign == "-" else delta)
    else:
        import zoneinfo

        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    raise UsageError(f"--timezone: {text!r} is not UTC, an offset like +02:00 or a zone name")


# -- one line at a time -----------------------------------------------------------------------


@dataclass
class _Client:
    count: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    users: set[str] = field(default_factory=set)
    per_day: dict[str, int] = field(default_factory=dict)


class UsageCollector:
    """Feed it log streams; `report()` sums them up. Holds no line once it is read."""

    def __init__(self, *, naive_tz: dt.tzinfo = UTC) -> None:
        self.naive_tz = naive_tz
        self._clients: dict[str, _Client] = {}
        self.records = 0
        self.skipped = 0
        self.since: dt.datetime | None = None
        self.until: dt.datetime | None = None
        self.malformed: list[MalformedRecord] = []
        self.malformed_count = 0
        self.sources: list[str] = []
        self._first_tries = 0
        self._last_at = ""
        self._last_at_time: dt.datetime | None = None

    def feed_stream(self, raw: IO[bytes], name: str) -> None:
        """One log, in order (plain or gzip)."""
        try:
            stream = open_log(raw, name)
            self.feed_blocks(iter(lambda: stream.read(_BLOCK), b""), name)
        except (EOFError, OSError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
            raise UsageError(f"{name}: not a readable log file: {exc}") from None

    def feed_blocks(self, blocks: Iterable[bytes], name: str) -> None:
        """One log as blocks of bytes. Records are counted, other lines skipped; the first and
        last timestamps of the log bound the span it covers. Lines are found by searching the
        block for the markers, so a line that is no record costs no Python code at all."""
        self.sources.append(name)
        base = 0  # lines before the current block
        carry = b""
        in_long_line = False  # a line past _MAX_RECORD_LINE: skipped, not kept
        self._first_tries = 0
        last = b""
        for block in blocks:
            data = carry + block if carry else block
            if in_long_line:
                newline = data.find(b"\n")
                if newline < 0:
                    carry = b""
                    continue
                data = data[newline + 1 :]
                base += 1
                self.skipped += 1
                in_long_line = False
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                carry = data
                if len(carry) > _MAX_RECORD_LINE:
                    carry, in_long_line = b"", True
                continue
            body, carry = data[:cut], data[cut:]
            base = self._feed_body(body, name, base)
            last = body
        if in_long_line:
            self.skipped += 1
        elif carry:  # the last line, without its newline
            last = carry + b"\n"
            self._feed_body(last, name, base)
        tail = last[-_TAIL * 512 :].split(b"\n")
        if len(last) > _TAIL * 512:
            del tail[0]  # the end of a line cut by the slice
        for line in reversed(tail[-_TAIL - 1 :]):
            moment = self.line_time(line)
            if moment is not None:
                self._seen(moment)
                break

    def _feed_body(self, body: bytes, name: str, base: int) -> int:
        """Whole lines (`body` ends with a newline) after `base` lines; returns the new count."""
        spans: set[tuple[int, int]] = set()
        for marker in (_TEXT_MARKER_B, _EVENT_B):
            pos = body.find(marker)
            while pos >= 0:
                start = body.rfind(b"\n", 0, pos) + 1
                end = body.find(b"\n", pos)
                spans.add((start, end))
                pos = body.find(marker, end)
        records = 0
        counted_to = counted = 0
        for start, end in sorted(spans):
            counted += body.count(b"\n", counted_to, start)
            counted_to = start
            if end - start <= _MAX_RECORD_LINE and self._record(
                body[start:end], name, base + counted + 1
            ):
                records += 1
        lines = body.count(b"\n")
        self.skipped += lines - records
        pos = 0
        while self._first_tries < _FIRST_TIME_TRIES and pos < len(body):
            self._first_tries += 1
            end = body.find(b"\n", pos)
            moment = self.line_time(body[pos:end]) if end - pos <= _MAX_RECORD_LINE else None
            if moment is not None:
                self._seen(moment)
                self._first_tries = _FIRST_TIME_TRIES
            pos = end + 1
        return base + lines

    def _seen(self, moment: dt.datetime) -> None:
        if self.since is None or moment < self.since:
            self.since = moment
        if self.until is None or moment > self.until:
            self.until = moment

    def _record(self, raw: bytes, source: str, number: int) -> bool:
        """Count a record; False when the line is not one (it is skipped)."""
        line = raw.decode("utf-8", errors="replace").strip()
        parsed = self._parse(line)
        if parsed is None:
            return False
        if isinstance(parsed, MalformedRecord):
            self._malformed(replace_location(parsed, source, number))
            return True
        client_id, sub_hash, moment = parsed
        self.records += 1
        self._seen(moment)
        client = self._clients.get(client_id)
        if client is None:
            client = self._clients[client_id] = _Client()
        client.count += 1
        if client.first is None or moment < client.first:
            client.first = moment
        if client.last is None or moment > client.last:
            client.last = moment
        if sub_hash:
            client.users.add(sub_hash)
        day = moment.date().isoformat()
        client.per_day[day] = client.per_day.get(day, 0) + 1
        return True

    def _malformed(self, record: MalformedRecord) -> None:
        self.malformed_count += 1
        if record.at is not None:
            self._seen(record.at)
        if len(self.malformed) < MAX_MALFORMED_KEPT:
            self.malformed.append(record)

    def _parse(self, line: str) -> tuple[str, str, dt.datetime] | MalformedRecord | None:
        if line.startswith("{"):
            return self._parse_json(line)
        marker = line.find(TEXT_MARKER)
        if marker < 0:
            return None
        return self._parse_text(line, marker, None)

    def _parse_text(
        self, line: str, marker: int, fallback: dt.datetime | None
    ) -> tuple[str, str, dt.datetime] | MalformedRecord:
        exact = _RECORD_LINE.match(line, marker)
        if exact:  # what the verifier writes: no need to look for each field
            fields = dict(zip(("client_id", "sub_hash", "at"), exact.groups(), strict=True))
        else:
            fields = dict(_FIELD.findall(line, marker))
        if "at" in fields:
            moment = self._at_time(fields["at"])
            if moment is None:
                at = self._text_time(line[:marker]) or fallback
                return MalformedRecord("", 0, f"at={fields['at']!r} is not a time", at)
        else:  # verifiers before at= was logged: the formatter's own timestamp
            moment = self._text_time(line[:marker]) or fallback
        client_id = fields.get("client_id", "")
        if not client_id:
            return MalformedRecord("", 0, "no client_id", moment)
        if moment is None:
            return MalformedRecord(
                "", 0, "no timestamp (log with %(asctime)s, or regenerate the verifier)"
            )
        return client_id, fields.get("sub_hash") or fields.get("sub_sha256", ""), moment

    def _parse_json(self, line: str) -> tuple[str, str, dt.datetime] | MalformedRecord | None:
        try:
            data = json.loads(line)
        except ValueError:
            return MalformedRecord("", 0, "not valid JSON")
        if not isinstance(data, dict):
            return None
        fallback = self._json_time(data)
        objects = [data] + [data[k] for k in _NESTED if isinstance(data.get(k), dict)]
        for obj in objects:
            if obj.get("event") == EVENT:
                return self._parse_fields(obj, fallback)
        for obj in objects:
            for key in _MESSAGE_FIELDS:
                message = obj.get(key)
                if isinstance(message, str):
                    marker = message.find(TEXT_MARKER)
                    if marker >= 0:
                        return self._parse_text(message, marker, fallback)
        return None  # the marker was in some other field: not a record

    def _parse_fields(
        self, obj: dict[str, Any], fallback: dt.datetime | None
    ) -> tuple[str, str, dt.datetime] | MalformedRecord:
        moment = fallback
        for key in _MESSAGE_FIELDS:  # the message's own at= is the verification time
            message = obj.get(key)
            if isinstance(message, str) and TEXT_MARKER in message:
                found = _AT.search(message)
                if found:
                    moment = self._at_time(found.group(1)) or moment
                break
        client_id = obj.get("client_id")
        if not isinstance(client_id, str) or not client_id:
            return MalformedRecord("", 0, "no client_id field", moment)
        if moment is None:
            return MalformedRecord("", 0, "no timestamp field")
        sub_hash = obj.get("sub_hash")
        return client_id, sub_hash if isinstance(sub_hash, str) else "", moment

    # -- times ------------------------------------------------------------------------------

    def line_time(self, raw: bytes) -> dt.datetime | None:
        """The time a log line was written, when it says (JSON field or formatter prefix)."""
        line = raw[: _MAX_RECORD_LINE + 1].decode("utf-8", errors="replace").strip()
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except ValueError:
                return None
            return self._json_time(data) if isinstance(data, dict) else None
        return self._text_time(line[:_PREFIX_CHARS])

    def _text_time(self, prefix: str) -> dt.datetime | None:
        found = _TIMESTAMP.search(prefix)
        return self._from_match(found) if found else None

    def _at_time(self, text: str) -> dt.datetime | None:
        # records come in bursts within a second: parse each distinct at= once
        if text != self._last_at:
            self._last_at, self._last_at_time = text, self._parse_time(text)
        return self._last_at_time

    def _parse_time(self, text: str) -> dt.datetime | None:
        if len(text) == 20 and text[10] == "T" and text[19] == "Z":  # at=, in C
            try:
                return dt.datetime.fromisoformat(text[:19]).replace(tzinfo=UTC)
            except ValueError:
                return None
        return self._parse_timestamp(text)

    def _parse_timestamp(self, text: str) -> dt.datetime | None:
        found = _TIMESTAMP.fullmatch(text)
        return self._from_match(found) if found else None

    def _from_match(self, found: re.Match[str]) -> dt.datetime | None:
        date, clock, fraction, offset = found.groups()
        try:
            moment = dt.datetime.fromisoformat(f"{date}T{clock}")
        except ValueError:
            return None
        if fraction:
            moment = moment.replace(microsecond=int(fraction[:6].ljust(6, "0")))
        if offset is None:
            return _to_utc(moment, self.naive_tz)
        if offset == "Z":
            return moment.replace(tzinfo=UTC)
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) >= 4 else 0)
        if minutes >= 24 * 60:
            return None
        tz = dt.timezone(sign * dt.timedelta(minutes=minutes))
        return moment.replace(tzinfo=tz).astimezone(UTC)

    def _json_time(self, data: dict[str, Any]) -> dt.datetime | None:
        for key in _TIME_FIELDS:
            value = data.get(key)
            if isinstance(value, bool) or value is None:
                continue
            if isinstance(value, (int, float)):
                seconds = value / 1000 if value > 100_000_000_000 else value  # ms exports
                try:
                    return dt.datetime.fromtimestamp(seconds, UTC)
                except (OverflowError, OSError, ValueError):
                    return None
            if isinstance(value, str):
                return self._parse_time(value.strip())
        return None

    # -- the sum -----------------------------------------------------------------------------

    def report(self) -> UsageReport:
        clients = [
            ClientUsage(
                client_id=client_id,
                count=c.count,
                first_seen=c.first,
                last_seen=c.last,
                users=len(c.users),
                per_day=tuple(sorted(c.per_day.items())),
            )
            for client_id, c in self._clients.items()
            if c.first is not None and c.last is not None
        ]
        clients.sort(key=lambda c: (-c.last_seen.timestamp(), c.client_id))
        return UsageReport(
            clients=tuple(clients),
            records=self.records,
            skipped_lines=self.skipped,
            since=self.since,
            until=self.until,
            malformed=tuple(self.malformed),
            malformed_count=self.malformed_count,
            sources=tuple(self.sources),
        )


def replace_location(record: MalformedRecord, source: str, line: int) -> MalformedRecord:
    return MalformedRecord(source, line, record.reason, record.at)


def _to_utc(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    return moment.replace(tzinfo=tz).astimezone(UTC)


# -- readiness ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StillSending:
    client_id: str
    last_seen: dt.datetime
    count: int  # acceptances inside the window


@dataclass(frozen=True)
class Readiness:
    """Whether the logs show no legacy acceptance in the last `days` days before `now`."""

    days: int
    now: dt.datetime | None  # the end of the window: --today's end, else the end of the logs
    window_start: dt.datetime | None
    still_sending: tuple[StillSending, ...]
    problems: tuple[str, ...]  # why the logs cannot prove it (too short, malformed records)

    @property
    def ready(self) -> bool:
        return not self.still_sending and not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "days": self.days,
            "now": iso(self.now) if self.now else None,
            "window_start": iso(self.window_start) if self.window_start else None,
            "still_sending": [
                {"client_id": s.client_id, "last_seen": iso(s.last_seen), "count": s.count}
                for s in self.still_sending
            ],
            "problems": list(self.problems),
        }


def readiness(report: UsageReport, days: int, *, today: dt.date | None = None) -> Readiness:
    """Ready when no legacy ID token was accepted in the `days` days before now.

    Now is the end of `today` (UTC) when given, like `check --today`; else the latest time the
    logs show. The logs must cover the whole window (from its start, and with `today` up to that
    day), and a malformed record inside the window, or without a time, also blocks: a log that
    cannot show the last days proves nothing."""
    if days < 1:
        raise UsageError(f"--ready-after: {days} is not a number of days (1 or more)")
    if today is not None:
        now: dt.datetime | None = dt.datetime.combine(today, dt.time(), UTC) + dt.timedelta(days=1)
    else:
        now = report.until
    if now is None:
        return Readiness(days, None, None, (), ("the logs show no timestamp, so no day",))
    start = now - dt.timedelta(days=days)
    problems: list[str] = []
    if report.since is None or report.since > start:
        shown = f"start {iso(report.since)}" if report.since else "show no time at all"
        span = f"{days} day{'s' if days != 1 else ''}"
        problems.append(f"the logs {shown}; the last {span} need them from {iso(start)}")
    if today is not None and (report.until is None or report.until.date() < today):
        end = iso(report.until) if report.until else "nowhere"
        problems.append(f"the logs end {end}, before {today.isoformat()}")
    blocking = [m for m in report.malformed if m.at is None or m.at >= start]
    if report.malformed_count > len(report.malformed):
        problems.append(
            f"{report.malformed_count} malformed records (first: {report.malformed[0]})"
        )
    elif blocking:
        problems.append(
            f"{len(blocking)} malformed record{'s' if len(blocking) != 1 else ''} that may be "
            f"inside the window (first: {blocking[0]})"
        )
    still: list[StillSending] = []
    for client in report.clients:
        if client.last_seen >= start:
            inside = sum(n for day, n in client.per_day if day >= start.date().isoformat())
            still.append(StillSending(client.client_id, client.last_seen, inside))
    return Readiness(days, now, start, tuple(still), tuple(problems))
