"""A lexical view of Python source: functions, their decorators, classes and calls, without parsing.

Used where libcst must not or cannot parse: the callers of a verify helper in modules the prefilter
rejected (the project view, `project.py`), and Python 2 files libcst cannot read (`legacy.py`).
Line based and forgiving: a construct it misreads costs evidence, never a crash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_DEF = re.compile(r"^(?P<indent>[ \t]*)(?:async[ \t]+)?def[ \t]+(?P<name>\w+)[ \t]*\(")
_CLASS = re.compile(r"^(?P<indent>[ \t]*)class[ \t]+(?P<name>\w+)[ \t]*(?:\((?P<bases>[^)]*)\))?")
_DECORATOR = re.compile(r"^[ \t]*@[ \t]*(?P<name>[\w.]+)")
_CALL = re.compile(r"(?<![\w.])(?P<name>[A-Za-z_][\w]*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)*)[ \t]*\(")
_SESSION_WRITE = re.compile(r"(?P<base>[\w.]*session)[ \t]*\[[^\]\n]*\][ \t]*=(?!=)")
_DICT_KEY = re.compile(r"[\"'](?P<key>\w+)[\"'][ \t]*:")
_DEPENDS = re.compile(r"\b(?:Depends|Security)[ \t]*\([ \t]*(?P<name>[\w.]+)")
_COMMENT = re.compile(r"#.*$")


@dataclass
class LexFunction:
    name: str
    line: int  # of the `def`, 1-based
    end: int  # last line of its block
    indent: int
    decorators: list[str] = field(default_factory=list)
    class_name: str = ""
    class_bases: list[str] = field(default_factory=list)
    parent: LexFunction | None = None
    calls: list[str] = field(default_factory=list)
    dict_keys: set[str] = field(default_factory=set)
    session_writes: list[str] = field(default_factory=list)


@dataclass
class LexModule:
    lines: list[str]
    functions: list[LexFunction]
    depends_refs: set[str]
    decorator_uses: dict[str, int]

    def function_at(self, line: int) -> LexFunction | None:
        """The innermost function whose block holds `line`."""
        best = None
        for f in self.functions:
            if f.line <= line <= f.end and (best is None or f.line > best.line):
                best = f
        return best

    def callers_of(self, name: str) -> list[LexFunction | None]:
        """Functions (None: module level) that call `name(`, `x.name(` included."""
        pattern = re.compile(rf"(?<![\w])(?:[\w.]+\.)?{re.escape(name)}(?:\.\w+)?[ \t]*\(")
        found: list[LexFunction | None] = []
        for index, text in enumerate(self.lines):
            code = _COMMENT.sub("", text)
            if pattern.search(code) and not _DEF.match(code):
                found.append(self.function_at(index + 1))
        return found


def _width(indent: str) -> int:
    return len(indent.expandtabs(8))


def read(text: str) -> LexModule:
    lines = text.splitlines()
    functions: list[LexFunction] = []
    open_blocks: list[tuple[int, LexFunction | None, str, list[str]]] = []  # indent, func, class
    pending: list[str] = []
    depends: set[str] = set()
    decorator_uses: dict[str, int] = {}
    for index, raw in enumerate(lines):
        code = _COMMENT.sub("", raw)
        if not code.strip():
            continue
        indent = _width(code[: len(code) - len(code.lstrip())])
        while open_blocks and indent <= open_blocks[-1][0] and not code.lstrip().startswith(")"):
            _, func, _, _ = open_blocks.pop()
            if func is not None:
                func.end = index  # the line before this one (1-based index)
        depends.update(m["name"].rsplit(".", 1)[-1] for m in _DEPENDS.finditer(code))
        decorator = _DECORATOR.match(code)
        if decorator:
            pending.append(decorator["name"])
            decorator_uses[decorator["name"]] = decorator_uses.get(decorator["name"], 0) + 1
            continue
        cls = next((b for b in reversed(open_blocks) if b[2]), None)
        enclosing = next((b[1] for b in reversed(open_blocks) if b[1] is not None), None)
        match = _DEF.match(code)
        if match:
            in_class = bool(open_blocks) and open_blocks[-1][1] is None and open_blocks[-1][2]
            func = LexFunction(
                name=match["name"],
                line=index + 1,
                end=len(lines),
                indent=indent,
                decorators=pending,
                class_name=cls[2] if cls and in_class else "",
                class_bases=cls[3] if cls and in_class else [],
                parent=enclosing,
            )
            functions.append(func)
            open_blocks.append((indent, func, "", []))
            pending = []
            continue
        match = _CLASS.match(code)
        if match:
            bases = [b.strip() for b in (match["bases"] or "").split(",") if b.strip()]
            open_blocks.append((indent, None, match["name"], bases))
            pending = []
            continue
        pending = []
        if enclosing is None:
            continue
        enclosing.calls.extend(re.sub(r"\s+", "", m["name"]) for m in _CALL.finditer(code))
        enclosing.dict_keys.update(m["key"] for m in _DICT_KEY.finditer(code))
        enclosing.session_writes.extend(m["base"] for m in _SESSION_WRITE.finditer(code))
    return LexModule(lines, functions, depends, decorator_uses)
