"""`inspect-token [TOKEN|-]`: which kind of token this is, why, and what the verifiers would decide.

Exit 0 whenever the input is a token (JWT, encrypted or opaque: each is an answer); 2 when it is
not a token at all, or for a usage or config error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from idtoken_migrate.cli.common import fail, handles_usage_errors
from idtoken_migrate.cli.typer_app import app

if TYPE_CHECKING:  # the engine (and jinja2 behind it) loads only when the command runs
    from idtoken_migrate.inspect.token import TokenReport

FORMATS = ("text", "json")
_MAX_STDIN = 1024 * 1024
_ARGUMENT_WARNING = (
    "idtoken-migrate: warning: a token given as an argument lands in your shell history and the "
    "process list; pipe it on stdin instead: `... | idtoken-migrate inspect-token -`"
)


@app.command("inspect-token")
@handles_usage_errors
def inspect_token_command(
    token: Annotated[
        str | None,
        typer.Argument(
            metavar="[TOKEN|-]",
            help="The bearer token; `-` or nothing reads it from stdin (preferred).",
            show_default=False,
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="Config file (default: idtoken-migrate.yaml, then pyproject.toml)."
        ),
    ] = None,
    verify: Annotated[
        bool,
        typer.Option("--verify", help="Also check the signature (fetches the issuer's JWKS)."),
    ] = False,
    fmt: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="Report format: text|json.")
    ] = "text",
    today: Annotated[
        str | None,
        typer.Option("--today", metavar="YYYY-MM-DD", help="Evaluate as of this date (UTC)."),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(
            "--now", metavar="TIMESTAMP", help="Evaluate at this time (POSIX seconds or ISO 8601)."
        ),
    ] = None,
) -> None:
    """Decode a token offline: its kind for the configured provider, claims, expiry, verdicts."""
    from idtoken_migrate.config.file import load_config
    from idtoken_migrate.inspect.token import inspect_token, parse_now

    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    at = parse_now(now, today)
    raw = _read_token(token)
    cfg = load_config(config, Path.cwd())
    report = inspect_token(raw, cfg, now=at, verify=verify)
    if fmt == "json":
        typer.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False, default=str))
    else:
        typer.echo(render_text(report))
    if verify and not report.verified:
        # The report stands, but what --verify asked for was not done: say why, exit 1.
        why = next(
            (d.detail for d in report.decisions if d.reason == "jwks_unavailable"),
            "no verifier checked it (no issuer configured)",
        )
        typer.echo(
            f"idtoken-migrate: error: --verify: the signature was not checked: {why}", err=True
        )
        raise typer.Exit(1)


def _read_token(token: str | None) -> str:
    if token is not None and token != "-":
        typer.echo(_ARGUMENT_WARNING, err=True)
        return token
    if token is None and sys.stdin.isatty():
        fail("no token: pipe it on stdin (`... | idtoken-migrate inspect-token -`)")
    try:
        data = sys.stdin.read(_MAX_STDIN + 1)
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read the token from stdin: {exc}")
    if len(data) > _MAX_STDIN:
        fail("stdin holds more than 1 MiB; a bearer token is far shorter")
    return data


def render_text(report: TokenReport) -> str:
    from idtoken_migrate.inspect.token import KIND_LABELS

    """The human report. Never the signature, never the whole token."""
    lines: list[str] = []
    provider = report.provider_name
    if report.configured:
        provider += (
            f", from {Path(report.config_source).name if report.config_source else 'config'}"
        )
    elif report.provider_guessed:
        provider += ", guessed from iss; no config"
    else:
        provider += "-style heuristics; no config"
    if report.stripped:
        lines.append(f"Input: removed {', '.join(report.stripped)} around the token")

    if report.token_format != "jwt":
        what = "encrypted JWT (JWE)" if report.token_format == "jwe" else "opaque token"
        lines.append(f"Token: {what}, not a signed JWT")
        where = provider if report.configured else "no config"
        lines.append(f"Kind: {KIND_LABELS['opaque']} ({where})")
        lines += [f"  - {note}" for note in report.notes]
        if report.header:
            lines.append("Header:")
            lines += _mapping(report.header)
        lines += _decisions(report)
        return "\n".join(lines)

    alg = report.header.get("alg")
    kid = report.header.get("kid")
    token_line = f"Token: JWT, alg {alg}" + (f", kid {kid}" if kid is not None else "")
    token_line += f" (signature {report.signature_bytes} bytes, not shown)"
    lines.append(token_line)
    lines.append(f"Kind: {KIND_LABELS[report.kind]} ({provider})")
    if report.evidence:
        lines.append("Evidence:")
        labels = {"access_token": "access token", "id_token": "ID token", "info": "info"}
        width = max(len(labels[e.points_to]) for e in report.evidence)
        lines += [f"  {labels[e.points_to]:<{width}}  {e.text}" for e in report.evidence]
    if report.issuer is not None:
        iss = report.issuer
        shown = f"{iss.token_issuer} ({iss.text})" if iss.token_issuer else iss.text
        lines.append(f"Issuer: {shown}")
    if report.expiry is not None:
        lines.append(f"Expiry: {report.expiry.text}")
        for extra in (report.expiry.issued_text, report.expiry.not_before_text):
            if extra:
                lines.append(f"        {extra}")
    if report.notes:
        lines.append("Notes:")
        lines += [f"  - {note}" for note in report.notes]
    lines += _decisions(report)
    lines.append("Header:")
    lines += _mapping(report.header)
    lines.append("Claims:")
    lines += _mapping(report.claims)
    return "\n".join(lines)


def _decisions(report: TokenReport) -> list[str]:
    from idtoken_migrate.inspect.token import OFFLINE_NOTE

    if not report.decisions:
        if report.configured:
            return []
        return ["Verifiers: no decision without a config (`idtoken-migrate init` writes one)"]
    suffix = "signature checked" if report.verified else OFFLINE_NOTE
    lines = [f"Verifiers ({suffix}):"]
    width = max(len(d.phase) + (13 if d.configured else 0) for d in report.decisions)
    for decision in report.decisions:
        label = decision.phase + (" (configured)" if decision.configured else "")
        lines.append(f"  {label:<{width}}  {decision.text}")
    return lines


def _mapping(values: dict[str, Any]) -> list[str]:
    if not values:
        return ["  (none)"]
    width = min(max(len(str(key)) for key in values), 30)
    return [
        f"  {str(key):<{width}}  {json.dumps(value, ensure_ascii=False, default=str)}"
        for key, value in values.items()
    ]
