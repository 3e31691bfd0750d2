"""render(): the format registry, the dispatch, and the rules every format shares."""

from __future__ import annotations

import random

import pytest
from report_samples import FINDINGS, make_result

from idtoken_migrate.model import ScanResult, UsageError
from idtoken_migrate.report import FORMATS, SCAN_FORMATS, BaselineDiff, render


def test_formats_are_the_documented_ones() -> None:
    assert FORMATS == ("text", "json", "sarif", "github", "junit", "markdown")
    assert set(SCAN_FORMATS) == set(FORMATS) - {"markdown"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_without_printing(fmt: str, capsys: pytest.CaptureFixture) -> None:
    text = render(make_result(), fmt)
    assert text.endswith("\n")
    assert "pyjwt-id-token-bearer" in text
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_does_not_depend_on_finding_order(fmt: str) -> None:
    shuffled = list(FINDINGS)
    random.Random(7).shuffle(shuffled)
    assert render(make_result(tuple(shuffled)), fmt) == render(make_result(), fmt)
    assert render(make_result(tuple(reversed(FINDINGS))), fmt) == render(make_result(), fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_result_renders(fmt: str) -> None:
    text = render(ScanResult(root="/tmp/empty"), fmt)
    assert isinstance(text, str)
    assert "Traceback" not in text


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown format 'xml'.*text, json, sarif"):
        render(make_result(), "xml")


def test_baseline_diff_is_a_frozen_value() -> None:
    diff = BaselineDiff(new=FINDINGS[:1], fixed=FINDINGS[1:2], unchanged_count=4)
    assert {f.fingerprint for f in diff.new} == {FINDINGS[0].fingerprint}
    assert BaselineDiff() == BaselineDiff(new=(), fixed=(), unchanged_count=0)
    with pytest.raises(AttributeError):
        diff.unchanged_count = 5  # type: ignore[misc]
