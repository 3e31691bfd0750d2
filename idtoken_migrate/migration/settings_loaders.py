"""How the app loads its settings, and whether the verifier (which reads `os.environ` only)
sees what the app's `.env` holds.

`load_dotenv()`, environs' `Env.read_env()` and django-environ's `read_env()` export `.env` into
`os.environ`; `dotenv_values()`, the old `dotenv` package's `Dotenv(path)`, pydantic-settings'
`env_file=` and python-decouple's `config()` read it into a dict or a settings object and export
nothing. When the app has only the second kind, a kill switch or legacy secret written to `.env`
never reaches the verifier: `init` writes the file such a loader reads (a literal argument, or
the default `.env`) as `verifier.env_file`, which the verifier then reads too; where the path is
not literal, the plan says so, with the line that loads it and where to set the variables
instead. Text only (the path from the loader's syntax tree): the app is never imported.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

# (kind, pattern, exports to os.environ, what it reads into)
_LOADERS: tuple[tuple[str, re.Pattern[bytes], bool, str], ...] = (
    ("load_dotenv", re.compile(rb"\bload_dotenv\s*\("), True, ""),
    ("read_env", re.compile(rb"\bread_env\s*\("), True, ""),
    ("dotenv_values", re.compile(rb"\bdotenv_values\s*\("), False, "a dict"),
    ("Dotenv", re.compile(rb"\bDotenv\s*\("), False, "a dict (the old `dotenv` package)"),
    (
        "pydantic-settings env_file",
        re.compile(rb"\benv_file\s*[=:]"),
        False,
        "its settings object (pydantic-settings `env_file`)",
    ),
    (
        "python-decouple",
        re.compile(rb"^\s*(?:from\s+decouple\s+import|import\s+decouple\b)", re.M),
        False,
        "python-decouple's `config()`",
    ),
)


@dataclass(frozen=True)
class SettingsLoader:
    path: str
    line: int
    kind: str
    exports: bool
    into: str
    # The file it reads: relative to the project root, `~/...` or absolute; None when the
    # argument is no literal path (or the loader exports, and so needs none).
    env_file: str | None = None

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"


def settings_loaders(files: Mapping[str, bytes], root: Path | None = None) -> list[SettingsLoader]:
    """Each place the app loads `.env` (or decouple's settings), sorted by file and line, with
    the file it reads where the code says so. `root`: the project, to find the `.env` a loader
    without a path finds (python-dotenv and decouple search from the calling file upward)."""
    out = []
    for path, data in sorted(files.items()):
        if b"idtoken-migrate" in data[:200] and b"Do not edit by hand" in data[:400]:
            continue  # the generated verifier
        found = []
        for kind, pattern, exports, into in _LOADERS:
            for match in pattern.finditer(data):
                line = data.count(b"\n", 0, match.start()) + 1
                if _commented(data, match.start()):
                    continue
                found.append(SettingsLoader(path, line, kind, exports, into))
        if any(not loader.exports for loader in found):
            calls = _loader_calls(path, data, root)
            if calls is not None:  # parsed: a name in a docstring or a string loads nothing
                found = [
                    replace(f, env_file=calls.get((f.kind, f.line)))
                    for f in found
                    if f.exports or (f.kind, f.line) in calls
                ]
        out += found
    return sorted(out, key=lambda loader: (loader.path, loader.line))


def app_env_file(loaders: Sequence[SettingsLoader]) -> SettingsLoader | None:
    """The loader whose file the verifier should read too: the app reads `.env` only into
    dicts, each from one literal path. None when something exports it, or the path is unknown."""
    if not loaders or any(loader.exports for loader in loaders):
        return None
    paths = {loader.env_file for loader in loaders}
    return loaders[0] if len(paths) == 1 and None not in paths else None


# --- the path a loader reads (its syntax tree) ---------------------------------------------------

_PATH_CALLS = {"dotenv_values": "dotenv_path", "Dotenv": "file_path"}


def _loader_calls(
    path: str, data: bytes, root: Path | None
) -> dict[tuple[str, int], str | None] | None:
    """(kind, line) of each non-exporting loader of this module -> the file it reads (None: no
    literal path). None when the module does not parse."""
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return None
    folder = posixpath.dirname(path)
    paths = _Paths(path, tree)
    out: dict[tuple[str, int], str | None] = {}
    decouple_lines: list[int] = []
    repositories: list[str | None] = []  # decouple's Config(RepositoryEnv(path)); AutoConfig
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _called(node.func)
            if name in ("RepositoryEnv", "AutoConfig"):
                arg = _argument(node, "source") if name == "RepositoryEnv" else None
                repositories.append(paths.file(arg) if arg else None)
            elif name in _PATH_CALLS and node.func.end_lineno:
                arg = _argument(node, _PATH_CALLS[name])
                streamed = arg is None and any(k.arg == "stream" for k in node.keywords)
                where = paths.file(arg) if arg else _searched(folder, root)
                out[name, node.func.end_lineno] = None if streamed else where
            for keyword in node.keywords:
                if keyword.arg == "env_file":
                    where = paths.file(keyword.value)
                    out["pydantic-settings env_file", keyword.lineno] = where
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.Assign):
                    targets: list[ast.expr] = item.targets
                elif isinstance(item, ast.AnnAssign) and item.value is not None:
                    targets = [item.target]
                else:
                    continue
                if [getattr(t, "id", None) for t in targets] == ["env_file"]:
                    where = paths.file(item.value)  # type: ignore[arg-type]
                    out["pydantic-settings env_file", item.lineno] = where
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if "decouple" in names + [alias.name for alias in node.names]:
                decouple_lines.append(node.lineno)
    if len(set(repositories)) > 1 or None in repositories:
        where = None  # several files, or one found by a search path: no one literal
    else:
        where = repositories[0] if repositories else _searched(folder, root, decouple=True)
    for line in decouple_lines:
        out["python-decouple", line] = where
    return out


def _called(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _argument(call: ast.Call, keyword: str) -> ast.expr | None:
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


class _Paths:
    """The file a path expression of one module names, relative to the project root (the
    working directory taken as the root), `~/...` or absolute; None for anything it cannot
    tell: "x", os.path.expanduser("~/x"), os.getcwd(), __file__, os.path.dirname(p) and
    p.parent, os.path.join(p, "x", ...), p / "x", abspath() / realpath() / Path() / .resolve()
    around any of them, and module-level names bound once to one of them (BASE_DIR)."""

    def __init__(self, module: str, tree: ast.Module) -> None:
        self.module = module
        seen: dict[str, list[ast.expr]] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    seen.setdefault(target.id, []).append(node.value)
        self.bindings = {name: values[0] for name, values in seen.items() if len(values) == 1}

    def file(self, node: ast.expr) -> str | None:
        path = self.path(node, 0)
        if path is None or path in (".", "..", self.module) or path.endswith("/.."):
            return None  # a folder, or the module itself: no env file
        return path

    def path(self, node: ast.expr, depth: int) -> str | None:
        if depth > 8:
            return None
        node = _unwrapped(node)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
            text = node.value.strip()
            if text.startswith("~"):
                return None  # dotenv opens it as written: a folder named ~
            return text if text.startswith("/") else posixpath.normpath(text)
        if isinstance(node, ast.Name):
            if node.id == "__file__":
                return self.module
            bound = self.bindings.get(node.id)
            return self.path(bound, depth + 1) if bound is not None else None
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            return self._parent(self.path(node.value, depth + 1))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            return self._joined(node.left, [node.right], depth)
        if not isinstance(node, ast.Call):
            return None
        name = _called(node.func)
        if name == "expanduser" and len(node.args) == 1:
            text = _constant(node.args[0])
            return text if text and text.startswith("~/") else None
        if name == "getcwd" and not node.args:
            return "."
        if name == "dirname" and len(node.args) == 1:
            return self._parent(self.path(node.args[0], depth + 1))
        if name in ("join", "Path") and len(node.args) >= 2:
            return self._joined(node.args[0], node.args[1:], depth)
        return None

    def _joined(self, base: ast.expr, parts: list[ast.expr], depth: int) -> str | None:
        names = [_constant(part) for part in parts]
        start = self.path(base, depth + 1)
        if start is None or not all(names):
            return None
        joined = posixpath.join(start, *names)  # type: ignore[arg-type]
        return joined if joined.startswith("~/") else posixpath.normpath(joined)

    @staticmethod
    def _parent(path: str | None) -> str | None:
        return None if path is None else posixpath.normpath(posixpath.join(path, ".."))


def _constant(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


_WRAPPERS = ("abspath", "realpath", "normpath", "resolve", "Path", "str")


def _unwrapped(node: ast.expr) -> ast.expr:
    """`node` without the abspath() / realpath() / Path() / .resolve() around it."""
    while (
        isinstance(node, ast.Call)
        and _called(node.func) in _WRAPPERS
        and len(node.args) <= 1
        and not node.keywords
    ):
        inner = node.args[0] if node.args else getattr(node.func, "value", None)
        if inner is None:
            break
        node = inner
    return node


def _searched(folder: str, root: Path | None, *, decouple: bool = False) -> str | None:
    """The `.env` found from the module's folder up to the project root (as `find_dotenv()` and
    decouple look for it; `.env.example` counts, the real file being rarely committed); the
    root's when there is none. decouple prefers settings.ini, which is no .env file: None."""
    parts = [p for p in folder.split("/") if p]
    for depth in range(len(parts), -1, -1):
        here = "/".join(parts[:depth])
        if root is not None and decouple and (root / here / "settings.ini").is_file():
            return None
        for name in (".env", ".env.example"):
            if root is not None and (root / here / name).is_file():
                return posixpath.join(here, ".env") if here else ".env"
    return ".env"


