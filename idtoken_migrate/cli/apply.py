"""`apply [PATH] --phase dual|strict`: run the codemods and render the verifier.

Default: print a unified diff and write nothing. Exit 0, or 1 with --check when something
would change, 2 for usage and input errors.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from idtoken_migrate.cli.common import fail, handles_usage_errors
from idtoken_migrate.cli.typer_app import app

if TYPE_CHECKING:  # the engine (libcst, jinja2) loads when the command runs, not at start-up
    from idtoken_migrate.migration.apply import ApplyResult, Proposal


@app.command()
@handles_usage_errors
def apply(
    path: Annotated[Path, typer.Argument(help="Project folder (default: .).")] = Path("."),
    phase: Annotated[
        str | None, typer.Option("--phase", help="dual|strict (default: the config's phase).")
    ] = None,
    write: Annotated[
        bool,
        typer.Option(
            "--write",
            help="Edit the files in place. Refuses files with uncommitted git changes unless "
            "--allow-dirty; a folder outside git is allowed.",
        ),
    ] = False,
    patch_dir: Annotated[
        Path | None,
        typer.Option("--patch-dir", help="Write one `git apply`-able .patch per file to DIR."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if anything would change; write nothing.")
    ] = False,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive", "-i", help="Review each change on the terminal, like git add -p."
        ),
    ] = False,
    allow_dirty: Annotated[
        bool, typer.Option("--allow-dirty", help="Write files that have uncommitted changes.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write --phase strict before the sunset date (diff and --check need not).",
        ),
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="Config file (default: idtoken-migrate.yaml, then pyproject.toml)."
        ),
    ] = None,
    accept_risk: Annotated[
        list[str] | None,
        typer.Option(
            "--accept-risk",
            help="Write despite a risk the plan lists: unmapped-claims (repeatable).",
        ),
    ] = None,
) -> None:
    """Migrate the ID-token sites: unified diff by default; --write, --patch-dir, --check,
    --interactive."""
    modes = [
        m for m, on in (("--write", write), ("--check", check), ("--patch-dir", patch_dir)) if on
    ]
    if len(modes) > 1:
        fail(f"{' and '.join(modes)} cannot be combined")
    if interactive and (check or patch_dir):
        fail(
            "--interactive writes the changes you accept; it cannot be combined with "
            + ("--check" if check else "--patch-dir")
        )
    if interactive and not (sys.stdin.isatty() and sys.stdout.isatty()):
        fail("--interactive needs a terminal")
    if not path.is_dir():
        fail(f"{path}: not a folder")
    from idtoken_migrate.migration.apply import (
        ACCEPTABLE_RISKS,
        compute,
        dirty_files,
        drive,
        propose,
        strict_refusal,
        unified_diff,
        unmapped_claims_refusal,
        write_changes,
        write_patches,
    )
    from idtoken_migrate.migration.plan import plan_project

    loaded, plan = plan_project(path, config_path=config, phase=phase)
    refusal = strict_refusal(loaded) if plan.phase == "strict" and not force else None
    if refusal and (write or interactive or patch_dir is not None):
        fail(f"apply --phase strict: {refusal}; use --force to apply it anyway")
    if refusal:
        typer.echo(f"note: {refusal}; --write will need --force", err=True)
    accepted = set(accept_risk or ())
    unknown = sorted(accepted - set(ACCEPTABLE_RISKS))
    if unknown:
        fail(f"--accept-risk: unknown risk {unknown[0]!r} (one of {', '.join(ACCEPTABLE_RISKS)})")
    claims = unmapped_claims_refusal(plan) if "unmapped-claims" not in accepted else None
    if claims and (write or interactive):
        fail(f"apply --write: {claims}")
    if interactive:
        result = drive(propose(plan, loaded, path), _ask())
    else:
        result = compute(plan, loaded, path)

    if check:
        _summary(result, "would change")
        raise typer.Exit(1 if result.changed else 0)
    if patch_dir is not None:
        try:
            written = write_patches(patch_dir, result.changes)
        except OSError as error:
            fail(f"{patch_dir}: cannot write the patches: {error.strerror or error}")
        n = len(written)
        _summary(result, f"written as {n} patch{'es' if n != 1 else ''} in {patch_dir}")
        return
    if write or interactive:
        if not allow_dirty:
            dirty = dirty_files(path, result.paths())
            if dirty:
                fail(f"uncommitted changes in {', '.join(dirty)}; commit them or use --allow-dirty")
        write_changes(path, result.changes)
        _summary(result, "changed")
        return
    sys.stdout.write(unified_diff(result.changes))
    _summary(result, "would change")


def _summary(result: ApplyResult, verb: str) -> None:
    files = len(result.changes)
    lines = [
        f"apply --phase {result.plan.phase}: {len(result.migrated)} site(s) migrated, "
        f"{files} file{'s' if files != 1 else ''} {verb}"
    ]
    lines += [f"  {c.path}{' (new)' if c.is_new else ''}" for c in result.changes]
    for site in result.skipped:
        lines.append(f"  left alone: {site.location} ({site.rule}): {site.reason}")
    typer.echo("\n".join(lines), err=True)


def _ask() -> object:
    state = {"all": False, "quit": False}

    from idtoken_migrate.migration.apply import file_diff

    def decide(proposal: Proposal) -> bool:
        if proposal.required:
            typer.echo(typer.style(proposal.title, bold=True) + " (required by what you accepted)")
            return True
        if state["quit"]:
            return False
        if state["all"]:
            return True
        typer.echo(typer.style(proposal.title, bold=True))
        typer.echo(file_diff(proposal.change))
        while True:
            answer = typer.prompt("Apply this change [y,n,a,q,?]", default="y").strip().lower()
            if answer in ("y", "n", "a", "q"):
                break
            typer.echo("y: apply it  n: skip it  a: apply it and all the rest  q: skip the rest")
        state["all"] = answer == "a"
        state["quit"] = answer == "q"
        return answer in ("y", "a")

    return decide
