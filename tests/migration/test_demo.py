"""`idtoken-migrate demo` runs the whole flow on the packaged legacy app, offline."""

from __future__ import annotations

from typer.testing import CliRunner

import idtoken_migrate.migration.plan
from idtoken_migrate.cli import app as cli


def test_demo_runs_end_to_end(tmp_path):
    keep = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--keep", str(keep)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for step in (
        "1. scan",
        "2. init",
        "3. plan",
        "4. apply --phase dual",
        "5. apply --phase strict",
    ):
        assert step in out
    assert "+            claims = verify_token(token)" in out
    assert "accepted as legacy_id_token" in out
    assert "legacy secret DEMO_CLIENT_SECRET: gone from the code" in out
    folder = keep / "orders-api"
    assert "CLIENT_SECRET" not in (folder / "settings.py").read_text()
    assert "verify_token" in (folder / "auth.py").read_text()


def test_demo_scans_once_per_state_of_the_code(tmp_path, monkeypatch):
    calls = []
    real = idtoken_migrate.migration.plan.scan_paths

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(idtoken_migrate.migration.plan, "scan_paths", counting)
    result = CliRunner().invoke(cli, ["demo", "--keep", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    assert len(calls) == 2  # the legacy app, then the app after apply --phase dual
