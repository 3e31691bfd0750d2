"""Which environment variable a setting at a verification site comes from, for `init`
(`issuer_env`, `access_token.audience_env`, `legacy_id_token.client_ids_env`).

The variable, not the Python name it is bound to: `os.environ.get("COGNITO_ISSUER", ...)` read
at the site or in the assignment of the name the site uses, or a pydantic-settings field
(`class Settings(BaseSettings): cognito_app_client_id: str = "..."` read as
`settings.cognito_app_client_id` is `COGNITO_APP_CLIENT_ID`, with the class's `env_prefix` and a
field's `alias` / `validation_alias` / `env`). Text and `ast` only: nothing is imported or run.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

_TRAILING_NAME = re.compile(r"\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")
_SKIPPED_DIRS = frozenset(
    {".git", ".venv", "venv", "env", "node_modules", "site-packages", "__pycache__", "build"}
)
_MAX_FILES = 2000
_MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class EnvSource:
    """The variable a setting is read from, and the default the code gives when it is unset."""

    name: str
    default: str | None = None  # a plain string default, when the code has one
    via: str = ""  # how it was found, for the comment init writes


def traced_env(
    root: Path, site_path: str, expr: str, settings: SettingsClasses
) -> EnvSource | None:
    """The variable the value `expr` at a site in `site_path` is read from: at the site, in the
    module-level assignment of the name it uses (`config.COGNITO_ISSUER` with `config.py` beside
    the site or at the root), or a pydantic-settings field."""
    node = _parse_expr(expr)
    if node is None:
        return None
    site = root / site_path
    direct = _env_read(node, _assignments(site))
    if direct is not None:
        return direct
    name, files = None, [site]
    if isinstance(node, ast.Name):
        name = node.id
    elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        module = node.value.id
        name = node.attr
        files = [site.parent / f"{module}.py", root / f"{module}.py"]
        files += [site.parent / module / "__init__.py", root / module / "__init__.py"]
    if name is not None:
        for file in files:
            assignments = _assignments(file)
            if name in assignments:
                found = _env_read(assignments[name], assignments)
                if found is not None:
                    return EnvSource(found.name, found.default, f"{name} in {file.name}")
                break
    return settings.field(expr)


def _parse_expr(expr: str) -> ast.expr | None:
    if not expr.strip():
        return None
    try:
        return ast.parse(expr.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _assignments(path: Path) -> dict[str, ast.expr]:
    """Module-level `NAME = value` (the last one wins, as at import)."""
    try:
        data = path.read_bytes()[:_MAX_BYTES]
        tree = ast.parse(data.decode("utf-8", errors="replace"))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    out: dict[str, ast.expr] = {}
    for item in tree.body:
        if isinstance(item, ast.Assign) and len(item.targets) == 1:
            target, value = item.targets[0], item.value
        elif isinstance(item, ast.AnnAssign) and item.value is not None:
            target, value = item.target, item.value
        else:
            continue
        if isinstance(target, ast.Name):
            out[target.id] = value
    return out


def _env_read(node: ast.expr, assignments: dict[str, ast.expr]) -> EnvSource | None:
    if isinstance(node, ast.Subscript) and _is_environ(node.value):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return _source(key.value, None, "os.environ")
        return None
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    reads = (
        isinstance(func, ast.Attribute) and func.attr == "get" and _is_environ(func.value)
    ) or (_dotted(func) in ("os.getenv", "getenv"))
    first = node.args[0]
    if not reads or not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    default = node.args[1] if len(node.args) > 1 else None
    default = next((k.value for k in node.keywords if k.arg == "default"), default)
    text = _static_text(default, assignments) if default is not None else None
    return _source(first.value, text, "os.environ")


def _static_text(node: ast.expr, assignments: dict[str, ast.expr], depth: int = 0) -> str | None:
    """The text `node` always has when the variables it reads are unset: a literal, an f-string
    over module-level names bound to literals or to environment reads with such defaults."""
    if depth > 8:
        return None
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Name) and node.id in assignments:
        return _static_text(assignments[node.id], assignments, depth + 1)
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            inner = value.value if isinstance(value, ast.FormattedValue) else value
            if isinstance(value, ast.FormattedValue) and (
                value.format_spec or value.conversion > 0
            ):
                return None
            text = _static_text(inner, assignments, depth + 1)
            if text is None:
                return None
            parts.append(text)
        return "".join(parts)
    found = _env_read(node, assignments) if depth < 8 else None
    return found.default if found is not None else None


def _is_environ(node: ast.expr) -> bool:
    return _dotted(node) in ("os.environ", "environ")


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def _source(name: str, default: str | None, via: str) -> EnvSource | None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        return None
    return EnvSource(name, default, via)


class SettingsClasses:
    """The pydantic-settings (`BaseSettings`) fields of a project, by field name."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._fields: dict[str, list[EnvSource]] | None = None

    def field(self, expr: str) -> EnvSource | None:
        """The variable behind `expr` when it ends in `.name` and exactly one settings class of
        the project defines a field `name` (else None: ambiguous or not a settings field)."""
        found = _TRAILING_NAME.search(expr)
        if not found:
            return None
        sources = self._all().get(found.group(1), [])
        names = {s.name for s in sources}
        return sources[0] if len(names) == 1 else None

    def _all(self) -> dict[str, list[EnvSource]]:
        if self._fields is None:
            self._fields = {}
            for path in self._files():
                try:
                    data = path.read_bytes()[:_MAX_BYTES]
                except OSError:
                    continue
                if b"BaseSettings" not in data:
                    continue
                try:
                    tree = ast.parse(data.decode("utf-8", errors="replace"))
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    continue
                for node in ast.walk(tree):
                    if isinstance(node, ast.ClassDef) and _is_settings_class(node):
                        for field, source in _class_fields(node, path.name):
                            self._fields.setdefault(field, []).append(source)
        return self._fields

    def _files(self) -> list[Path]:
        out: list[Path] = []
        pending = [self.root]
        while pending and len(out) < _MAX_FILES:
            folder = pending.pop()
            try:
                entries = sorted(folder.iterdir())
            except OSError:
                continue
            for entry in entries:
                if entry.is_symlink():
                    continue
                if entry.is_dir():
                    if entry.name not in _SKIPPED_DIRS and not entry.name.startswith("."):
                        pending.append(entry)
                elif entry.suffix == ".py":
                    out.append(entry)
        return out


