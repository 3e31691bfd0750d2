"""Where a bearer site's verified claims travel, and which claims are read there, with the line.

The claims dict a legacy verifier returns is rarely read where it is verified: it is returned to
a FastAPI dependency's users (`claims: dict = Depends(get_current_user)`), assigned by callers
(`claims = verify(token)`), handed to helpers in other modules (`sync_user(claims)` reading
`claims["custom:role"]`, `check_role(claims, "Admins")` reading `.get("cognito:groups")`), or
turned into a model whose fields are the claims (`CurrentUser(**claims)`,
`CurrentUser.model_validate(claims)` with `role: str = Field(alias="custom:role")`).

`claim_reads()` follows the value, lexically (`lexical.py`: files are read, never parsed or run),
from the site's result through returns (a tuple's item into the caller's unpacking, `user, claims =
authenticate(request)`), callers, dependencies, arguments (positional, keyword, `**`), model
classes and attributes of the instance (`self.claims = claims`, read as `self.claims["x"]` in the
class's other methods) or of a request-scoped holder (`g.claims = claims`, `request.state.user =
claims`, read in the views), a few hops deep, inside the site's project, and lists every
string-keyed read on the way: `(claim, "path:line", how)` where `how` is `subscript` (a token
without the claim fails there), `get`, `in`, `field` (an optional model field) or
`required-field`. Which of those claims matter is the provider's business (`user_claims:` in its
profile, read by the plan). It reads statements, not lines (`_logical`): brackets left open
continue the statement on the next line and comments are dropped, so a call whose arguments span
lines is one call.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from idtoken_migrate.scan import lexical

# Registered claims every JWT carries (RFC 7519): never worth reporting.
_REGISTERED = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
# How a read fails when the token lacks the claim: a KeyError, a model's validation error.
FAILING = frozenset({"subscript", "required-field"})
_MAX_HOPS = 5
_MAX_READS = 60
_MAX_FILE = 2 * 1024 * 1024
# Objects a request's code shares values through: Flask's (and Quart's) `g`, Starlette's
# `request.state`.
_HOLDER = re.compile(r"(?:\w+\.)?g\.\w+$|request\.state\.\w+$")
_MODEL_BUILDERS = frozenset({"model_validate", "parse_obj", "from_dict", "model_construct"})
_CLAIM = r"""(?P<q>['"])(?P<claim>[^'"\s;]{1,200})(?P=q)"""


@dataclass(frozen=True)
class Read:
    claim: str
    where: str  # "path:line"
    how: str  # subscript | get | in | field | required-field

    def encode(self) -> str:
        return f"{self.claim} {self.where} {self.how}"


def decode(fact: str) -> list[Read]:
    out = []
    for item in fact.split(";"):
        parts = item.rsplit(" ", 2)
        if len(parts) == 3:
            out.append(Read(*parts))
    return out


class Project:
    """The files of one scan, read lazily, with their lexical views."""

    def __init__(self, files: Iterable[tuple[str, Path]]) -> None:
        self.paths = dict(files)
        self.texts: dict[str, str] = {}
        self.modules: dict[str, lexical.LexModule] = {}
        self.statements: dict[str, list[_Logical]] = {}
        self.named: dict[tuple[str, str], list[str]] = {}

    def text(self, relpath: str) -> str:
        if relpath not in self.texts:
            path = self.paths.get(relpath)
            try:
                data = path.read_bytes() if path and path.stat().st_size <= _MAX_FILE else b""
            except OSError:
                data = b""
            self.texts[relpath] = data.decode("utf-8", "replace")
        return self.texts[relpath]

    def module(self, relpath: str) -> lexical.LexModule:
        if relpath not in self.modules:
            self.modules[relpath] = lexical.read(self.text(relpath))
        return self.modules[relpath]

    def logical(self, relpath: str) -> list[_Logical]:
        """The module's statements as logical lines, numbered as `module(relpath).lines`."""
        if relpath not in self.statements:
            self.statements[relpath] = _logical(self.module(relpath).lines)
        return self.statements[relpath]

    def naming(self, word: str, folder: str) -> list[str]:
        """Files of `folder`'s project whose text names `word` (bytes first; only the files
        that match are kept in memory)."""
        if (word, folder) in self.named:
            return self.named[(word, folder)]
        needle = word.encode()
        pattern = re.compile(rf"\b{re.escape(word)}\b")
        found = []
        for relpath, path in self.paths.items():
            if not relpath.endswith(".py") or not relpath.startswith(folder):
                continue
            if relpath not in self.texts:
                try:
                    if path.stat().st_size > _MAX_FILE or needle not in path.read_bytes():
                        continue
                except OSError:
                    continue
            if pattern.search(self.text(relpath)):
                found.append(relpath)
        self.named[(word, folder)] = found
        return found


@dataclass(frozen=True)
class _Logical:
    """One statement: its physical lines joined with newlines, its comments left out."""

    line: int  # of its first physical line, 1-based
    text: str

    def line_of(self, offset: int) -> int:
        return self.line + self.text.count("\n", 0, offset)


# Python strings: triple-quoted ones may hold newlines, the others end with their line.
_STRINGS = (
    r'"""(?:[^\\]|\\.)*?"""|' + r"'''(?:[^\\]|\\.)*?'''"
    r'|"(?:[^"\\\n]|\\.)*"|' + r"'(?:[^'\\\n]|\\.)*'"
)
# What decides where a statement ends: strings, comments, brackets, and newlines (one after a
# backslash continues the statement).
_TOKEN = re.compile(
    rf"(?P<str>{_STRINGS})|(?P<comment>#[^\n]*)|(?P<open>[(\[{{])|(?P<close>[)\]}}])"
    r"|(?P<nl>\\?\n)",
    re.S,
)
# What splits a call's arguments: its commas outside brackets and strings.
_ARG_TOKEN = re.compile(
    rf"(?P<str>{_STRINGS})|(?P<open>[(\[{{])|(?P<close>[)\]}}])|(?P<comma>,)", re.S
)


def _logical(lines: list[str]) -> list[_Logical]:
    """`lines` as logical lines: one per statement however many lines its brackets span."""
    text = "\n".join(lines) + "\n"
    out: list[_Logical] = []
    depth, line, at = 0, 1, 0
    pieces: list[str] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "comment":
            pieces.append(text[at : match.start()])
            at = match.end()
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "nl" and depth == 0 and match.group() == "\n":
            pieces.append(text[at : match.start()])
            statement = "".join(pieces)
            if statement.strip():
                out.append(_Logical(line, statement))
            line += statement.count("\n") + 1
            pieces, at = [], match.end()
    return out


def _call_args(text: str, start: int) -> list[str]:
    """The arguments of the call whose `(` is at `text[start]`, each stripped."""
    depth, at, parts = 0, start + 1, []
    for match in _ARG_TOKEN.finditer(text, start + 1):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close" and depth:
            depth -= 1
        elif kind == "close" or (kind == "comma" and not depth):
            parts.append(text[at : match.start()])
            at = match.end()
            if kind == "close":
                break
    else:
        parts.append(text[at:])
    return [part.strip() for part in parts if part.strip()]


def _top_folder(relpath: str) -> str:
    return relpath.split("/", 1)[0] + "/" if "/" in relpath else ""


# A work item: (path, function, the expression holding the claims there, hops so far).
_Work = tuple[str, lexical.LexFunction, str, int]


def claim_reads(site_path: str, site_line: int, proj: Project) -> list[Read]:
    """The claims read along the way of the value verified at `site_path:site_line`."""
    folder = _top_folder(site_path)
    module = proj.module(site_path)
    func = module.function_at(site_line)
    if func is None:
        return []
    statement = next(
        (s for s in proj.logical(site_path) if s.line <= site_line <= s.line_of(len(s.text))),
        None,
    )
    text = statement.text if statement else ""
    work: list[_Work] = []
    target = re.match(r"\s*(?P<var>[A-Za-z_][\w.]*)\s*(?::[^=]*)?=(?!=)", text)
    if target and "." in target["var"]:  # `self.claims = ...`, `g.claims = ...`
        work += _stored(proj, site_path, func, target["var"], folder, 0)
    elif target:
        work.append((site_path, func, target["var"], 0))
    elif re.match(r"\s*return\b", text):
        work += _returned_to(proj, site_path, func, folder, 0)
    reads: dict[tuple[str, str], Read] = {}
    seen: set[tuple[str, int, str]] = set()
    while work and len(reads) < _MAX_READS:
        path, function, var, hops = work.pop()
        key = (path, function.line, var)
        if key in seen or hops > _MAX_HOPS:
            continue
        seen.add(key)
        for read in _reads_in(proj, path, function, var):
            reads.setdefault((read.claim, read.where), read)
        work += _passed_on(proj, path, function, var, folder, hops, reads)
    return sorted(reads.values(), key=_order)


def _order(read: Read) -> tuple[str, int, str]:
    path, _, line = read.where.rpartition(":")
    return path, int(line) if line.isdigit() else 0, read.claim


def _body(proj: Project, path: str, function: lexical.LexFunction) -> list[_Logical]:
    """The statements of `function`, its `def` line first."""
    return [s for s in proj.logical(path) if function.line <= s.line <= function.end]


def _reads_in(proj: Project, path: str, function: lexical.LexFunction, var: str) -> list[Read]:
    v = re.escape(var)
    patterns = (
        (re.compile(rf"(?<![\w.]){v}\s*\[\s*{_CLAIM}\s*\]"), "subscript"),
        (re.compile(rf"(?<![\w.]){v}\s*\.\s*get\(\s*{_CLAIM}"), "get"),
        (re.compile(rf"{_CLAIM}\s+(?:not\s+)?in\s+{v}\b(?!\s*[.\[(])"), "in"),
    )
    out = []
    for statement in _body(proj, path, function):
        for pattern, how in patterns:
            for match in pattern.finditer(statement.text):
                claim = match["claim"]
                if claim not in _REGISTERED:
                    where = f"{path}:{statement.line_of(match.start())}"
                    out.append(Read(claim, where, how))
    return out


def _passed_on(
    proj: Project,
    path: str,
    function: lexical.LexFunction,
    var: str,
    folder: str,
    hops: int,
    reads: dict[tuple[str, str], Read],
) -> list[_Work]:
    """Where `var` goes from `function`: returned (alone or in a tuple), assigned, stored on
    the instance, passed to a call, made a model."""
    out: list[_Work] = []
    v = re.escape(var)
    for statement in _body(proj, path, function):
        if statement.line == function.line:
            continue
        line = statement.text
        if re.match(rf"\s*return\s+{v}\s*$", line) or re.match(rf"\s*return\s+dict\({v}\)", line):
            out += _returned_to(proj, path, function, folder, hops + 1)
        returned = re.match(r"\s*return\s+\(?(?P<items>[^=]*?)\)?\s*$", line)
        items = _split_items(returned["items"]) if returned else []
        if len(items) > 1 and var in items:
            out += _returned_to(proj, path, function, folder, hops + 1, items.index(var))
        alias = re.match(rf"\s*(?P<to>\w+)\s*(?::[^=]*)?=\s*(?:dict\()?{v}\)?\s*$", line)
        if alias:
            out.append((path, function, alias["to"], hops + 1))
        stored = re.match(rf"\s*(?P<to>[A-Za-z_][\w.]*\.\w+)\s*=\s*(?:dict\()?{v}\)?\s*$", line)
        if stored:
            out += _stored(proj, path, function, stored["to"], folder, hops + 1)
        for call in re.finditer(r"(?P<func>[A-Za-z_][\w.]*)\s*\(", line):
            args = _call_args(line, call.end() - 1)
            name = call["func"].rsplit(".", 1)[-1]
            if f"**{var}" in args or (name in _MODEL_BUILDERS and args[:1] == [var]):
                model = call["func"].rsplit(".", 2)[-2] if name in _MODEL_BUILDERS else name
                for read in _model_fields(proj, model, folder):
                    reads.setdefault((read.claim, read.where), read)
                continue
            for index, arg in enumerate(args):
                keyword, _, value = arg.partition("=") if "=" in arg else ("", "", arg)
                if value.strip() != var:
                    continue
                out += _callee_params(proj, path, name, index, keyword.strip(), folder, hops + 1)
    return out


def _stored(
    proj: Project, path: str, function: lexical.LexFunction, target: str, folder: str, hops: int
) -> list[_Work]:
    """Where the claims stored in `target` are read: `self.x`, in the methods of the class;
    a request-scoped holder (Flask's `g.x`, Starlette's `request.state.x`), in every function
    of the project that names it."""
    if target.startswith("self."):
        return [
            (path, method, target, hops)
            for method in proj.module(path).functions
            if function.class_name and method.class_name == function.class_name
        ]
    if not _HOLDER.match(target):
        return []
    named = re.compile(rf"(?<![\w.]){re.escape(target)}\b")
    out: list[_Work] = []
    for other in proj.naming(target.rsplit(".", 1)[1], folder):
        if not named.search(proj.text(other)):
            continue  # names the attribute, never through this holder: no function to read
        module = proj.module(other)
        for reader in module.functions:
            if named.search("\n".join(module.lines[reader.line - 1 : reader.end])):
                out.append((other, reader, target, hops))
    return out


def _split_items(text: str) -> list[str]:
    """`a, b` (a tuple written without brackets, or inside its own): its items."""
    return _call_args(f"({text})", 0)


def _returned_to(
    proj: Project,
    path: str,
    function: lexical.LexFunction,
    folder: str,
    hops: int,
    item: int | None = None,
) -> list[_Work]:
    """Variables that receive what `function` returns: `x = f(...)`, `x = Depends(f)`; with
    `item`, the one its caller unpacks that item of the returned tuple into (`user, x = f()`)."""
    name = function.name
    n = re.escape(name)
    call = rf"\s*(?:await\s+)?(?:[\w.]+\.)?{n}\s*\("
    assigned = re.compile(rf"^\s*(?P<var>[A-Za-z_][\w.]*)\s*(?::[^=]*)?={call}")
    unpacked = re.compile(rf"^\s*\(?(?P<vars>\w+(?:\s*,\s*\w+)+)\s*,?\s*\)?\s*={call}")
    depends = re.compile(
        rf"(?P<var>\w+)\s*(?::[^=,()]*)?=\s*(?:Depends|Security)\(\s*(?:[\w.]+\.)?{n}\s*\)"
    )  # `Depends(current_user)`, a bound method `Depends(service.validate_token)`
    passed = re.compile(rf"^\s*return{call}")
    out: list[_Work] = []
    for other in proj.naming(name, folder):
        module = proj.module(other)
        for statement in proj.logical(other):
            holder = module.function_at(statement.line)
            if holder is None or (other == path and holder.line == function.line):
                continue
            if item is None:
                for pattern in (assigned, depends):
                    for match in pattern.finditer(statement.text):
                        var = match["var"]
                        if "." in var:  # `g.claims = verify(token)`
                            out += _stored(proj, other, holder, var, folder, hops)
                        else:
                            out.append((other, holder, var, hops))
            else:
                match = unpacked.match(statement.text)
                targets = re.split(r"\s*,\s*", match["vars"]) if match else []
                if item < len(targets):
                    out.append((other, holder, targets[item], hops))
            if passed.match(statement.text) and hops < _MAX_HOPS:  # `return check(token)`
                out += _returned_to(proj, other, holder, folder, hops + 1, item)
    return out


def _callee_params(
    proj: Project, path: str, name: str, index: int, keyword: str, folder: str, hops: int
) -> list[_Work]:
    """The parameter of `name`'s definition(s) that receives argument `index` (or `keyword`)."""
    out = []
    defs = [
        p
        for p in proj.naming(name, folder)
        if re.search(rf"def\s+{re.escape(name)}\s*\(", proj.text(p))
    ]
    if path in defs:
        defs = [path]  # the local definition wins over one elsewhere
    for other in defs:
        module = proj.module(other)
        for function in module.functions:
            if function.name != name:
                continue
            params = _params(module.lines, function)
            if keyword:
                target = keyword if keyword in params else None
            else:
                target = params[index] if index < len(params) else None
            if target:
                out.append((other, function, target, hops))
    return out


def _params(lines: list[str], function: lexical.LexFunction) -> list[str]:
    """Parameter names of a `def` (its header may span lines), `self`/`cls` dropped."""
    header = ""
    for number in range(function.line, min(function.line + 20, len(lines)) + 1):
        header += lines[number - 1] + " "
        if re.search(r"\)\s*(?:->[^:]*)?:", header):
            break
    inside = header.split("(", 1)[1] if "(" in header else ""
    depth, current, parts = 0, "", []
    for char in inside:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                break
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    names = []
    for part in parts:
        match = re.match(r"\s*(\w+)", part)
        if match and not part.strip().startswith("*"):
            names.append(match[1])
    if function.class_name and names[:1] in (["self"], ["cls"]):
        names = names[1:]
    return names


def _model_fields(proj: Project, model: str, folder: str) -> list[Read]:
    """The fields of `class model(...)`: each a claim (its `alias=`, else its name)."""
    out = []
    header = re.compile(rf"^(?P<indent>[ \t]*)class\s+{re.escape(model)}\b")
    field = re.compile(
        r"^(?P<indent>[ \t]+)(?P<name>[A-Za-z_]\w*)\s*:\s*[^=]+?(?:=(?P<value>.*))?$"
    )
    for other in proj.naming(model, folder):
        lines = proj.module(other).lines
        for start, line in enumerate(lines):
            top = header.match(line)
            if not top:
                continue
            indent = None
            for number in range(start + 2, len(lines) + 1):
                text = lines[number - 1]
                if not text.strip() or text.lstrip().startswith(("#", "@", '"', "'")):
                    continue
                width = len(text) - len(text.lstrip())
                if width <= len(top["indent"]):
                    break
                if indent is None:
                    indent = width
                if width != indent or text.lstrip().startswith(("def ", "class ", "async ")):
                    continue
                match = field.match(text)
                if not match or match["name"] == "model_config":
                    continue
                value = match["value"] or ""
                alias = re.search(rf"\balias\s*=\s*{_CLAIM}", value)
                claim = alias["claim"] if alias else match["name"]
                required = not value.strip() or (
                    value.strip().startswith("Field(")
                    and not re.search(r"\bdefault(?:_factory)?\s*=", value)
                    and re.match(r"\s*Field\(\s*(?:\.\.\.|\)|\w+\s*=)", value) is not None
                )
                if claim not in _REGISTERED:
                    how = "required-field" if required else "field"
                    out.append(Read(claim, f"{other}:{number}", how))
    return out
