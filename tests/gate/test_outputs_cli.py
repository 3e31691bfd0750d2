"""Several reports from one run (`--output-format FORMAT=FILE`), and the SARIF category."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def test_one_check_writes_every_report_as_separate_runs_would(legacy_app: Path, cli) -> None:
    cli("check", "--baseline", "b.json", "--update-baseline")
    (legacy_app / "app" / "admin.py").unlink()  # a fixed entry, so the reports have a diff
    both = cli(
        "check",
        "--baseline",
        "b.json",
        "--output-format",
        "sarif=out/results.sarif",
        "--output-format=markdown=out/summary.md",
        "--output-format",
        "junit=out/report.xml",
    )
    assert both.exit_code == 0
    assert "check passed" in both.stdout  # the main report still goes to stdout, as text
    for fmt, name in (("sarif", "results.sarif"), ("markdown", "summary.md"), ("junit", "r.xml")):
        alone = cli("check", "--baseline", "b.json", "-f", fmt, "-o", f"alone/{name}")
        assert alone.exit_code == 0
        written = legacy_app / "out" / ("report.xml" if fmt == "junit" else name)
        assert written.read_text() == (legacy_app / "alone" / name).read_text(), fmt


def test_scan_writes_extra_reports_too(legacy_app: Path, cli) -> None:
    run = cli("scan", "--no-cache", "--output-format", "json=r.json", "-f", "github")
    assert run.exit_code == 0 and run.stdout.startswith("::error ")
    assert json.loads((legacy_app / "r.json").read_text()) == json.loads(
        cli("scan", "--no-cache", "-f", "json").stdout
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("sarif", "--output-format: 'sarif' is not FORMAT=FILE"),
        ("sarif=", "--output-format: 'sarif=' is not FORMAT=FILE"),
        ("xml=r.xml", "--output-format: unknown format 'xml'"),
    ],
)
def test_a_bad_output_spec_is_one_line_and_writes_nothing(
    legacy_app: Path, cli, spec: str, message: str
) -> None:
    run = cli("check", "--output-format", "json=ok.json", "--output-format", spec)
    assert run.exit_code == 2
    assert run.stderr.strip().splitlines() == [
        f"idtoken-migrate: error: {message}" + run.stderr.strip().split(message, 1)[1]
    ]
    assert not (legacy_app / "ok.json").exists()


def test_sarif_category(legacy_app: Path, cli) -> None:
    log = json.loads(cli("check", "-f", "sarif", "--sarif-category", "services/api").stdout)
    assert log["runs"][0]["automationDetails"] == {"id": "services/api/"}
