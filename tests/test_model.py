"""`SiteFacts`: what the scan tells the planner is typed and frozen, and its JSON is the string
map the reports always had (lists comma-joined, keys the scan did not see left out)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from idtoken_migrate.model import Finding, SiteFacts
from idtoken_migrate.scan.engine import ScanOptions, scan_paths

API = """\
import jwt
from flask import g, request

CLIENT_ID = "spa-client"


def current_user():
    token = request.headers["Authorization"].split()[1]
    try:
        g.claims = jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
    except (jwt.ExpiredSignatureError, jwt.InvalidTokenError):
        return None
    return g.claims["email"]
"""


def test_the_scan_fills_typed_facts_and_reports_them_as_strings(tmp_path: Path) -> None:
    (tmp_path / "api.py").write_text(API, encoding="utf-8")
    [finding] = scan_paths([tmp_path], ScanOptions(jobs=1)).findings
    facts = finding.facts
    assert facts.qualname == "jwt.decode" and facts.function == "current_user"
    assert facts.class_ == ""  # a plain function: seen, and empty
    assert facts.handlers == ("jwt.ExpiredSignatureError", "jwt.InvalidTokenError")
    assert (facts.token_expr, facts.audience_expr) == ("token", "CLIENT_ID")
    assert facts.algorithm_values == ("HS256",) and facts.claims_read == ("email",)
    assert facts.issuer_expr is None and facts.parser is None
    assert "reads-id-token-claims" in (facts.signals or ())
    reported = json.loads(json.dumps(finding.to_json()))["facts"]
    assert reported["handlers"] == "jwt.ExpiredSignatureError,jwt.InvalidTokenError"
    assert reported["class"] == "" and "issuer_expr" not in reported
    assert all(isinstance(value, str) for value in reported.values())
    assert Finding.from_json(finding.to_json()) == finding
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.qualname = "other"  # type: ignore[misc]


def test_facts_of_an_older_report_load_and_unknown_keys_are_dropped() -> None:
    old = {"qualname": "jose.jwt.decode", "handlers": "", "token_source": "header", "x": 1}
    facts = SiteFacts.from_json(old)
    assert facts == SiteFacts(qualname="jose.jwt.decode", handlers=())
    assert facts.to_json() == {"handlers": "", "qualname": "jose.jwt.decode"}
    assert facts.role_expr("audience") is None
    assert SiteFacts(audience_expr="AUD").role_expr("audience") == "AUD"
