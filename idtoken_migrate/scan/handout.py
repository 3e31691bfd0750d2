"""Where the app itself hands out the provider's ID token (issue 13 point 6).

A login or callback route that puts the token endpoint's `id_token` (boto3 `initiate_auth`:
`["AuthenticationResult"]["IdToken"]`) into a cookie, the session or a response body gives its
own front end the credential the migration stops accepting: after the kill switch, the sunset or
strict, that front end gets 401. Each such site is a required step of the plan, with the change
(hand out the access token). `ast` only: nothing is imported or run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

# The ID token's key in a token-endpoint response (OAuth/OIDC), boto3's AuthenticationResult,
# and the camel case front ends use -> the access token's key in the same place.
ACCESS_KEY_FOR = {"id_token": "access_token", "IdToken": "AccessToken", "idToken": "accessToken"}
COOKIE = "cookie"
SESSION = "session"
BODY = "body"
_RESPONSES = frozenset(
    {
        "JSONResponse",
        "JsonResponse",
        "ORJSONResponse",
        "UJSONResponse",
        "Response",
        "jsonify",
        "make_response",
        "dumps",
    }
)


_COOKIE_START = re.compile(r"([A-Za-z0-9_.-]+)=")


@dataclass(frozen=True)
class HandOut:
    """One place the app hands the ID token to its client."""

    path: str
    line: int
    symbol: str | None  # the enclosing function
    sink: str  # cookie | session | body
    name: str  # the cookie name, session key or body key ("" when not a literal)
    value: str  # the expression handed out, as written
    source: str  # where that value comes from (`token["id_token"]`), as written
    source_line: int
    access: str  # the same place's access token (`token["access_token"]`)

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"

    def change(self) -> str:
        """The exact change, in words and code."""
        via = (
            f" (`{self.value} = {self.source}`, line {self.source_line})"
            if (self.value != self.source)
            else ""
        )
        where = {
            COOKIE: f"the cookie `{self.name}`" if self.name else "a cookie",
            SESSION: f"the session key `{self.name}`" if self.name else "the session",
            BODY: f"the response body's `{self.name}`" if self.name else "the response body",
        }[self.sink]
        return (
            f"{self.location}{f' in {self.symbol}' if self.symbol else ''}: hands out the "
            f"provider's ID token as {where}: `{self.value}`{via}. Hand out the access token "
            f"instead: `{self.access}`"
            + {
                COOKIE: f" (the browser sends it back as before; keep the name `{self.name}` or "
                "rename it here and where the API reads it)",
                SESSION: " (where the API reads the session, it then gets the access token)",
                BODY: "; clients send it as their bearer credential",
            }[self.sink]
        )

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "symbol": self.symbol,
            "sink": self.sink,
            "name": self.name,
            "value": self.value,
            "source": self.source,
            "source_line": self.source_line,
            "access_token": self.access,
            "change": self.change(),
        }


def find_handouts(path: str, text: str) -> list[HandOut]:
    """The hand-outs of the ID token in one module's source (none when it does not parse)."""
    if not any(key in text for key in ACCESS_KEY_FOR):
        return []
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    finder = _Finder(path, text)
    finder.scope(tree.body, None)
    return sorted(set(finder.found), key=lambda h: (h.line, h.sink, h.name))


@dataclass(frozen=True)
class _Source:
    node: ast.expr
    key: str  # the ID-token key it reads


