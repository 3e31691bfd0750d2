"""The one YAML loader (config/yamlfile.py): what it reads remembers its lines, and a broken
provider profile or signal vocabulary is one `file:line: key: message`, as a config or pack is."""

from __future__ import annotations

from pathlib import Path

import pytest

from idtoken_migrate.config import yamlfile
from idtoken_migrate.config.providers import ProviderProfileError, load_profile_file
from idtoken_migrate.model import UsageError
from idtoken_migrate.resources import rules_dir
from idtoken_migrate.scan.signals import load_signals


@pytest.fixture(autouse=True)
def no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDTOKEN_MIGRATE_RULES_CACHE", "")


def test_mappings_and_lists_remember_their_lines() -> None:
    data = yamlfile.parse(b"a: 1\nb:\n  - x\n  - y: 2\n    z: 3\nc: 2027-02-30\na: 4\n", "f.yaml")
    assert (yamlfile.line_of(data), yamlfile.line_of(data, "b")) == (1, 2)
    assert yamlfile.line_of(data, "missing") == 1  # a missing key: its mapping's line
    assert [yamlfile.line_of(data["b"], i) for i in (0, 1)] == [3, 4]
    assert yamlfile.line_of(data["b"][1], "z") == 5
    assert data["c"] == "2027-02-30"  # no real date: kept as text for the validator to name
    assert data.duplicates == [("a", 7)] and data["a"] == 4
    assert yamlfile.line_of({"a": 1}, "a") is None  # data from the JSON cache has no lines


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a: [1\nb: 2\n", "f.yaml:2: invalid YAML: did not find expected ',' or ']'"),
        (b"a: 1\n b: 2\n", "f.yaml:2: invalid YAML: "),
        (b"a: \xff\n", "f.yaml: not UTF-8 text"),
    ],
)
def test_unreadable_yaml_is_one_line(data: bytes, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        yamlfile.parse(data, "f.yaml")
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_shared_checks_name_file_line_and_key() -> None:
    data = yamlfile.parse("top:\n  colour: blue\n  items: [a, 3]\n", "f.yaml")
    with pytest.raises(
        UsageError, match=r"^f\.yaml:2: top\.colour: unknown key \(did you mean 'color'\?\)$"
    ):
        yamlfile.check_keys(data["top"], ("color", "items"), "f.yaml", "top")
    with pytest.raises(
        UsageError, match=r"^f\.yaml:2: top\.colour: unknown key \(known keys: a, b\)$"
    ):
        yamlfile.check_keys(data["top"], ("a", "b"), "f.yaml", "top")
    with pytest.raises(UsageError, match=r"^f\.yaml:1: top: expected a mapping, not a list$"):
        yamlfile.check_keys(yamlfile.parse("[1]", "f.yaml"), (), "f.yaml", "top")
    with pytest.raises(UsageError, match=r"^f\.yaml:2: top\.name: required key missing$"):
        yamlfile.require(data["top"], ("colour", "name"), "f.yaml", "top")
    with pytest.raises(
        UsageError,
        match=r"^f\.yaml:3: top\.items: expected a string or a list of strings, not an integer$",
    ):
        yamlfile.str_list(data["top"], "items", "f.yaml", "top")


def broken_profile(tmp_path: Path, old: str, new: str) -> str:
    text = (rules_dir() / "providers" / "auth0.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "auth0.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ProviderProfileError) as caught:
        load_profile_file(path)
    message = str(caught.value)
    assert message.startswith(str(path) + ":") and "\n" not in message
    return message[len(str(path)) :]


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("name: Auth0", "name: Auth0\ncolour: blue", ":4: colour: unknown key (known keys: "),
        (
            "audience_claim: aud",
            "audience_claim: azp",
            ":19: access_token.audience_claim: expected",
        ),
        (
            "header_typ: [jwt, at+jwt]",
            "header_typ:\n    - jwt\n    - dpop+jwt",
            ":22: access_token.header_typ: typ 'dpop+jwt' is never",
        ),
        (
            "- present: nonce",
            "- looks_like: nonce",
            ":30: id_token.markers.any[0]: unknown condition 'looks_like'",
        ),
        (
            "issuer_pattern: '^https://[^/]+/$'",
            "issuer_pattern: '(['",
            ":11: jwks[0].issuer_pattern: invalid regex",
        ),
        (
            "  - id: auth0-api-audience\n    when: always",
            "  - id: auth0-api-audience\n    when: sometimes",
            ":42: manual_steps[0].when: expected one of",
        ),
        (
            "access_token:\n  jwt: true",
            "access_token:\n  jwt: yes please",
            ":14: access_token.jwt: expected true or false",
        ),
        ("name: Auth0", "name: [Auth0]", ":3: name: expected a non-empty string"),
        (
            "  - claim: 'https://*'",
            "  - just a string\n  - claim: 'https://*'",
            ":56: user_claims[0]: expected a mapping, not a string",
        ),
        ("jwks:\n", "jwks: [\n", ":11: invalid YAML"),
    ],
)
def test_a_broken_profile_names_file_line_and_key(
    tmp_path: Path, old: str, new: str, where: str
) -> None:
    assert broken_profile(tmp_path, old, new).startswith(where)


