"""Benchmark: `idtoken-migrate usage` over 1 GB of generated logs (throughput and peak memory).

    .venv/bin/python bench/usage_bench.py [--size-mb 1024] [--record-share 0.1] [--keep]

Writes `bench/.work/usage-1024mb.log` (kept between runs unless the parameters change): the
log of a busy API in the dual phase over 60 days, asctime-prefixed text lines, one in ten (by
default) a legacy acceptance from 5 clients and 200,000 users, the rest access logs and app
chatter, with a JSON-lines part as a shipper would export. The record lines are the ones a real
rendered dual verifier logs (rendered here, HS256 legacy tokens signed and verified for real),
their times and user hashes varied. Then runs the CLI in a child process and reports wall time,
MB/s, lines/s and the child's peak RSS (getrusage), next to the size of the input.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.util
import json
import logging
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jwt

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from idtoken_migrate.config import (  # noqa: E402
    AccessTokenConfig,
    Config,
    LegacyIdTokenConfig,
    WindowConfig,
)
from idtoken_migrate.verifier.render import render_verifier  # noqa: E402

WORK = REPO / "bench" / ".work"
ISSUER = "https://bench.eu.auth0.com/"
CLIENTS = ("web-spa", "ios-app", "android-app", "partner-portal", "legacy-cli")
SECRET = "bench-client-secret-of-more-than-thirty-two-bytes-0123456789"
START = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
DAYS = 60


def real_record_lines() -> dict[str, str]:
    """One record line per client, as the rendered dual verifier logs it for a real token."""
    os.environ["BENCH_LEGACY_SECRET"] = SECRET
    config = Config(
        provider="auth0",
        issuer=ISSUER,
        jwks_uri=ISSUER + ".well-known/jwks.json",
        access_token=AccessTokenConfig(
            audience=("https://api.example.com",), algorithms=("RS256",)
        ),
        legacy_id_token=LegacyIdTokenConfig(
            client_ids=CLIENTS, algorithms=("HS256",), secret_env="BENCH_LEGACY_SECRET"
        ),
        window=WindowConfig(sunset=dt.date(2027, 1, 1), kill_switch_env="BENCH_KILL"),
        source="bench",
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench_verifier.py"
        path.write_text(render_verifier(config, "dual"), encoding="utf-8")
        spec = importlib.util.spec_from_file_location("bench_verifier", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    logger = logging.getLogger(module.LOGGER_NAME + ".legacy")
    handler = Keep()
    logger.addHandler(handler)
    now = START.timestamp()
    for client in CLIENTS:
        claims = {
            "iss": ISSUER,
            "aud": client,
            "sub": "auth0|1",
            "iat": int(now),
            "exp": int(now) + 600,
        }
        token = jwt.encode(claims, SECRET, algorithm="HS256")
        assert module.verify(token, now=now).kind == "legacy_id_token"
    logger.removeHandler(handler)
    return dict(zip(CLIENTS, lines, strict=True))


def generate(path: Path, size: int, record_share: float) -> int:
    """Write about `size` bytes; returns the number of lines."""
    records = real_record_lines()
    start_at = START.strftime("%Y-%m-%dT%H:%M:%SZ")
    sub_hash = hashlib.sha256(b"auth0|1").hexdigest()[:16]
    rng = random.Random(17)
    users = [hashlib.sha256(f"user-{n}".encode()).hexdigest()[:16] for n in range(200_000)]
    span = DAYS * 86400
    step = 2 * span / (size / 147)  # mean 147 bytes a line: the logs span the 60 days
    lines = 0
    written = 0
    t = START.timestamp()
    # client i stops on day 12 * (i + 1): the last one keeps going to the end
    stops = [START.timestamp() + 86400 * 12 * (i + 1) for i in range(len(CLIENTS))]
    with path.open("w", encoding="utf-8") as out:
        chunk: list[str] = []
        while written < size:
            t += step * rng.random()
            if t > START.timestamp() + span:
                t = START.timestamp() + span
            stamp = (
                time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) + f",{int(t * 1000) % 1000:03d}"
            )
            roll = rng.random()
            if roll < record_share:
                i = rng.randrange(len(CLIENTS))
                if t < stops[i] or i == len(CLIENTS) - 1:
                    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
                    message = (
                        records[CLIENTS[i]]
                        .replace(start_at, at)
                        .replace(sub_hash, rng.choice(users))
                    )
                    line = f"{stamp} WARNING idtoken_migrate.verifier.legacy: {message}\n"
                else:
                    line = f"{stamp} INFO myapi.auth: access token accepted for {CLIENTS[i]}\n"
            elif roll < 0.95:
                status = rng.choice((200, 200, 200, 201, 204, 304, 401, 404))
                line = (
                    f"{stamp} INFO gunicorn.access: 10.0.{rng.randrange(256)}.9 - - "
                    f'"GET /v1/orders/{rng.randrange(10**6)}?expand=items HTTP/1.1" {status} '
                    f'{rng.randrange(20000)} "-" "okhttp/4.12.0" {rng.randrange(900)}ms\n'
                )
            else:
                line = (
                    json.dumps(
                        {
                            "timestamp": stamp.replace(" ", "T").replace(",", ".") + "Z",
                            "level": "info",
                            "logger": "myapi.jobs",
                            "message": f"reindexed {rng.randrange(5000)} orders",
                        }
                    )
                    + "\n"
                )
            chunk.append(line)
            written += len(line)
            lines += 1
            if len(chunk) >= 10_000:
                out.write("".join(chunk))
                chunk.clear()
        out.write("".join(chunk))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--record-share", type=float, default=0.1)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"usage-{args.size_mb}mb-{args.record_share}.log"
    meta = path.with_suffix(".lines")
    if not path.exists() or not meta.exists():
        began = time.perf_counter()
        count = generate(path, args.size_mb * 1024 * 1024, args.record_share)
        meta.write_text(str(count))
        print(f"generated {path} ({count:,} lines) in {time.perf_counter() - began:.1f} s")
    lines = int(meta.read_text())
    size = path.stat().st_size
    command = [sys.executable, "-m", "idtoken_migrate", "usage", str(path), "--format", "json"]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode != 0:
        sys.exit(f"usage failed ({done.returncode}): {done.stderr}")
    report = json.loads(done.stdout)
    result = {
        "input_bytes": size,
        "lines": lines,
        "records": report["records"],
        "skipped_lines": report["skipped_lines"],
        "clients": len(report["clients"]),
        "users": sum(c["users"] for c in report["clients"]),
        "wall_seconds": round(wall, 2),
        "mb_per_second": round(size / 1024 / 1024 / wall, 1),
        "lines_per_second": round(lines / wall),
        "peak_rss_mb": round(peak_kb / 1024, 1),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
