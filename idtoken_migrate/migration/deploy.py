"""Deployment descriptors: what ships, and on which Python.

A Serverless Framework service lists the files its functions ship (`package.include` /
`patterns`, per function with `individually`), AWS SAM ships each function's `CodeUri`, Chalice
ships `app.py` and `chalicelib/`, Zappa skips its `exclude` globs, a Dockerfile copies what its
`COPY` lines name. And each picks a Python: `runtime: python3.6`, `Runtime: python3.7`,
`FROM python:3.6-slim`, `runtime: python27` (App Engine). The generated verifier module must ship
next to the code that imports it, on a Python its library supports.

`deployment_findings(root, verifier, sites, floor)` reads them (text and YAML nodes only; tags
such as `!Ref` are never constructed) and returns what the plan says: a refusal for a runtime
older than the floor (with the exact change), the Serverless lists the verifier is added to, and
what must be changed by hand. `ship_verifier()` makes the Serverless edit, leaving every byte of
the YAML outside the inserted list item as it was.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

SERVERLESS_FILES = ("serverless.yml", "serverless.yaml")
SAM_FILES = ("template.yaml", "template.yml")
ZAPPA_FILE = "zappa_settings.json"
CHALICE_CONFIG = ".chalice/config.json"
APP_ENGINE = "app.yaml"
_SKIPPED_DIRS = frozenset({".git", ".venv", "venv", "env", "node_modules", "__pycache__", ".tox"})
_PYTHON_RUNTIME = re.compile(r"^python(\d)\.(\d+)$")
_APP_ENGINE_RUNTIME = re.compile(r"^\s*runtime\s*:\s*['\"]?python(\d)(\d*)['\"]?\s*(?:#.*)?$", re.M)
_FROM = re.compile(
    r"^\s*FROM\s+(?:--platform=\S+\s+)?(?P<image>\S+)(?:\s+AS\s+\S+)?\s*$", re.I | re.M
)
_IMAGE_PYTHON = re.compile(r"python:?(?P<major>\d)\.(?P<minor>\d+)", re.I)
_COPY = re.compile(r"^\s*(?:COPY|ADD)\s+(?P<args>.+?)\s*$", re.I | re.M)


@dataclass(frozen=True)
class ListEdit:
    """Add the verifier to one Serverless package list."""

    path: str  # the descriptor, relative to the project root
    key: str  # `functions.authorizer.package.patterns`
    entry: str  # what is added: the verifier's path relative to the service folder


@dataclass(frozen=True)
class DeployFindings:
    refusal: str | None = None
    edits: tuple[ListEdit, ...] = ()
    manual: tuple[str, ...] = ()  # "path:line: what to change"
    descriptors: tuple[str, ...] = field(default=())  # the descriptors read


def _floor_text(floor: tuple[int, int]) -> str:
    return f"{floor[0]}.{floor[1]}"


def descriptor_files(root: Path) -> list[str]:
    """Every deployment descriptor of the project, relative, sorted."""
    names = {*SERVERLESS_FILES, *SAM_FILES, ZAPPA_FILE, APP_ENGINE}
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and d != ".git")
        rel = Path(folder).relative_to(root).as_posix()
        for name in files:
            relpath = name if rel == "." else f"{rel}/{name}"
            docker = name == "Dockerfile" or name.startswith("Dockerfile.")
            if name in names or docker or relpath.endswith(CHALICE_CONFIG):
                found.append(relpath)
    return sorted(found)


def deployment_findings(
    root: Path, verifier: str, sites: Sequence[str], floor: tuple[int, int]
) -> DeployFindings:
    """What the deployment descriptors of `root` need for the verifier at `verifier` imported
    by the files `sites` (all relative to root), on Python >= `floor`."""
    refusals: list[str] = []
    edits: list[ListEdit] = []
    manual: list[str] = []
    files = descriptor_files(root)
    for path in files:
        text = _read(root / path)
        if text is None:
            continue
        name = PurePosixPath(path).name
        if name in SERVERLESS_FILES:
            refusals += _serverless_runtimes(path, text, floor)
            edits += _serverless_lists(root, path, text, verifier, sites)
        elif name in SAM_FILES:
            refusals += _sam_runtimes(path, text, floor)
            manual += _sam_code_uri(path, text, verifier, sites)
        elif name == ZAPPA_FILE:
            refusals += _zappa(path, text, verifier, floor, manual)
        elif path.endswith(CHALICE_CONFIG):
            manual += _chalice(path, verifier)
        elif name == APP_ENGINE:
            refusals += _app_engine(path, text, floor)
        else:
            refusals += _docker_python(path, text, floor)
            manual += _docker_copies(path, text, verifier, sites)
    return DeployFindings(
        refusals[0] if refusals else None, tuple(edits), tuple(manual), tuple(files)
    )


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError:
        return None


def _too_old(major: int, minor: int, floor: tuple[int, int]) -> bool:
    return (major, minor) < floor


def _refusal(where: str, found: str, change: str, floor: tuple[int, int]) -> str:
    return (
        f"{where}: {found} cannot run the generated verifier (PyJWT >= 2.13 needs Python >= "
        f"{_floor_text(floor)}); change it to {change} first"
    )


# --- YAML nodes (never constructed: CloudFormation tags stay tags) ------------------------


def _compose(text: str) -> object | None:
    import yaml

    try:
        return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None


def _get(node: object, key: str) -> object | None:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value
    return None


def _items(node: object) -> list[tuple[str, object]]:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return []
    return [(k.value, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]


def _scalar(node: object) -> str | None:
    import yaml

    return node.value if isinstance(node, yaml.ScalarNode) else None


def _line(node: object) -> int:
    return int(node.start_mark.line) + 1  # type: ignore[attr-defined]


def _runtime_refusal(path: str, node: object, key: str, floor: tuple[int, int]) -> list[str]:
    value = _scalar(node)
    match = _PYTHON_RUNTIME.match(value or "")
    if match is None or not _too_old(int(match[1]), int(match[2]), floor):
        return []
    change = f"`{key}: python{_floor_text(floor)}` (or newer)"
    return [_refusal(f"{path}:{_line(node)}", f"`{key}: {value}`", change, floor)]


# --- Serverless Framework -----------------------------------------------------------------


def _serverless_runtimes(path: str, text: str, floor: tuple[int, int]) -> list[str]:
    doc = _compose(text)
    out = _runtime_refusal(path, _get(_get(doc, "provider"), "runtime"), "runtime", floor)
    for _name, function in _items(_get(doc, "functions")):
        out += _runtime_refusal(path, _get(function, "runtime"), "runtime", floor)
    return out


def _glob(pattern: str) -> re.Pattern[str]:
    """A Serverless (minimatch-style) glob as a regex over '/'-separated paths."""
    pattern = pattern.removeprefix("./")
    out = ""
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out += "(?:.*/)?"
            index += 3
        elif pattern.startswith("**", index):
            out += ".*"
            index += 2
        elif pattern[index] == "*":
            out += "[^/]*"
            index += 1
        elif pattern[index] == "?":
            out += "[^/]"
            index += 1
        else:
            out += re.escape(pattern[index])
            index += 1
    return re.compile(out + "(?:/.*)?$")


def _package_lists(package: object) -> list[tuple[str, object, bool]]:
    """(key, sequence node, include?) of a `package` mapping, in evaluation order."""
    import yaml

    out = []
    for key, include in (("exclude", False), ("include", True), ("patterns", True)):
        node = _get(package, key)
        if isinstance(node, yaml.SequenceNode):
            out.append((key, node, include))
    return out


def _shipped(relpath: str, lists: Iterable[tuple[str, object, bool]]) -> bool | None:
    """Whether `relpath` (relative to the service folder) ships; None when no list names it."""
    decided: bool | None = None
    for key, node, include in lists:
        for item in node.value:  # type: ignore[attr-defined]
            glob = _scalar(item)
            if not glob:
                continue
            negated = glob.startswith("!")
            if _glob(glob.lstrip("!")).match(relpath):
                decided = (not negated) if key == "patterns" else include
    return decided


def _serverless_lists(
    root: Path, path: str, text: str, verifier: str, sites: Sequence[str]
) -> list[ListEdit]:
    """The package lists that ship a site's file but leave the verifier out. A function's lists
    add to the service's (`individually`); the verifier goes to the innermost one."""
    service = PurePosixPath(path).parent.as_posix()
    prefix = "" if service == "." else service + "/"
    if not verifier.startswith(prefix):
        return []
    entry = verifier[len(prefix) :]
    local_sites = [s[len(prefix) :] for s in sites if s.startswith(prefix)]
    doc = _compose(text)
    service_file, service_key, package = _package(root, path, _get(doc, "package"))
    service_lists = _package_lists(package)
    scopes = [(service_file, service_key, service_lists, service_lists)]
    for name, function in _items(_get(doc, "functions")):
        own = _package_lists(_get(function, "package"))
        where = f"functions.{name}.package."
        scopes.append((path, where, own, service_lists + own))
    out: list[ListEdit] = []
    for file, where, own, combined in scopes:
        if not any(_shipped(site, combined) for site in local_sites):
            continue
        if _shipped(entry, combined) is not False:
            continue
        if not own:
            file, where, own = service_file, service_key, service_lists
        key = "patterns" if any(k == "patterns" for k, _n, _i in own) else "include"
        edit = ListEdit(file, f"{where}{key}", entry)
        if edit not in out:
            out.append(edit)
    return out


