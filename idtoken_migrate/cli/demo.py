"""`demo`: the whole flow on the small legacy Flask app shipped in the package (demo_app/):
scan, init, plan, apply dual, apply strict, in a temporary folder. Offline; nothing else is touched.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer

from idtoken_migrate.cli.common import fail, handles_usage_errors
from idtoken_migrate.cli.typer_app import app

DEMO_APP = Path(__file__).resolve().parent.parent / "demo_app"
DEMO_SECRET = "demo-client-secret-that-is-long-enough-for-hs256"


@app.command()
@handles_usage_errors
def demo(
    keep: Annotated[
        Path | None,
        typer.Option("--keep", help="Run in this (new or empty) folder and keep it afterwards."),
    ] = None,
) -> None:
    """Run scan, init, plan, apply dual and apply strict on a small legacy Flask app (HS256 ID
    token signed with the client secret, audience = client id, email read from the token)."""
    if not DEMO_APP.is_dir():
        fail(f"{DEMO_APP}: the demo app is missing from this installation")
    if keep is not None and keep.exists() and any(keep.iterdir()):
        fail(f"{keep}: not empty")
    base = keep if keep is not None else Path(tempfile.mkdtemp(prefix="idtoken-migrate-demo-"))
    try:
        _run(base / "orders-api")
    finally:
        if keep is None:
            shutil.rmtree(base, ignore_errors=True)


def _section(title: str) -> None:
    typer.echo("")
    typer.echo(typer.style(f"== {title} ", bold=True) + "=" * max(0, 70 - len(title)))


def _run(folder: Path) -> None:
    from idtoken_migrate.config.starter import render_starter_config
    from idtoken_migrate.migration.apply import compute, write_changes
    from idtoken_migrate.migration.plan import (
        build_plan,
        load_project_config,
        plan_project,
        scan_project,
    )
    from idtoken_migrate.report import render
    from idtoken_migrate.report.plan import plan_text

    shutil.copytree(DEMO_APP, folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    typer.echo(f"Legacy app copied to {folder}")

    _section("1. scan: where are ID tokens verified?")
    config_path = folder / "idtoken-migrate.yaml"
    config = load_project_config(folder, None)
    result = scan_project(folder, config)  # one scan for steps 1-4; strict rescans the result
    typer.echo(render(result, "text").rstrip())

    _section("2. init: a starter config from the scan")
    starter = render_starter_config(result)
    typer.echo(
        f"`idtoken-migrate init` would write a {len(starter.splitlines())}-line commented config. "
        f"The demo uses its reviewed one ({config_path.name}):"
    )
    typer.echo(config_path.read_text(encoding="utf-8").rstrip())

    _section("3. plan --phase dual")
    plan = build_plan(result, config, folder, "dual")
    typer.echo(plan_text(plan).rstrip())

    _section("4. apply --phase dual --write")
    dual = compute(plan, config, folder)
    typer.echo(_diff_without_verifier(dual.changes, plan.verifier_path).rstrip())
    write_changes(folder, dual.changes)
    accepted = _check_legacy_token(folder, plan.verifier_path)

    _section("5. apply --phase strict --write --force")
    config, strict_plan = plan_project(folder, phase="strict")
    strict = compute(strict_plan, config, folder)
    typer.echo(_diff_without_verifier(strict.changes, strict_plan.verifier_path).rstrip())
    write_changes(folder, strict.changes)

    _section("Summary")
    lines = [
        f"dual:   {len(dual.migrated)} site(s) migrated, {len(dual.changes)} file(s) changed "
        f"({', '.join(c.path for c in dual.changes)})",
        f"strict: {len(strict.changes)} file(s) changed "
        f"({', '.join(c.path for c in strict.changes)})",
    ]
    if accepted:
        lines.append(f"dual verifier, offline check: {accepted}")
    left = [s for s in (*dual.skipped, *strict.skipped)]
    lines += [f"left alone: {s.location}: {s.reason}" for s in left]
    secret = config.legacy_id_token.secret_env or ""
    still = [
        str(p.relative_to(folder))
        for p in folder.rglob("*.py")
        if secret and secret in p.read_text(encoding="utf-8")
    ]
    lines.append(
        f"legacy secret {secret}: "
        + (f"still named in {', '.join(still)}" if still else "gone from the code")
    )
    lines.append("Next, on your project: idtoken-migrate init && idtoken-migrate plan")
    typer.echo("\n".join(lines))


def _diff_without_verifier(changes: tuple, verifier_path: str | None) -> str:
    """The diff, with the generated module summarized (it is long, and the same every time)."""
    from idtoken_migrate.migration.apply import unified_diff

    shown = [c for c in changes if c.path != verifier_path]
    text = unified_diff(shown)
    for change in changes:
        if change.path == verifier_path:
            lines = change.after.count(b"\n")
            verb = "new file" if change.is_new else "regenerated"
            text += f"# {change.path}: {verb}, {lines} lines (the generated verifier)\n"
    return text


def _check_legacy_token(folder: Path, verifier_path: str | None) -> str:
    """Verify a legacy HS256 ID token with the generated dual verifier, offline."""
    if verifier_path is None:
        return ""
    import jwt

    module = _load(folder / verifier_path)
    now = time.time()
    sunset = getattr(module, "SUNSET", None)
    if sunset is not None:
        import datetime as dt

        now = min(now, dt.datetime(sunset.year, sunset.month, sunset.day).timestamp() - 86400)
    token = jwt.encode(
        {
            "iss": module.ISSUER,
            "sub": "auth0|demo-user",
            "aud": sorted(module.LEGACY_CLIENT_IDS)[0],
            "iat": int(now),
            "exp": int(now) + 300,
            "email": "ada@example.com",
        },
        DEMO_SECRET,
        algorithm="HS256",
    )
    saved = os.environ.get(module.LEGACY_SECRET_ENV)
    os.environ[module.LEGACY_SECRET_ENV] = DEMO_SECRET
    try:
        verified = module.verify(token, now=now)
        return (
            f"a legacy ID token is accepted as {verified.kind} (email {verified.claims['email']})"
        )
    except module.TokenRejected as error:
        return f"a legacy ID token was rejected: {error.reason}"
    finally:
        if saved is None:
            os.environ.pop(module.LEGACY_SECRET_ENV, None)
        else:
            os.environ[module.LEGACY_SECRET_ENV] = saved


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("idtoken_migrate_demo_verifier", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
