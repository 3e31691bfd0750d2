"""`idtoken-migrate usage`: formats, the JSON contract, --ready-after exits, and bad input."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_inprocess import Run, run_cli

from idtoken_migrate.gate.usage import read_logs, readiness
from idtoken_migrate.report.usage import render_usage

from .verifier_logs import MOBILE, WEB, DualApp, at


@pytest.fixture
def cli() -> Callable[..., Run]:
    def invoke(*args: str, stdin: bytes | None = None) -> Run:
        return run_cli("usage", *args, stdin=stdin)

    return invoke


def day(n: int, clock: str = "12:00:00") -> float:
    """Day n of a month of traffic (day 1 is 2026-05-01), UTC."""
    return at(f"{(dt.date(2026, 5, 1) + dt.timedelta(days=n - 1)).isoformat()}T{clock}+00:00")


@pytest.fixture(scope="module")
def month_log(dual_app: DualApp, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 days of one API's log: web stops sending ID tokens on day 12, mobile on day 20; access
    tokens and other requests go on to day 30."""
    import logging

    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    formatter.converter = time.gmtime
    events: list[tuple[float, str, str]] = []
    for n in range(1, 31):
        events.append((day(n, "06:00:00"), "other", "health"))
        if n <= 12:
            events += [(day(n, f"08:0{i}:00"), WEB, f"auth0|{i}") for i in range(n % 4 + 1)]
        if n <= 20:
            events.append((day(n, "09:00:00"), MOBILE, "auth0|mobile"))
        events.append((day(n, "18:00:00"), "access", ""))
    path = tmp_path_factory.mktemp("month") / "api.log"
    dual_app.write_log(path, events, formatter)
    return path


def test_json_is_the_contract(cli, month_log: Path) -> None:
    run = cli(str(month_log), "--format", "json")
    assert run.exit_code == 0, run.stderr
    data = json.loads(run.stdout)
    assert list(data) == ["version", "clients", "records", "skipped_lines", "since", "until"]
    assert data["version"] == 1
    assert [c["client_id"] for c in data["clients"]] == [MOBILE, WEB]
    mobile, web = data["clients"]
    assert list(mobile) == ["client_id", "count", "first_seen", "last_seen", "users", "per_day"]
    assert (mobile["count"], mobile["users"], mobile["last_seen"]) == (
        20,
        1,
        "2026-05-20T09:00:00Z",
    )
    assert web["count"] == sum(n % 4 + 1 for n in range(1, 13)) and web["users"] == 4
    assert web["per_day"]["2026-05-03"] == 4 and "2026-05-13" not in web["per_day"]
    assert data["records"] == 20 + web["count"]
    assert data["skipped_lines"] == 60  # the health checks and the access-token requests
    assert (data["since"], data["until"]) == ("2026-05-01T06:00:00Z", "2026-05-30T18:00:00Z")


def test_text_shows_a_chart_per_client_and_day(cli, month_log: Path) -> None:
    run = cli(str(month_log))
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    assert lines[0] == (
        "Legacy ID tokens accepted, per client (UTC): 2026-05-01 06:00:00Z .. 2026-05-30 18:00:00Z"
    )
    web_row = next(line for line in lines if line.startswith(WEB))
    mobile_row = next(line for line in lines if line.startswith(MOBILE))
    web_chart, mobile_chart = web_row.split()[7], mobile_row.split()[7]
    assert len(web_chart) == len(mobile_chart) == 30  # one character per day of the logs
    assert mobile_chart == "█" * 20 + "·" * 10
    assert web_chart[12:] == "·" * 18 and "·" not in web_chart[:12]
    assert web_chart[2] == "█" and web_chart[3] == "▂"  # 4 on day 3 (the peak), 1 on day 4
    assert "2026-05-01 .. 2026-05-30, · = none" in run.stdout


