"""Drive a rendered dual verifier with real signed tokens and keep what its logging wrote.

The app's log handler writes the verifier's records with the formatter a test picks; the
handler's clock follows the verification time (`now`), as it does in production where `now` is
the current time, so the formatter's own timestamps agree with the records' `at=`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from verifier_kit import SCENARIOS, Keys, render_and_load, sign

WEB = "AbCdEf123"
MOBILE = "mobile-ios-7"
SCENARIO = SCENARIOS["auth0"]
UTC = dt.timezone.utc


def at(text: str) -> float:
    """POSIX seconds of an ISO 8601 time with an offset."""
    return dt.datetime.fromisoformat(text).timestamp()


class JsonFormatter(logging.Formatter):
    """What python-json-logger writes: asctime (local, no offset), level, the extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        data = {"asctime": self.formatTime(record), "levelname": record.levelname}
        for name in ("event", "client_id", "sub_hash", "issuer", "phase"):
            if hasattr(record, name):
                data[name] = getattr(record, name)
        if not hasattr(record, "event"):
            data["message"] = record.getMessage()
        return json.dumps(data)


class ShipperFormatter(logging.Formatter):
    """A log shipper's JSON line: its own `timestamp`, and the app's line in `message`."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = dt.datetime.fromtimestamp(record.created, UTC).isoformat()
        return json.dumps(
            {"timestamp": stamp, "stream": "stderr", "message": super().format(record)}
        )


def fixed_offset_converter(hours: int):  # noqa: ANN201
    """A formatter clock for a server whose local time is UTC+hours."""

    def convert(seconds: float | None) -> object:
        return dt.datetime.fromtimestamp(
            seconds or 0, dt.timezone(dt.timedelta(hours=hours))
        ).timetuple()

    return convert


class _Clock(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    def filter(self, record: logging.LogRecord) -> bool:
        record.created = self.now
        record.msecs = 0.0
        return True


class DualApp:
    def __init__(self, jwks_url: str, keys: Keys, directory: Path) -> None:
        config = SCENARIO.config(jwks_uri=jwks_url)
        legacy = dataclasses.replace(config.legacy_id_token, client_ids=(WEB, MOBILE))
        config = dataclasses.replace(config, legacy_id_token=legacy)
        self.module: ModuleType = render_and_load(config, "dual", directory)
        self.keys = keys

    def id_token(self, now: float, client: str, sub: str) -> str:
        claims = SCENARIO.id_claims(now=now, aud=client, sub=sub)
        return sign(SCENARIO.id_header(self.keys.rsa), claims, self.keys.rsa)

    def access_token(self, now: float) -> str:
        claims = SCENARIO.access_claims(now=now)
        return sign(SCENARIO.access_header(self.keys.rsa), claims, self.keys.rsa)

    def write_log(
        self,
        path: Path,
        events: Iterable[tuple[float, str, str]],
        formatter: logging.Formatter | None = None,
        *,
        chatter: bool = True,
    ) -> list[str]:
        """Serve `(now, client, sub)` requests; `client` "access" sends an access token, "other"
        makes the app log an unrelated line. Returns the lines written to `path` (appended)."""
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(formatter or logging.Formatter())
        clock = _Clock()
        handler.addFilter(clock)
        root = logging.getLogger()
        app_log = logging.getLogger("myapi.requests")
        app_log.setLevel(logging.INFO)
        root.addHandler(handler)
        try:
            for now, client, sub in events:
                clock.now = now
                if client == "other":
                    app_log.info("GET /orders 200 12ms user=%s", sub)
                elif client == "access":
                    assert (
                        self.module.verify(self.access_token(now), now=now).kind == "access_token"
                    )
                    if chatter:
                        app_log.info("GET /orders 200 (access token)")
                else:
                    verified = self.module.verify(self.id_token(now, client, sub), now=now)
                    assert verified.kind == "legacy_id_token"
        finally:
            root.removeHandler(handler)
            handler.close()
        return path.read_text(encoding="utf-8").splitlines()
