"""The `json` format: the product.md contract, `ScanResult.to_json()` with a stable order."""

from __future__ import annotations

import dataclasses
import json

from idtoken_migrate.model import ScanResult
from idtoken_migrate.report.order import sorted_errors, sorted_findings


def render_json(result: ScanResult) -> str:
    # Sorting keeps the output byte-identical across --jobs and file-system order; ASCII-only
    # escapes keep it safe on any stdout encoding.
    ordered = dataclasses.replace(
        result,
        findings=tuple(sorted_findings(result.findings)),
        errors=tuple(sorted_errors(result.errors)),
    )
    return json.dumps(ordered.to_json(), indent=2, sort_keys=True) + "\n"