_FILE_VARIABLE = re.compile(r"^\$\{file\((?P<path>[^)]+)\)\}$")


def _package(root: Path, path: str, node: object) -> tuple[str, str, object]:
    """(file, key prefix, node) of a service's `package`, following `${file(resources/x.yml)}`
    to the file that holds it (inside the project only)."""
    match = _FILE_VARIABLE.match(_scalar(node) or "")
    if match is None:
        return path, "package.", node
    included = (PurePosixPath(path).parent / match["path"].strip()).as_posix()
    target = (root / included).resolve()
    if root.resolve() not in target.parents or not target.is_file():
        return path, "package.", None
    text = _read(target)
    return included, "", _compose(text) if text is not None else None


def ship_verifier(text: str, edit: ListEdit) -> str:
    """`text` with `edit.entry` added to the list at `edit.key`, after its last item, in the
    list's own style (block `- item` lines or a flow `[a, b]`); the same text when it is
    already there. Nothing else in the file changes."""
    import yaml

    node = _compose(text)
    for part in edit.key.split("."):
        node = _get(node, part)
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        return text
    if any(_scalar(item) == edit.entry for item in node.value):
        return text
    last = node.value[-1]
    if node.flow_style:
        offset = last.end_mark.index
        return text[:offset] + f", {edit.entry}" + text[offset:]
    line_start = text.rfind("\n", 0, last.start_mark.index) + 1
    lead = text[line_start : last.start_mark.index]  # "    - " (the dash and its indent)
    end = text.find("\n", last.end_mark.index)
    newline = "\r\n" if text[max(end - 1, 0) : end + 1] == "\r\n" else "\n"
    quote = text[last.start_mark.index] if text[last.start_mark.index] in "'\"" else ""
    if end < 0:
        return text + newline + f"{lead}{quote}{edit.entry}{quote}" + newline
    return text[: end + 1] + f"{lead}{quote}{edit.entry}{quote}" + newline + text[end + 1 :]


