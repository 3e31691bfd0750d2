"""The interactive review of replace-verify-call sites (the edits: test_codemod_pairs.py)."""

from __future__ import annotations

from idtoken_migrate.migration.plan import plan_project

from .pairs import DEFAULT_CONFIG as CONFIG
from .pairs import HEAD


def _one_site_project(tmp_path):
    (tmp_path / "idtoken-migrate.yaml").write_text(CONFIG)
    body = """

def user():
    token = request.headers["Authorization"][7:]
    try:
        return jwt.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)
    except jwt.InvalidTokenError:
        return None
"""
    (tmp_path / "api.py").write_text(HEAD + body)
    return plan_project(tmp_path)


def test_review_engine_skips_what_the_reviewer_declines(tmp_path):
    from idtoken_migrate.migration.apply import drive, propose

    config, plan = _one_site_project(tmp_path)
    seen = []
    result = drive(propose(plan, config, tmp_path), lambda p: seen.append(p.title) and False)
    assert len(seen) == 1 and "api.py:" in seen[0]  # declined: no verifier, no other file
    assert not result.changes and result.skipped[0].reason == "skipped by you"
    result = drive(propose(plan, config, tmp_path), lambda p: True)
    assert {c.path for c in result.changes} >= {"api.py", "token_verifier.py", ".env.example"}


def test_an_accepted_site_always_gets_its_verifier(tmp_path):
    """Declining the generated verifier after accepting a site would leave an import of a
    module that does not exist: the verifier is required, whatever the answer."""
    from idtoken_migrate.migration.apply import drive, propose

    config, plan = _one_site_project(tmp_path)
    required = []

    def accept_sites_only(proposal):
        if proposal.required:
            required.append(proposal.change.path)
        return proposal.site is not None

    result = drive(propose(plan, config, tmp_path), accept_sites_only)
    assert required == ["token_verifier.py"]
    assert {c.path for c in result.changes} == {"api.py", "token_verifier.py"}
