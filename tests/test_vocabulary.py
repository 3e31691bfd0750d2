"""One vocabulary: the kinds, phases, algorithms and reasons every stage uses are the objects of
`idtoken_migrate.vocabulary`, not copies that could drift apart."""

from __future__ import annotations

from idtoken_migrate import config, model, vocabulary
from idtoken_migrate.scan import evidence
from idtoken_migrate.verifier import render


def test_the_stages_share_one_definition() -> None:
    assert model.KINDS is vocabulary.KINDS and model.ACTIONABLE_KINDS is vocabulary.ACTIONABLE_KINDS
    assert config.PHASES is vocabulary.PHASES
    assert config.PUBLIC_KEY_ALGORITHMS is vocabulary.PUBLIC_KEY_ALGORITHMS
    assert config.HMAC_ALGORITHMS is vocabulary.HMAC_ALGORITHMS
    assert render.ASYMMETRIC_ALGORITHMS is vocabulary.ASYMMETRIC_ALGORITHMS
    assert render.reasons is vocabulary.reasons


def test_the_scanner_knows_every_algorithm_name_the_config_accepts() -> None:
    # it compares them upper-cased (legacy code writes "eddsa", "rs256")
    accepted = {*config.PUBLIC_KEY_ALGORITHMS, *config.HMAC_ALGORITHMS}
    assert {a.upper() for a in accepted} <= evidence._KNOWN_ALGORITHMS
    assert "id_token_not_accepted" in vocabulary.reasons("strict")
    assert "id_token_not_accepted" not in vocabulary.reasons("dual")