class _Finder:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.found: list[HandOut] = []

    def scope(self, body: list[ast.stmt], symbol: str | None) -> None:
        """One function (or the module): names bound to the ID token, then the sinks."""
        names: dict[str, _Source] = {}
        for node in _walk_scope(body):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.scope(node.body, node.name)
            elif isinstance(node, ast.Assign):
                source = self.source(node.value, names)
                for target in node.targets:
                    if isinstance(target, ast.Name) and source is not None:
                        names[target.id] = source
                    elif source is not None and _is_session(target):
                        self.add(node, symbol, SESSION, _key(target), node.value, source)
            elif isinstance(node, ast.Call):
                self.call(node, symbol, names)
            elif isinstance(node, ast.Dict):
                self.body(node, symbol, names)
            elif isinstance(node, ast.JoinedStr):
                self.cookie_string(node, symbol, names)

    def source(self, node: ast.expr, names: dict[str, _Source]) -> _Source | None:
        if isinstance(node, ast.Name):
            return names.get(node.id)
        key = _id_key(node)
        return _Source(node, key) if key else None

    def call(self, node: ast.Call, symbol: str | None, names: dict[str, _Source]) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "set_cookie":
            args = list(node.args)
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            name_node = args[0] if args else keywords.get("key")
            value = args[1] if len(args) > 1 else keywords.get("value")
            source = self.source(value, names) if value is not None else None
            if source is not None:
                self.add(node, symbol, COOKIE, _literal(name_node), value, source)
        elif isinstance(func, ast.Attribute) and func.attr == "update" and _is_session(func.value):
            for arg in node.args:
                if isinstance(arg, ast.Dict):
                    for key, value in zip(arg.keys, arg.values, strict=True):
                        source = self.source(value, names)
                        if key is not None and source is not None:
                            self.add(node, symbol, SESSION, _literal(key), value, source)

    def cookie_string(
        self, node: ast.JoinedStr, symbol: str | None, names: dict[str, _Source]
    ) -> None:
        """A cookie written by hand: `f"id_token={id_token}; HttpOnly"` (a `Set-Cookie` header,
        an API Gateway HTTP API's `cookies` list). Only a string that starts `name=`."""
        parts = node.values
        if len(parts) < 2 or not isinstance(parts[0], ast.Constant):
            return
        name = _COOKIE_START.fullmatch(str(parts[0].value))
        value = parts[1]
        if name is None or not isinstance(value, ast.FormattedValue):
            return
        source = self.source(value.value, names)
        if source is not None:
            self.add(node, symbol, COOKIE, name.group(1), value.value, source)

    def body(self, node: ast.Dict, symbol: str | None, names: dict[str, _Source]) -> None:
        """A dict literal returned or given to a response: each ID-token value is handed out."""
        if not getattr(node, "_handed_out", False):
            return
        for key, value in zip(node.keys, node.values, strict=True):
            source = self.source(value, names) if value is not None else None
            if key is not None and source is not None:
                self.add(value, symbol, BODY, _literal(key), value, source)

    def add(
        self,
        node: ast.AST,
        symbol: str | None,
        sink: str,
        name: str,
        value: ast.expr,
        source: _Source,
    ) -> None:
        written = self.segment(source.node)
        access = written.replace(
            repr(source.key)[1:-1], ACCESS_KEY_FOR[source.key]
        )  # the same lookup, the access token's key
        self.found.append(
            HandOut(
                self.path,
                getattr(node, "lineno", 0),
                symbol,
                sink,
                name,
                self.segment(value),
                written,
                source.node.lineno,
                access,
            )
        )

    def segment(self, node: ast.expr) -> str:
        text = ast.get_source_segment(self.text, node) or ast.unparse(node)
        return " ".join(text.split())


def _walk_scope(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """The nodes of one scope in source order, nested functions yielded but not entered; dict
    literals that leave the function (returned, or given to a response) marked."""
    pending: list[ast.AST] = list(reversed(body))
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            if isinstance(node, ast.ClassDef):
                pending.extend(reversed(node.body))
            continue
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Dict):
            node.value._handed_out = True  # type: ignore[attr-defined]
        if isinstance(node, ast.Call) and _call_name(node) in _RESPONSES:
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if isinstance(arg, ast.Dict):
                    arg._handed_out = True  # type: ignore[attr-defined]
        if isinstance(node, ast.Dict):
            for value in node.values:  # a Lambda proxy's {"body": json.dumps({...})}
                if isinstance(value, ast.Dict) and getattr(node, "_handed_out", False):
                    value._handed_out = True  # type: ignore[attr-defined]
        pending.extend(reversed(list(ast.iter_child_nodes(node))))


def _id_key(node: ast.expr) -> str | None:
    """The ID-token key `node` reads: `x["id_token"]`, `x.get("IdToken")`."""
    if isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and key.value in ACCESS_KEY_FOR:
            return str(key.value)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value in ACCESS_KEY_FOR
    ):
        return str(node.args[0].value)
    return None


def _is_session(node: ast.expr) -> bool:
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Name):
        return node.id == "session"
    return isinstance(node, ast.Attribute) and node.attr == "session"


def _key(node: ast.expr) -> str:
    return _literal(node.slice) if isinstance(node, ast.Subscript) else ""


def _literal(node: ast.expr | None) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ""


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""