def test_chart_without_unicode_uses_ascii(month_log: Path) -> None:
    text = render_usage(read_logs([month_log]), "text", unicode=False)
    web_row = next(line for line in text.splitlines() if line.startswith(WEB))
    assert (
        web_row.split()[7]
        == "".join(":-=+*%#@"[-(-(n % 4 + 1) * 8 // 4) - 1] for n in range(1, 13)) + "." * 18
    )
    assert text.isascii()


def test_markdown_for_the_strict_pull_request(cli, month_log: Path) -> None:
    run = cli(str(month_log), "--format", "markdown", "--ready-after", "7")
    assert run.exit_code == 0
    assert run.stdout.startswith("### Legacy ID-token usage\n\n**Ready for strict: no legacy")
    assert f"| {MOBILE} | 20 | 1 | 2026-05-01 09:00:00Z | 2026-05-20 09:00:00Z |" in run.stdout
    assert "| 2026-05-20 | 1 | 0 |" in run.stdout


@pytest.mark.parametrize(
    ("days", "code", "still"),
    [(7, 0, []), (10, 0, []), (11, 1, [MOBILE]), (20, 1, [MOBILE, WEB])],
)
def test_ready_after_days_before_the_end_of_the_logs(
    cli, month_log: Path, days: int, code: int, still: list[str]
) -> None:
    run = cli(str(month_log), "--ready-after", str(days))
    assert run.exit_code == code, run.stdout
    if code == 0:
        assert f"Ready for strict: no legacy ID token accepted in the {days} days before" in (
            run.stdout
        )
    else:
        named = [
            line.split(":")[0].strip() for line in run.stdout.splitlines() if ": last seen" in line
        ]
        assert named == still
        assert f"  {MOBILE}: last seen 2026-05-20 09:00:00Z" in run.stdout


def test_ready_after_needs_logs_covering_the_window(cli, month_log: Path) -> None:
    run = cli(str(month_log), "--ready-after", "30")
    assert run.exit_code == 1
    assert "the logs start 2026-05-01T06:00:00Z; the last 30 days need them from" in run.stdout


def test_today_ends_the_window_and_the_logs_must_reach_it(cli, month_log: Path) -> None:
    assert cli(str(month_log), "--ready-after", "5", "--today", "2026-05-30").exit_code == 0
    late = cli(str(month_log), "--ready-after", "5", "--today", "2026-06-05")
    assert late.exit_code == 1
    assert "the logs end 2026-05-30T18:00:00Z, before 2026-06-05" in late.stdout
    early = cli(str(month_log), "--ready-after", "5", "--today", "2026-05-22")
    assert early.exit_code == 1 and f"  {MOBILE}: last seen" in early.stdout


def test_json_verdict_goes_to_stderr_naming_clients(cli, month_log: Path) -> None:
    run = cli(str(month_log), "--format", "json", "--ready-after", "15")
    assert run.exit_code == 1
    assert json.loads(run.stdout)["version"] == 1
    assert run.stderr.strip() == (
        f"Not ready for strict: {MOBILE} (last seen 2026-05-20T09:00:00Z)"
    )


def test_malformed_record_in_the_window_blocks_and_is_reported(
    cli, month_log: Path, tmp_path: Path
) -> None:
    lines = month_log.read_text().splitlines()
    record = next(line for line in lines if MOBILE in line)
    recent = record.replace("2026-05-01", "2026-05-29")
    broken = tmp_path / "api.log"
    broken.write_text("\n".join([*lines, recent[: recent.index("client_id=")]]) + "\n")
    run = cli(str(broken), "--ready-after", "7")
    assert run.exit_code == 1
    assert f"{broken}:{len(lines) + 1}: no client_id: malformed legacy-acceptance record" in (
        run.stderr
    )
    assert "Traceback" not in run.stderr
    assert "1 malformed record that may be inside the window" in run.stdout
    # the same record long before the window does not block
    old = record[: record.index("client_id=")]
    broken.write_text("\n".join([old, *lines]) + "\n")
    assert cli(str(broken), "--ready-after", "7").exit_code == 0


def test_stdin_plain_and_gzip(cli, month_log: Path) -> None:
    data = month_log.read_bytes()
    plain = json.loads(cli("-", "--format", "json", stdin=data).stdout)
    zipped = json.loads(cli("-", "--format", "json", stdin=gzip.compress(data)).stdout)
    assert plain == zipped
    assert plain["records"] == json.loads(cli(str(month_log), "--format", "json").stdout)["records"]


def test_no_record_at_all_is_not_ready(cli, tmp_path: Path) -> None:
    empty = tmp_path / "app.log"
    empty.write_text("")
    run = cli(str(empty), "--ready-after", "7")
    assert run.exit_code == 1
    assert "No legacy ID token accepted in these logs." in run.stdout
    assert "the logs show no timestamp" in run.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["missing.log"], "missing.log: no such file"),
        (["{log}", "--today", "2026-02-30"], "--today: '2026-02-30' is not a date"),
        (["{log}", "--timezone", "Mars/Olympus"], "--timezone: 'Mars/Olympus'"),
        (["{log}", "--format", "yaml"], "unknown format 'yaml'"),
        (["{dir}"], "a folder; name the log files"),
        (["{log}", "-", "-"], "stdin"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    cli, month_log: Path, args: list[str], needle: str
) -> None:
    filled = [a.format(log=month_log, dir=month_log.parent) for a in args]
    run = cli(*filled, stdin=b"")
    assert run.exit_code == 2
    assert len(run.stderr.strip().splitlines()) == 1 and needle in run.stderr


def test_readiness_counts_the_window_per_client(month_log: Path) -> None:
    verdict = readiness(read_logs([month_log]), 11)
    assert [(s.client_id, s.count) for s in verdict.still_sending] == [(MOBILE, 2)]
    assert verdict.to_json()["window_start"] == "2026-05-19T18:00:00Z"
