"""The raw-bytes prefilter: a literal, then an import of the pack's modules. It may let through
files that do not match; it must never keep out a file a rule could match."""

from __future__ import annotations

import pytest

from idtoken_migrate.config.rulepack import load_rules

RULES = load_rules()


def packs(source: str) -> set[str]:
    return {p.name for p in RULES.packs_for(source.encode())}


@pytest.mark.parametrize(
    "source",
    [
        "import jwt\n",
        "import jwt as pyjwt\n",
        "import os, jwt\n",
        "from jwt import decode as jwt_decode\n",
        "from jwt.api_jwt import decode\n",
        "def f():\n    import jwt\n",
        "if TYPE_CHECKING:\n\timport jwt\n",
        "x = 1; import jwt\n",
    ],
)
def test_pyjwt_imports_pass(source: str) -> None:
    assert "pyjwt" in packs(source)


@pytest.mark.parametrize(
    ("source", "pack"),
    [
        ("from jose import jwt\n", "python-jose"),
        ("import jose.jwt\n", "python-jose"),
        ("from jose import (\n    jwt,\n)\n", "python-jose"),
        ("from google.oauth2 import id_token\n", "google-auth"),
        ("import google.oauth2.id_token as gid\n", "google-auth"),
        ("from authlib.jose import JsonWebToken\n", "authlib"),
        ('if claims["token_use"] != "id":\n    raise X\n', "cognito"),
        ('JWT_AUTH = {"JWT_AUDIENCE": CLIENT_ID}\n', "drf-jwt"),
    ],
)
def test_other_packs_pass(source: str, pack: str) -> None:
    assert pack in packs(source)


@pytest.mark.parametrize(
    "source",
    [
        '"""Explains how a jwt is decoded."""\n',  # the word, no import
        "jwt_token = get()  # jwt\n",
        "import os  # jwt comes later\n",
        "url = 'https://www.google.com/search'\n",
        "AUTHOR = 'José'\n",
        "token_used = True\n",
        "from myjwt import decode\n",
    ],
)
def test_mentions_without_imports_are_kept_from_the_parser(source: str) -> None:
    assert packs(source) == set()


def test_a_currency_code_is_not_a_claim_read() -> None:
    assert packs('CURRENCIES = ("usd", "gbp", "aud")\n') == set()
    assert "cognito" in packs('if claims["aud"] != app_client_id:\n    raise X\n')
    assert "cognito" in packs("if claims.get('aud') != app_client_id:\n    raise X\n")


def test_quick_literals_reject_exactly_what_the_packs_reject() -> None:
    for source in ('x = "jwt"\n', "import cognitojwt\n", "print('token_use')\n", "pass\n"):
        data = source.encode()
        quick = any(lit in data for lit in RULES.quick_literals)
        full = any(any(lit in data for lit in p.prefilter) for p in RULES.packs)
        assert quick == full, source
