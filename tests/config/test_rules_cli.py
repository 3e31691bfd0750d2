"""`rules list/show/test` and rule-pack validation, through the real CLI."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from samples import USER_PACK
from typer.testing import CliRunner

from idtoken_migrate.cli import app
from idtoken_migrate.config.rulepack import load_rules

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_every_bundled_rule_carries_positive_and_negative_examples() -> None:
    missing = [r.id for r in load_rules().rules if not (r.positive_example and r.negative_example)]
    assert missing == []


def test_bundled_examples_pass() -> None:
    result = run("rules", "test")
    assert result.exit_code == 0, result.output
    assert " 0 failed" in result.output
    assert len(load_rules().rules) * 2 <= int(result.output.split(" passed")[0].split()[-1])


def test_list_text_and_json() -> None:
    text = run("rules", "list")
    assert text.exit_code == 0
    assert "IDT101" in text.output and "pyjwt-decode" in text.output
    listed = json.loads(run("rules", "list", "--format", "json").output)
    assert {r["id"] for r in listed} == {r.id for r in load_rules().rules}


def test_show_explains_a_rule_and_rejects_unknown_ids() -> None:
    shown = run("rules", "show", "idt201")
    assert shown.exit_code == 0
    assert "jose.jwt.decode" in shown.output and "positive example" in shown.output
    unknown = run("rules", "show", "NOPE1")
    assert unknown.exit_code == 2
    assert "no rule 'NOPE1'" in unknown.output


def test_user_pack_examples_pass_and_a_wrong_one_fails(tmp_path: Path) -> None:
    (tmp_path / "acme.yaml").write_text(USER_PACK)
    ok = run("rules", "test", str(tmp_path))
    assert ok.exit_code == 0, ok.output
    assert "2 passed, 0 failed" in ok.output

    examples = tmp_path / "examples"
    examples.mkdir()
    (examples / "wrong.py").write_text(
        textwrap.dedent(
            """\
            import acme_auth
            def user(request):
                # expect: access-token
                return acme_auth.verify(request.headers["Authorization"], audience=CLIENT_ID)
            """
        )
    )
    bad = run("rules", "test", str(tmp_path))
    assert bad.exit_code == 1
    assert "missed: line 4: expected access-token" in bad.output
    assert "false alarm: line 4: ACME001 reported id-token-bearer" in bad.output


def test_user_pack_is_used_by_scan(tmp_path: Path) -> None:
    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "acme.yaml").write_text(USER_PACK)
    src = tmp_path / "src"
    src.mkdir()
    (src / "api.py").write_text(
        "import acme_auth as aa\n"
        "def user(request):\n"
        "    return aa.verify(request.headers['Authorization'], audience=settings.CLIENT_ID)\n"
    )
    result = run("scan", str(src), "--rules", str(packs), "--format", "json", "--no-cache")
    assert result.exit_code == 0, result.output
    findings = json.loads(result.output)["findings"]
    assert [(f["rule"], f["kind"], f["line"]) for f in findings] == [
        ("ACME001", "id-token-bearer", 3)
    ]


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (
            ("    summary:", "    sumary:"),
            "acme.yaml:7: rules[ACME001].sumary: unknown key (did you mean 'summary'?)",
        ),
        (
            ("      call: [acme_auth.verify]", "      call: 3"),
            "acme.yaml:9: rules[ACME001].match.call: expected a string or a list of strings, "
            "not an integer",
        ),
        (
            # the item's own line, not the list's
            (
                "      call: [acme_auth.verify]",
                "      call:\n        - acme_auth.verify\n        - 7",
            ),
            "acme.yaml:11: rules[ACME001].match.call: expected a string or a list of strings",
        ),
        (
            ("    name: acme-verify\n", ""),
            "acme.yaml:5: rules[ACME001].name: required key missing",
        ),
        (
            ("    match:", "    fix: [a]\n    match:"),
            "acme.yaml:8: rules[ACME001].fix: expected a mapping, not a list",
        ),
        (("prefilter: [acme_auth]", "prefilter: [acme_auth"), "acme.yaml:4: invalid YAML"),
        (
            ("    name: acme-verify\n", "    name: acme-verify\n    name: acme-check\n"),
            "acme.yaml:7: name: duplicate key (the second one would win)",
        ),
        (
            ("      token: [0]", "      tokn: [0]"),
            "rules[ACME001].args.tokn: unknown key (did you mean 'token'?)",
        ),
        (("  - id: ACME001", "  - id: [ACME001]"), ".id: expected a rule id string"),
        (("    summary:", "    provider: okay\n    summary:"), "rules[ACME001].provider: one of"),
        (
            ("    match:", "    fix: {params: [a, b]}\n    match:"),
            "rules[ACME001].fix.params: expected name: value pairs",
        ),
    ],
)
def test_broken_pack_is_one_line_exit_2(
    tmp_path: Path, mutation: tuple[str, str], message: str
) -> None:
    old, new = mutation
    assert old in USER_PACK
    (tmp_path / "acme.yaml").write_text(USER_PACK.replace(old, new))
    result = run("rules", "list", "--rules", str(tmp_path))
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_duplicate_rule_id_names_both_files(tmp_path: Path) -> None:
    (tmp_path / "acme.yaml").write_text(USER_PACK.replace("ACME001", "IDT101"))
    result = run("rules", "list", "--rules", str(tmp_path))
    assert result.exit_code == 2
    assert "IDT101 is already defined in" in result.output


def test_a_positive_example_that_expects_nothing_fails(tmp_path: Path) -> None:
    pack = USER_PACK.replace("            # expect: id-token-bearer\n", "", 1)
    (tmp_path / "acme.yaml").write_text(pack)
    result = run("rules", "test", str(tmp_path))
    assert result.exit_code == 1
    assert "needs at least one `# expect: KIND` line" in result.output
