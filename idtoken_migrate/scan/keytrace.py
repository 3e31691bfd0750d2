"""How legacy code turns the client secret's text into its HMAC key, traced from the key expression.

Auth0's early samples decoded the dashboard's secret before verifying:
`base64.b64decode(secret.replace("_", "/").replace("-", "+"))` (base64url by hand), others call
`base64.urlsafe_b64decode(secret)`, `base64.b64decode(secret)` or `secret.encode()`. The
verifier must derive the same key (`legacy_id_token.secret_encoding`), or every legacy token
fails its signature check.
"""

from __future__ import annotations

import libcst as cst

RAW, BASE64, BASE64URL = "raw", "base64", "base64url"
_BASE64_DECODERS = frozenset({"b64decode", "standard_b64decode", "decodebytes", "decodestring"})
_URLSAFE_DECODERS = frozenset({"urlsafe_b64decode"})
_TEXT_METHODS = frozenset({"strip", "rstrip", "lstrip", "encode"})  # keep the text's encoding
_URLSAFE_SWAPS = frozenset({("_", "/"), ("-", "+")})  # base64url -> base64 by hand


def secret_encoding(key_expr: str) -> str | None:
    """raw, base64 or base64url: what the expression does to the secret; None when it is not
    one of the shapes above (a name bound elsewhere, a helper function: check by hand)."""
    try:
        node = cst.parse_expression(key_expr)
    except (cst.ParserSyntaxError, ValueError):
        return None
    return _trace(node)


def _trace(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Call):
        name = _callee(node.func)
        if name in _URLSAFE_DECODERS:
            return BASE64URL
        if name in _BASE64_DECODERS and node.args:
            altchars = _altchars(node)
            if altchars in ("-_", b"-_"):
                return BASE64URL
            return BASE64URL if _swaps(node.args[0].value) >= _URLSAFE_SWAPS else BASE64
        if name == "bytes" and node.args:
            return RAW  # bytes(secret, "utf-8")
        if isinstance(node.func, cst.Attribute) and name in _TEXT_METHODS:
            inner = _trace(node.func.value)
            return inner if inner is not None else RAW
        return None
    if isinstance(node, (cst.Name, cst.Attribute, cst.Subscript)):
        return None  # the text as is, unless it was decoded where it is bound: not known here
    return None


def _callee(func: cst.BaseExpression) -> str:
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def _altchars(call: cst.Call) -> object:
    for index, arg in enumerate(call.args):
        if (arg.keyword is not None and arg.keyword.value == "altchars") or (
            arg.keyword is None and index == 1
        ):
            return _string(arg.value)
    return None


def _swaps(node: cst.BaseExpression) -> set[tuple[str, str]]:
    """The `.replace(a, b)` pairs applied to the secret (strings or bytes)."""
    found: set[tuple[str, str]] = set()
    while (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "replace"
        and len(node.args) == 2
    ):
        old, new = (_string(arg.value) for arg in node.args)
        if isinstance(old, bytes) and isinstance(new, bytes):
            old, new = old.decode("latin-1"), new.decode("latin-1")
        if isinstance(old, str) and isinstance(new, str):
            found.add((old, new))
        node = node.func.value
    return found


def _string(node: cst.BaseExpression) -> object:
    if isinstance(node, cst.SimpleString):
        try:
            return node.evaluated_value
        except Exception:  # an odd literal is not a known alphabet
            return None
    return None