# --- AWS SAM / CloudFormation ---------------------------------------------------------------


def _sam_functions(doc: object) -> list[tuple[str, object]]:
    return [
        (name, _get(resource, "Properties"))
        for name, resource in _items(_get(doc, "Resources"))
        if _scalar(_get(resource, "Type")) in ("AWS::Serverless::Function", "AWS::Lambda::Function")
    ]


def _sam_runtimes(path: str, text: str, floor: tuple[int, int]) -> list[str]:
    doc = _compose(text)
    out = _runtime_refusal(
        path, _get(_get(_get(doc, "Globals"), "Function"), "Runtime"), "Runtime", floor
    )
    for _name, properties in _sam_functions(doc):
        out += _runtime_refusal(path, _get(properties, "Runtime"), "Runtime", floor)
    return out


def _sam_code_uri(path: str, text: str, verifier: str, sites: Sequence[str]) -> list[str]:
    """A function whose CodeUri ships a site's file but not the verifier."""
    doc = _compose(text)
    base = PurePosixPath(path).parent
    default = _scalar(_get(_get(_get(doc, "Globals"), "Function"), "CodeUri"))
    out = []
    for name, properties in _sam_functions(doc):
        node = _get(properties, "CodeUri") or _get(properties, "Code")
        uri = _scalar(node) if node is not None else default
        if not uri or "://" in uri:
            continue
        folder = (base / uri).as_posix().rstrip("/")
        folder = "" if folder == "." else folder + "/"
        if any(s.startswith(folder) for s in sites) and not verifier.startswith(folder):
            line = _line(node) if node is not None else 1
            out.append(
                f"{path}:{line}: {name} ships only {folder or './'} (CodeUri): put the "
                f"verifier there (`output.module: {folder}{PurePosixPath(verifier).name}`)"
            )
    return out


