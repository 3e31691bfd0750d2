"""Strict phase: remove the settings that read the legacy client secret, once nothing uses them.

A setting is `NAME = <expression naming the secret's environment variable>` at module or class
level (`AUTH0_CLIENT_SECRET = os.environ.get("AUTH0_CLIENT_SECRET", "")`). It goes, with the
comment lines above it, only when NAME appears nowhere else in the project; otherwise it stays
and the plan says where it is still used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider


@dataclass(frozen=True)
class SecretSetting:
    path: str
    line: int
    name: str  # the setting; equal to the variable name when the code reads it directly
    removable: bool
    reason: str  # why it stays, when it does


def find_secret_settings(files: Mapping[str, bytes], env_name: str) -> tuple[SecretSetting, ...]:
    """Every place in `files` (relative path -> bytes) that names the variable `env_name`."""
    needle = env_name.encode()
    found: list[SecretSetting] = []
    for path, data in sorted(files.items()):
        if needle not in data:
            continue
        try:
            wrapper = MetadataWrapper(cst.parse_module(data))
        except cst.ParserSyntaxError:
            continue
        finder = _SettingFinder(env_name)
        wrapper.visit(finder)
        positions = wrapper.resolve(PositionProvider)
        settings_lines: set[int] = set()
        for statement, name in finder.settings:
            line = positions[statement].start.line
            settings_lines.add(line)
            text = wrapper.module.code_for_node(statement).encode()
            users = _users(files, path, name, data.replace(text, b"", 1))
            reason = f"{name} is still used in {', '.join(users)}" if users else ""
            found.append(SecretSetting(path, line, name, not users, reason))
        for node in finder.other:
            line = positions[node].start.line
            if line not in settings_lines:
                found.append(
                    SecretSetting(path, line, env_name, False, f"{path}:{line} names {env_name}")
                )
    return tuple(found)


def remove_secret_settings(source: bytes, names: set[str]) -> bytes:
    """`source` without the module- or class-level settings `names` (found removable)."""
    module = cst.parse_module(source)
    return module.visit(_Remover(names)).bytes


def _users(files: Mapping[str, bytes], own_path: str, name: str, own: bytes) -> list[str]:
    """Files naming `name`; `own` is the setting's file without the setting."""
    word = re.compile(rb"(?<![A-Za-z0-9_])" + re.escape(name.encode()) + rb"(?![A-Za-z0-9_])")
    return [
        path
        for path, data in sorted(files.items())
        if word.search(own if path == own_path else data)
    ]


class _SettingFinder(cst.CSTVisitor):
    def __init__(self, env_name: str) -> None:
        self.env_name = env_name
        self.depth = 0  # function nesting: only module and class level count as settings
        self.settings: list[tuple[cst.SimpleStatementLine, str]] = []
        self.other: list[cst.CSTNode] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.depth -= 1

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        name = _setting_name(node)
        if self.depth == 0 and name and _names_variable(node, self.env_name):
            self.settings.append((node, name))
            return False
        return True

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if _evaluated(node) == self.env_name:
            self.other.append(node)


class _Remover(cst.CSTTransformer):
    def __init__(self, names: set[str]) -> None:
        self.names = names
        self.depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self.depth -= 1
        return updated_node

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        if self.depth == 0 and _setting_name(original_node) in self.names:
            return cst.RemoveFromParent()
        return updated_node


def _setting_name(node: cst.SimpleStatementLine) -> str:
    if len(node.body) != 1:
        return ""
    small = node.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        target = small.target
    else:
        return ""
    return target.value if isinstance(target, cst.Name) else ""


def _names_variable(node: cst.CSTNode, env_name: str) -> bool:
    strings: list[cst.SimpleString] = []

    class _Strings(cst.CSTVisitor):
        def visit_SimpleString(self, string: cst.SimpleString) -> None:
            strings.append(string)

    node.visit(_Strings())
    return any(_evaluated(s) == env_name for s in strings)


def _evaluated(node: cst.SimpleString) -> object:
    try:
        return node.evaluated_value
    except Exception:  # an odd literal is not the variable name
        return None
