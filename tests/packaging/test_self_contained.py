"""A fresh clone passes its tests: nothing under tests/ reads a file outside the repository."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
# Ways a test could reach outside the clone: a sibling folder, an absolute machine path.
_OUTSIDE = re.compile(r"""\.\./shared|/work/|parent\s*/\s*["']shared["']|parents\[[3-9]\]""")


def test_no_test_reads_outside_the_repository() -> None:
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        if {"corpus", "fixtures", "golden"} & set(path.relative_to(TESTS).parts):
            continue  # scanned samples, not test code
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if _OUTSIDE.search(line) and path != Path(__file__).resolve():
                offenders.append(f"{path.relative_to(TESTS)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_the_sarif_schema_is_the_official_one_with_its_source() -> None:
    schema_file = TESTS / "schemas" / "sarif-schema-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    readme = (TESTS / "schemas" / "README.md").read_text(encoding="utf-8")
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    assert schema["id"] in readme
    assert hashlib.sha256(schema_file.read_bytes()).hexdigest() in readme