def signals_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (rules_dir() / "signals.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "signals.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of_text(path: Path, fragment: str) -> int:
    return next(n for n, t in enumerate(path.read_text().splitlines(), 1) if fragment in t)


@pytest.mark.parametrize(
    ("old", "new", "fragment", "message"),
    [
        (
            "login_values: [",
            "login_valeus: [",
            "login_valeus",
            "login_valeus: unknown key (did you mean 'login_values'?)",
        ),
        (
            "  okta: ['okta']",
            "  okta: ['okta', '(unclosed']",
            "(unclosed",
            "providers.okta: invalid regular expression",
        ),
        (
            "access_claims: ['scope', 'scp', 'roles', 'permissions', 'client_id', 'cid', 'gty']",
            "access_claims: 3",
            "access_claims",
            "access_claims: expected a string or a list of strings, not an integer",
        ),
        (
            "access_claims: ['scope', 'scp',",
            "access_claims: ['scope', 7,",
            "access_claims",
            "access_claims: expected a string or a list of strings, not an integer",
        ),
        (
            "  okta: ['okta']",
            "  okta: {a: b}",
            "okta: {a",
            "providers.okta: expected a string or a list of strings, not a mapping",
        ),
    ],
)
def test_a_broken_signals_file_names_file_line_and_key(
    tmp_path: Path, old: str, new: str, fragment: str, message: str
) -> None:
    path = signals_with(tmp_path, old, new)
    with pytest.raises(UsageError) as caught:
        load_signals.__wrapped__(path)
    assert str(caught.value).startswith(f"{path}:{line_of_text(path, fragment)}: {message}")
    assert "\n" not in str(caught.value)


def test_signals_without_a_list_names_the_missing_key(tmp_path: Path) -> None:
    path = signals_with(tmp_path, "session_calls: [", "x_session_calls: [")
    with pytest.raises(UsageError, match=r"signals\.yaml:\d+: x_session_calls: unknown key"):
        load_signals.__wrapped__(path)
    path.write_text(path.read_text().replace("x_session_calls: [", "# session_calls: ["))
    with pytest.raises(UsageError) as caught:
        load_signals.__wrapped__(path)
    top = line_of_text(path, "version: 1")  # the line the top-level mapping starts on
    assert str(caught.value) == f"{path}:{top}: session_calls: required key missing"


def test_a_broken_scanner_section_of_a_profile_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "providers").mkdir()
    for profile in (rules_dir() / "providers").glob("*.yaml"):
        text = profile.read_text(encoding="utf-8")
        (tmp_path / "providers" / profile.name).write_text(
            text.replace("    means: id", "    means: maybe"), encoding="utf-8"
        )
    signals = tmp_path / "signals.yaml"
    signals.write_bytes((rules_dir() / "signals.yaml").read_bytes())
    with pytest.raises(
        UsageError, match=r"\.yaml:\d+: scanner\.client_id_audience\.means: expected one of"
    ):
        load_signals.__wrapped__(signals)


def test_a_key_given_twice_is_an_error_in_profiles_and_signals(tmp_path: Path) -> None:
    """The user config lists it with its other problems; a profile or the signals file, whose
    second value would silently win, stop at the first one, naming its line."""
    message = broken_profile(tmp_path, "name: Auth0\n", "name: Auth0\nname: Auth Zero\n")
    assert message == ":4: name: duplicate key (the second one would win)"
    path = signals_with(tmp_path, "  okta: ['okta']", "  okta: ['okta']\n  okta: ['x']")
    with pytest.raises(UsageError) as caught:
        load_signals.__wrapped__(path)
    line = line_of_text(path, "okta: ['x']")
    assert str(caught.value) == f"{path}:{line}: okta: duplicate key (the second one would win)"
    document = yamlfile.parse("a:\n  b: 1\n  b: 2\nc: [{d: 1, d: 2}]\n", "f.yaml")
    assert document["a"]["b"] == 2  # without unique_keys, the config's way: kept and listed
    with pytest.raises(UsageError, match=r"^f\.yaml:3: b: duplicate key"):
        yamlfile.parse("a:\n  b: 1\n  b: 2\nc: [{d: 1, d: 2}]\n", "f.yaml", unique_keys=True)
    with pytest.raises(UsageError, match=r"^f\.yaml:1: d: duplicate key"):
        yamlfile.parse("c: [{d: 1, d: 2}]\n", "f.yaml", unique_keys=True)