# --- Zappa, Chalice, App Engine, Docker -------------------------------------------------------


def _zappa(
    path: str, text: str, verifier: str, floor: tuple[int, int], manual: list[str]
) -> list[str]:
    try:
        stages = json.loads(text)
    except ValueError:
        return []
    if not isinstance(stages, dict):
        return []
    out = []
    for stage, settings in stages.items():
        if not isinstance(settings, dict):
            continue
        runtime = settings.get("runtime")
        match = _PYTHON_RUNTIME.match(runtime) if isinstance(runtime, str) else None
        if match and _too_old(int(match[1]), int(match[2]), floor):
            change = f'`"runtime": "python{_floor_text(floor)}"` (or newer)'
            out.append(_refusal(f"{path} ({stage})", f'`"runtime": "{runtime}"`', change, floor))
        excludes = settings.get("exclude", [])
        name = PurePosixPath(verifier).name
        for glob in excludes if isinstance(excludes, list) else []:
            if isinstance(glob, str) and (_glob(glob).match(verifier) or _glob(glob).match(name)):
                manual.append(
                    f"{path} ({stage}): `exclude` {glob!r} leaves the verifier ({verifier}) "
                    "out of the package; narrow it"
                )
    return out


def _chalice(path: str, verifier: str) -> list[str]:
    """Chalice deploys app.py and the chalicelib/ package only."""
    project = PurePosixPath(path).parent.parent.as_posix()
    prefix = "" if project == "." else project + "/"
    if verifier.startswith(prefix + "chalicelib/"):
        return []
    return [
        f"{path}: Chalice ships only app.py and chalicelib/: put the verifier there "
        f"(`output.module: {prefix}chalicelib/{PurePosixPath(verifier).name}`)"
    ]


def _app_engine(path: str, text: str, floor: tuple[int, int]) -> list[str]:
    match = _APP_ENGINE_RUNTIME.search(text)
    if match is None:
        return []
    major, minor = int(match[1]), int(match[2] or 0)
    if not _too_old(major, minor, floor):
        return []
    line = text.count("\n", 0, match.start()) + 1
    found = f"`runtime: python{match[1]}{match[2]}`"
    change = f"`runtime: python{floor[0]}{floor[1]}` (or newer)"
    return [_refusal(f"{path}:{line}", found, change, floor)]


def _docker_python(path: str, text: str, floor: tuple[int, int]) -> list[str]:
    """The final stage's Python, when its image names one."""
    stages = list(_FROM.finditer(text))
    if not stages:
        return []
    last = stages[-1]
    version = _IMAGE_PYTHON.search(last["image"])
    if version is None or not _too_old(int(version["major"]), int(version["minor"]), floor):
        return []
    line = text.count("\n", 0, last.start("image")) + 1
    image = last["image"]
    newer = image[: version.start()] + version[0].replace(
        f"{version['major']}.{version['minor']}", _floor_text(floor)
    )
    newer += image[version.end() :]
    return [_refusal(f"{path}:{line}", f"`FROM {image}`", f"`FROM {newer}` (or newer)", floor)]


def _docker_copies(path: str, text: str, verifier: str, sites: Sequence[str]) -> list[str]:
    """A COPY that names a site's file one by one, when no COPY ships the verifier."""
    base = PurePosixPath(path).parent.as_posix()
    prefix = "" if base == "." else base + "/"

    def shipped(relpath: str, sources: list[str]) -> bool:
        local = relpath[len(prefix) :] if relpath.startswith(prefix) else None
        return local is not None and any(
            s in (".", "./") or _glob(s.rstrip("/")).match(local) for s in sources
        )

    copies = []
    for match in _COPY.finditer(text):
        args = [a for a in match["args"].split() if not a.startswith("--")]
        if "--from=" in match["args"] or len(args) < 2 or args[0].startswith("["):
            continue
        copies.append((text.count("\n", 0, match.start()) + 1, args[:-1], args[-1]))
    if not copies or any(shipped(verifier, sources) for _l, sources, _d in copies):
        return []
    out = []
    for line, sources, dest in copies:
        if any(shipped(site, sources) for site in sites):
            local = verifier[len(prefix) :] if verifier.startswith(prefix) else verifier
            out.append(
                f"{path}:{line}: the image copies {' '.join(sources)} but not the verifier: "
                f"add `COPY {local} {dest.rstrip('/')}/`"
            )
    return out