def _is_settings_class(node: ast.ClassDef) -> bool:
    for base in node.bases:
        name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
        if name == "BaseSettings":
            return True
    return False


def _class_fields(node: ast.ClassDef, filename: str) -> list[tuple[str, EnvSource]]:
    prefix, case_sensitive = _env_prefix(node)
    out = []
    for item in node.body:
        if not (isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)):
            continue
        field = item.target.id
        if field.startswith("_") or field == "model_config":
            continue
        alias, default = _field_options(item.value)
        name = alias or prefix + field
        if not case_sensitive:
            name = name.upper()
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            continue
        via = f"{node.name}.{field} in {filename} (pydantic-settings)"
        out.append((field, EnvSource(name, default, via)))
    return out


def _env_prefix(node: ast.ClassDef) -> tuple[str, bool]:
    """`env_prefix` and `case_sensitive` from `model_config = SettingsConfigDict(...)` or a
    pydantic v1 style inner `class Config`."""
    options: dict[str, object] = {}
    for item in node.body:
        targets = item.targets if isinstance(item, ast.Assign) else []
        if isinstance(item, ast.AnnAssign):
            targets = [item.target]
        if any(isinstance(t, ast.Name) and t.id == "model_config" for t in targets):
            options.update(_call_options(getattr(item, "value", None)))
        elif isinstance(item, ast.ClassDef) and item.name == "Config":
            for inner in item.body:
                if isinstance(inner, ast.Assign) and isinstance(inner.value, ast.Constant):
                    for target in inner.targets:
                        if isinstance(target, ast.Name):
                            options[target.id] = inner.value.value
    prefix = options.get("env_prefix")
    return (prefix if isinstance(prefix, str) else ""), options.get("case_sensitive") is True


def _call_options(value: ast.expr | None) -> dict[str, object]:
    if isinstance(value, ast.Call):
        pairs = ((k.arg, k.value) for k in value.keywords if k.arg)
        return {k: v.value for k, v in pairs if isinstance(v, ast.Constant)}
    if isinstance(value, ast.Dict):
        return {
            k.value: v.value
            for k, v in zip(value.keys, value.values, strict=True)
            if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)
        }
    return {}


def _field_options(value: ast.expr | None) -> tuple[str | None, str | None]:
    """(the variable a `Field(...)` names, the string default) of a field's value."""
    if isinstance(value, ast.Constant):
        return None, value.value if isinstance(value.value, str) else None
    if not (isinstance(value, ast.Call) and _dotted(value.func).endswith("Field")):
        return None, None
    options = _call_options(value)
    aliases = (options.get(k) for k in ("validation_alias", "alias", "env"))
    alias = next((a for a in aliases if isinstance(a, str)), None)
    default = options.get("default")
    if default is None and value.args and isinstance(value.args[0], ast.Constant):
        default = value.args[0].value
    return alias, default if isinstance(default, str) else None
