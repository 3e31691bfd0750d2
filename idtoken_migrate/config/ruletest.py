"""Run rule packs' own annotated examples (`rules test`): each `# expect: KIND`, nothing else."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from idtoken_migrate.config.rulepack import Rule, RuleSet, load_rules
from idtoken_migrate.model import KINDS
from idtoken_migrate.scan.engine import scan_bytes

_EXPECT = re.compile(r"^\s*#\s*expect:\s*([a-z-]+)\s*$")


def expected_sites(text: str) -> set[tuple[int, str]]:
    """(line, kind) for each `# expect: KIND` comment: expected on the next line of code."""
    lines = text.splitlines()
    found: set[tuple[int, str]] = set()
    for number, line in enumerate(lines, start=1):
        match = _EXPECT.match(line)
        if not match:
            continue
        target = number + 1
        while target <= len(lines) and (
            not lines[target - 1].strip() or lines[target - 1].lstrip().startswith("#")
        ):
            target += 1
        found.add((target, match.group(1)))
    return found


@dataclass(frozen=True)
class ExampleResult:
    source: str  # "IDT101 positive" or a file path
    missed: tuple[tuple[int, str], ...]  # expected, not reported
    false_alarms: tuple[tuple[int, str, str], ...]  # reported, not expected: line, kind, rule
    bad_annotations: tuple[tuple[int, str], ...] = ()

    @property
    def ok(self) -> bool:
        return not (self.missed or self.false_alarms or self.bad_annotations)


def check_example(
    source: str, text: str, rules: RuleSet, *, positive: bool = False
) -> ExampleResult:
    """A positive example must expect something, or it would pass without testing anything."""
    expected = expected_sites(text)
    bad = tuple(sorted((line, kind) for line, kind in expected if kind not in KINDS))
    if positive and not expected:
        bad += ((0, "a positive example needs at least one `# expect: KIND` line"),)
    outcome = scan_bytes(text.encode(), source, rules, prefilter=False)
    if outcome.error is not None:
        return ExampleResult(
            source, (), ((outcome.error.line or 0, "error", outcome.error.message),)
        )
    reported = {(f.line, f.kind): f.rule for f in outcome.findings}
    missed = tuple(sorted(expected - set(reported)))
    false_alarms = tuple(
        sorted((ln, k, r) for (ln, k), r in reported.items() if (ln, k) not in expected)
    )
    return ExampleResult(source, missed, false_alarms, bad)


def _rule_examples(rule: Rule) -> list[tuple[str, str, bool]]:
    out = []
    if rule.positive_example:
        out.append((f"{rule.id} positive example", rule.positive_example, True))
    if rule.negative_example:
        out.append((f"{rule.id} negative example", rule.negative_example, False))
    return out


def test_rules(directory: Path | None) -> tuple[RuleSet, list[ExampleResult]]:
    """Check every example of the packs in `directory` (default: the bundled packs).

    Examples are each rule's `examples:` and any annotated `*.py` file under `directory/examples/`.
    User packs are tested together with the bundled ones, as a scan would run them.
    """
    ruleset = load_rules((directory,) if directory else ())
    tested = (
        ruleset.packs
        if directory is None
        else tuple(
            p for p in ruleset.packs if Path(p.source).parent.resolve() == directory.resolve()
        )
    )
    results: list[ExampleResult] = []
    for pack in tested:
        for rule in pack.rules:
            for source, text, positive in _rule_examples(rule):
                results.append(check_example(source, text, ruleset, positive=positive))
    if directory is not None and (directory / "examples").is_dir():
        for path in sorted((directory / "examples").rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            results.append(check_example(str(path), text, ruleset))
    return ruleset, results
