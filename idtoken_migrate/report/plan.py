"""Render a `Plan` as text (terminal), markdown (ready to paste into a pull request) or json.

Risks come first in every format: they are what a reviewer must decide before anything changes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from idtoken_migrate.report.markdown import md_escape

if TYPE_CHECKING:  # PLAN_FORMATS is read at CLI start-up: the planner (libcst) loads on use
    from idtoken_migrate.gate.usage import Readiness, UsageReport
    from idtoken_migrate.migration.plan import Plan, SitePlan

PLAN_FORMATS: tuple[str, ...] = ("text", "markdown", "json")


def render_plan(plan: Plan, fmt: str, usage: tuple[UsageReport, Readiness] | None = None) -> str:
    """The plan; with `usage` (the dual verifier's logs, read), the readiness summary on top."""
    renderers: dict[str, Callable[[Plan], str]] = {
        "text": plan_text,
        "markdown": plan_markdown,
        "json": plan_json,
    }
    if usage is None:
        return renderers[fmt](plan)
    from idtoken_migrate.report.usage import plan_preface

    return plan_preface(renderers[fmt](plan), fmt, *usage)


def plan_json(plan: Plan) -> str:
    return json.dumps(plan.to_json(), indent=2, sort_keys=False) + "\n"


def _headline(plan: Plan) -> str:
    migrating = len(plan.migrating)
    others = len(plan.left_alone)
    text = (
        f"Plan: phase {plan.phase}, provider {plan.provider}: "
        f"{migrating} site{'s' if migrating != 1 else ''} to migrate"
    )
    if others:
        text += f", {others} left for you"
    return text


def _site_lines(site: SitePlan) -> list[str]:
    f = site.finding
    lines = [f"{site.location}  {f.symbol or '<module>'}  [{f.rule} {f.library}]  {site.action}"]
    if f.snippet:
        lines.append(f"    was: {f.snippet}")
    from idtoken_migrate.migration.plan import MIGRATE

    if site.action == MIGRATE and site.edit and f.facts.site == "settings":
        from idtoken_migrate.migration.codemods.drf_jwt_settings import HANDLER, decode_handler

        name = f.facts.qualname or ""
        lines.append(f'    now: {name}["{HANDLER}"] = "{decode_handler(site.edit)}"')
    elif site.action == MIGRATE and site.edit:
        token = f.facts.token_expr or "token"
        lines.append(
            f"    now: {site.edit.verifier.name}({token})  ({site.edit.verifier.statement})"
        )
    lines.append(f"    why: {site.why}")
    if site.claims_read:
        lines.append(f"    reads claims: {', '.join(site.claims_read)}")
    lines += [f"    note: {note}" for note in site.notes]
    return lines


def plan_text(plan: Plan) -> str:
    out = [_headline(plan), ""]
    if plan.risks:
        out.append("Risks (decide these first):")
        out += [f"  ! {risk}" for risk in plan.risks]
        out.append("")
    if plan.sites:
        out.append("Sites:")
        for site in plan.sites:
            out += ["  " + line for line in _site_lines(site)]
        out.append("")
    elif not plan.undecided:
        out += ["No ID-token verification sites found.", ""]
    if plan.undecided:
        out.append("Undecided (ambiguous) sites: decide each:")
        for u in plan.undecided:
            out += [
                f"  {u.location}  {u.symbol or '<module>'}",
                f"      decides: {u.decides}",
                f"      answer: {u.answer}",
            ]
        out.append("")
    if plan.files:
        out.append("Files:")
        out += [f"  {f.action:<12} {f.path}: {f.what}" for f in plan.files]
        out.append("")
    if plan.env:
        out.append("Environment:")
        out += [f"  {e.action:<6} {e.name}: {e.why}" for e in plan.env]
        out.append("")
    if plan.claims:
        out.append("Claims the legacy code reads:")
        for claim in plan.claims:
            where = f"  (read at {', '.join(claim.read_at)})" if claim.read_at else ""
            status = f"from `{claim.source}`" if claim.provided else "NOT MAPPED"
            out.append(f"  {claim.claim}: {status}{where}")
            if claim.access_token != "unknown":
                note = f": {claim.note}" if claim.note else ""
                out.append(f"      access token: {claim.access_token}{note}")
            if claim.reads:
                out.append(f"      read along the way at {', '.join(claim.reads)}")
        out.append("")
    if plan.secrets:
        out.append("Legacy secret (strict):")
        for secret in plan.secrets:
            action = "remove" if secret.removable else f"keep: {secret.reason}"
            out.append(f"  {secret.path}:{secret.line} {secret.name}: {action}")
        out.append("")
    if plan.manual_steps:
        out.append("Manual steps:")
        for index, step in enumerate(plan.manual_steps, 1):
            first, *rest = step.splitlines()
            out.append(f"  {index}. {first}")
            out += [f"     {line}" for line in rest]
        out.append("")
    out.append(_window(plan))
    return "\n".join(out).rstrip() + "\n"


def _window(plan: Plan) -> str:
    if plan.phase == "strict":
        return "Phase strict: access tokens only; the legacy path and its secret go."
    sunset = plan.sunset.isoformat() if plan.sunset else "not set"
    return (
        f"Phase dual: access tokens, and legacy ID tokens until the sunset ({sunset}) unless "
        f"{plan.kill_switch_env} is set. Next: `idtoken-migrate apply --phase {plan.phase}`."
    )


def plan_markdown(plan: Plan) -> str:
    out = [f"## Migrate ID-token bearer auth to access tokens ({plan.phase} phase)", ""]
    out.append(md_escape(_headline(plan)) + ".")
    out.append("")
    if plan.risks:
        out += ["### Risks", ""]
        out += [f"- {md_escape(risk)}" for risk in plan.risks]
        out.append("")
    if plan.sites:
        out += [
            "### Sites",
            "",
            "| Site | Scope | Rule | Action | Why |",
            "| --- | --- | --- | --- | --- |",
        ]
        for site in plan.sites:
            f = site.finding
            out.append(
                "| "
                + " | ".join(
                    md_escape(cell)
                    for cell in (
                        site.location,
                        f.symbol or "<module>",
                        f"{f.rule} ({f.library})",
                        site.action,
                        site.why + "".join(f" Note: {n}" for n in site.notes),
                    )
                )
                + " |"
            )
        out.append("")
    if plan.files or plan.env:
        out += ["### Files and environment", ""]
        out += [f"- {md_escape(f.action)} `{f.path}`: {md_escape(f.what)}" for f in plan.files]
        out += [f"- env {md_escape(e.action)} `{e.name}`: {md_escape(e.why)}" for e in plan.env]
        out.append("")
    if plan.claims:
        out += [
            "### Claims",
            "",
            "| Claim | Access token carries it as | Provider | Read at |",
            "| --- | --- | --- | --- |",
        ]
        for claim in plan.claims:
            source = f"`{claim.source}`" if claim.provided else "**not mapped**"
            where = ", ".join(claim.reads or claim.read_at) or "-"
            out.append(
                f"| `{claim.claim}` | {source} | {md_escape(claim.access_token)} "
                f"| {md_escape(where)} |"
            )
        out.append("")
    if plan.secrets:
        out += ["### Legacy secret", ""]
        for secret in plan.secrets:
            action = "removed" if secret.removable else "kept: " + secret.reason
            out.append(f"- `{secret.path}:{secret.line}` `{secret.name}`: {md_escape(action)}")
        out.append("")
    if plan.manual_steps:
        out += ["### Manual steps", ""]
        for step in plan.manual_steps:
            first, *rest = step.splitlines()
            out.append(f"- [ ] {md_escape(first)}")
            out += [f"  - {md_escape(line.strip())}" for line in rest]
        out.append("")
    out.append(md_escape(_window(plan)))
    return "\n".join(out).rstrip() + "\n"
