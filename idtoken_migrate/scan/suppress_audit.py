"""`--report-unused-suppressions` (as ruff's RUF100): which suppression comments suppress nothing
or name unknown rules. Files holding a suppression are scanned once more with their suppression
comments disarmed, so every finding they would hide is seen."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from idtoken_migrate.scan.engine import ScanOptions
from idtoken_migrate.scan.suppress import MARKER, SuppressionNote, audit, parse_suppressions

_DIRECTIVE = re.compile(rb"(idtoken-migrate):", re.IGNORECASE)


def audit_suppressions(
    paths: Sequence[Path], options: ScanOptions, known_rules: Iterable[str]
) -> list[SuppressionNote]:
    from idtoken_migrate.config.rulepack import load_rules
    from idtoken_migrate.scan.discover import discover, scan_root
    from idtoken_migrate.scan.engine import decode_source, scan_bytes

    known = tuple(known_rules)
    root = options.root.resolve() if options.root else scan_root(paths)
    rules = None
    notes: list[SuppressionNote] = []
    found = discover(paths, root, options.excludes, respect_gitignore=options.respect_gitignore)
    for item in found:
        try:
            data = item.path.read_bytes()
        except OSError:
            continue  # the scan already reported it
        if MARKER.encode() not in data.lower():
            continue
        try:
            suppressions = parse_suppressions(decode_source(data))
        except ValueError:
            continue
        if not suppressions.entries:
            continue
        rules = rules or load_rules(options.rules_dirs)
        # Same length, same lines and columns: only the directives stop being directives.
        disarmed = _DIRECTIVE.sub(rb"\1;", data)
        outcome = scan_bytes(
            disarmed,
            item.relpath,
            rules,
            prefilter=options.prefilter,
            max_file_size=options.max_file_size,
        )
        sites = [(f.rule, f.line, f.end_line) for f in outcome.findings]
        notes += audit(suppressions, item.relpath, sites, known)
    return sorted(notes, key=lambda n: (n.path, n.line, n.message))