def _commented(data: bytes, offset: int) -> bool:
    start = data.rfind(b"\n", 0, offset) + 1
    return data[start:offset].lstrip().startswith(b"#")


def unexported_env_note(
    loaders: Sequence[SettingsLoader],
    names: Sequence[str],
    where: str,
    env_file: str | None = None,
) -> str | None:
    """What the plan says when the app reads `.env` without exporting it (and nothing else
    exports it): the loader's line, the variables, where to set them; with `verifier.env_file`
    (the verifier reads that file too), only when the app reads another file. None otherwise."""
    if not names or not loaders or any(loader.exports for loader in loaders):
        return None
    if env_file:
        other = next((x for x in loaders if x.env_file and x.env_file != env_file), None)
        if other is None:
            return None
        return (
            f"{other.location}: the app reads {other.env_file}, but verifier.env_file is "
            f"{env_file}: the verifier does not see what the app reads there"
        )
    first = loaders[0]
    variables = ", ".join(f"`{name}`" for name in names)
    note = (
        f"{first.location}: the app reads .env into {first.into}, not os.environ; the verifier "
        f"reads {variables} from os.environ only, so a value in .env never reaches it: set "
        f"{'them' if len(names) > 1 else 'it'} {where}"
    )
    app = app_env_file(loaders)
    if app is not None:
        note += (
            f"; or set verifier.env_file: {app.env_file} (the file {app.location} reads) and the "
            "verifier reads them from it too"
        )
    return note
