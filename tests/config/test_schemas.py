"""The JSON Schemas shipped for editors: valid, in step with the hand-written checks, named in
the docs, and accepting what the tool accepts."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from samples import AUTH0_HS256_CONFIG

from idtoken_migrate.config import file as configfile
from idtoken_migrate.config import library, rulepack
from idtoken_migrate.resources import rules_dir, schema_path
from idtoken_migrate.vocabulary import ALL_REASONS

REPO = Path(__file__).resolve().parents[2]


def validator(name: str) -> jsonschema.Draft7Validator:
    schema = json.loads(schema_path(name).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def as_json(text: str) -> object:
    # YAML 1.1 reads `2027-03-01` as a date; editors (YAML 1.2) and the tool take it as text.
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


def props(schema: dict, *path: str) -> set[str]:
    node = schema
    for key in path:
        node = node["properties"][key]
    return set(node["properties"])


def test_the_config_schema_knows_exactly_the_config_keys() -> None:
    schema = validator("config").schema
    assert props(schema) == set(configfile._TOP_KEYS)
    for section, keys in configfile._SECTION_KEYS.items():
        assert props(schema, section) == set(keys), section


def test_the_rule_pack_schema_knows_exactly_the_pack_keys() -> None:
    schema = validator("rule-pack").schema
    assert set(schema["properties"]) == rulepack._PACK_KEYS
    rule = schema["definitions"]["rule"]
    assert set(rule["properties"]) == rulepack._RULE_KEYS
    assert set(rule["properties"]["match"]["properties"]) == rulepack._MATCH_KEYS
    assert set(rule["properties"]["args"]["properties"]) == set(rulepack.ROLES)
    assert set(rule["properties"]["unverified"]["properties"]) == rulepack._UNVERIFIED_KEYS
    assert set(rule["properties"]["fix"]["properties"]) == rulepack._FIX_KEYS
    block = schema["properties"]["library"]["oneOf"][1]
    assert set(block["properties"]) == library.LIBRARY_KEYS
    assert set(block["properties"]["errors"]["properties"]) == set(ALL_REASONS)


@pytest.mark.parametrize(
    "pack", sorted(p.name for p in rules_dir().glob("*.yaml") if p.name != "signals.yaml")
)
def test_every_bundled_pack_validates(pack: str) -> None:
    data = as_json((rules_dir() / pack).read_text(encoding="utf-8"))
    assert not list(validator("rule-pack").iter_errors(data))


def test_a_sample_config_validates_and_a_typo_does_not() -> None:
    check = validator("config")
    assert not list(check.iter_errors(as_json(AUTH0_HS256_CONFIG)))
    typo = as_json(AUTH0_HS256_CONFIG.replace("  audience:", "  audiense:"))
    assert [e.message for e in check.iter_errors(typo)]
    assert list(check.iter_errors({"phase": "later"}))


def test_a_pack_typo_does_not_validate() -> None:
    data = as_json((rules_dir() / "pyjwt.yaml").read_text(encoding="utf-8"))
    data["rules"][0]["mtach"] = data["rules"][0].pop("match")
    assert list(validator("rule-pack").iter_errors(data))


def test_the_docs_name_the_schemas() -> None:
    config_doc = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    rules_doc = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert "idtoken_migrate/schemas/config.schema.json" in config_doc
    assert "idtoken_migrate/schemas/rule-pack.schema.json" in rules_doc
