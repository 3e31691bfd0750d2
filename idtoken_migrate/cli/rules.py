"""`idtoken-migrate rules list | show ID | test [DIR]`: rule packs, explained and tested."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from idtoken_migrate.cli.common import fail, handles_usage_errors
from idtoken_migrate.cli.typer_app import app

rules_app = typer.Typer(help="List, explain and test rule packs.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

RULES = typer.Option([], "--rules", help="Folder of extra rule packs (repeatable).")


@rules_app.command("list")
@handles_usage_errors
def list_rules(
    rules: list[Path] = RULES,
    format: str = typer.Option("text", "--format", "-f", help="text | json"),
) -> None:
    """List every rule of the bundled packs (and of --rules folders)."""
    from idtoken_migrate.config.rulepack import load_rules

    ruleset = load_rules(tuple(rules))
    if format == "json":
        typer.echo(json.dumps([r.info.to_json() for r in ruleset.rules], indent=2))
        return
    if format != "text":
        fail(f"--format: unknown format {format!r} (choose from text, json)")
    for pack in ruleset.packs:
        typer.echo(f"{pack.name} ({pack.library}): {pack.source}")
        for rule in pack.rules:
            typer.echo(f"  {rule.id}  {rule.name:<30} {rule.summary}")
    typer.echo(f"{len(ruleset.rules)} rules in {len(ruleset.packs)} packs")


@rules_app.command("show")
@handles_usage_errors
def show_rule(
    rule_id: str = typer.Argument(..., help="Rule id, e.g. IDT101."), rules: list[Path] = RULES
) -> None:
    """Explain one rule: what it matches, why it matters, how it is fixed, its examples."""
    from idtoken_migrate.config.rulepack import load_rules

    ruleset = load_rules(tuple(rules))
    rule = ruleset.rule(rule_id.upper())
    if rule is None:
        fail(f"no rule {rule_id!r} (see `idtoken-migrate rules list`)")
    lines = [f"{rule.id} {rule.name} ({rule.library}, pack {rule.pack})", "", rule.summary]
    if rule.help:
        lines += ["", rule.help]
    matches = {
        "call": ", ".join(rule.qualnames),
        "method": f"{', '.join(rule.method_names)} on objects built by {', '.join(rule.qualnames)}",
        "settings": ", ".join(rule.settings_targets),
        "claim_check": "comparisons of the claims " + ", ".join(rule.claim_check_keys),
    }
    lines += ["", f"matches ({rule.form}): {matches[rule.form]}"]
    if rule.args:
        lines.append(
            "arguments: "
            + "; ".join(
                f"{a.role}="
                + "/".join(([str(a.position)] if a.position is not None else []) + list(a.keywords))
                for a in rule.args
            )
        )
    if rule.token:
        lines.append(f"token kind fixed by the API: {rule.token}")
    if rule.fix:
        lines.append("fix: " + ", ".join(f"{k}={v}" for k, v in rule.fix))
    if rule.docs_url:
        lines.append(f"docs: {rule.docs_url}")
    lines.append(f"defined in: {rule.source}")
    for title, text in (
        ("positive example", rule.positive_example),
        ("negative example", rule.negative_example),
    ):
        if text:
            lines += ["", f"{title}:", *("    " + ln for ln in text.rstrip().splitlines())]
    typer.echo("\n".join(lines))


@rules_app.command("test")
@handles_usage_errors
def test_rules_command(
    directory: Path | None = typer.Argument(
        None, help="Folder of rule packs (default: the bundled packs)."
    ),
) -> None:
    """Run the packs' annotated examples; exit 1 on a miss or a false alarm."""
    from idtoken_migrate.config.ruletest import test_rules

    if directory is not None and not directory.is_dir():
        fail(f"{directory}: no such folder")
    ruleset, results = test_rules(directory)
    failed = [r for r in results if not r.ok]
    for result in results:
        typer.echo(f"{'ok  ' if result.ok else 'FAIL'} {result.source}")
        for line, kind in result.missed:
            typer.echo(f"     missed: line {line}: expected {kind}, not reported")
        for line, kind, rule in result.false_alarms:
            typer.echo(f"     false alarm: line {line}: {rule} reported {kind}, not expected")
        for line, kind in result.bad_annotations:
            problem = kind if " " in kind else f"unknown kind {kind!r}"
            typer.echo(f"     bad annotation: line {line}: {problem}")
    typer.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if not results:
        typer.echo("no examples found", err=True)
    raise typer.Exit(1 if failed else 0)
