"""The json format is the contract: to_json(), indented, keys sorted, findings ordered."""

from __future__ import annotations

import json

from report_samples import FINDINGS, in_order, make_result

from idtoken_migrate.model import KINDS, FileError, Finding
from idtoken_migrate.report import BaselineDiff, render


def test_sorted_input_is_exactly_to_json() -> None:
    result = make_result(tuple(in_order(FINDINGS)), errors=())
    text = render(result, "json")
    assert text == json.dumps(result.to_json(), indent=2, sort_keys=True) + "\n"
    assert json.loads(text) == result.to_json()


def test_findings_and_errors_come_out_in_path_line_column_order() -> None:
    data = json.loads(render(make_result(), "json"))
    keys = [(f["path"], f["line"], f["column"]) for f in data["findings"]]
    assert keys == sorted(keys)
    assert len(keys) == len(FINDINGS)
    assert [e["path"] for e in data["errors"]] == ["bin/blob.py", "legacy/broken, old.py"]


def test_contract_fields_and_values_survive() -> None:
    data = json.loads(render(make_result(), "json"))
    assert data["version"] == 1
    assert set(data) == {"version", "findings", "errors", "stats"}
    for entry in data["findings"]:
        assert {
            "rule", "kind", "path", "line", "column", "end_line", "confidence",
            "library", "provider", "message", "evidence", "fingerprint",
        } <= set(entry)  # fmt: skip
        assert entry["kind"] in KINDS
    back = {Finding.from_json(entry) for entry in data["findings"]}
    assert back == set(FINDINGS)
    assert {FileError(**e) for e in data["errors"]} == set(make_result().errors)
    assert data["stats"]["by_kind"]["id-token-bearer"] == 2
    assert data["stats"]["prefiltered"] == 1985


def test_keys_are_sorted_and_output_is_ascii() -> None:
    text = render(make_result(), "json")
    assert text.isascii()
    first = json.loads(text)["findings"][0]
    assert list(first) == sorted(first)


def test_baseline_diff_does_not_change_the_contract() -> None:
    diff = BaselineDiff(new=FINDINGS[:2], unchanged_count=3)
    assert render(make_result(), "json", baseline_diff=diff) == render(make_result(), "json")
