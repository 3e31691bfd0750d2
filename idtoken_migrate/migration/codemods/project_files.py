"""Text edits of the project's non-Python files: requirements, pyproject.toml, .env.example.

Each function takes the current text (None when the file does not exist) and returns the new
text, or the same text when nothing needs to change, so running twice changes nothing. Line
endings follow the file.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

PYJWT_REQUIREMENT = "pyjwt[crypto]>=2.13"
MINIMUM_PYJWT = (2, 13)
ENV_EXAMPLE = ".env.example"
_MARK = "# idtoken-migrate:"
# A PyJWT requirement: the name (PEP 503: only its case varies), then extras, a version
# operator, a marker, a comment, whitespace or the end; never `pyjwt-extensions` and the like.
_REQUIREMENT = re.compile(
    r"(?P<name>pyjwt)(?=[\s\[;#<>=!~]|$)(?P<extras>\[[^\]]*\])?\s*"
    r"(?P<spec>[^#;\n\r]*?)(?P<gap>\s*)(?P<rest>(;[^#\n\r]*)?(#.*)?)$",
    re.IGNORECASE,
)
_SPECIFIER = re.compile(r"\s*(?P<op>===|==|!=|<=|>=|~=|<|>)\s*(?P<version>[^\s,]+)\s*")
_RELEASE = re.compile(r"v?(\d+(?:\.\d+)*)")
_TABLE = re.compile(r"^\s*\[(?P<array>\[)?\s*(?P<name>[^\]]+?)\s*\]")
_KEY = re.compile(r"^\s*(?P<key>[A-Za-z0-9_.\"'-]+)\s*=\s*")


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _release(version: str) -> tuple[int, ...] | None:
    match = _RELEASE.match(version)
    return tuple(int(part) for part in match[1].split(".")) if match else None


def _specifiers(spec: str) -> list[tuple[str, str]] | None:
    """`>=2.8,<3` as [(op, version)]; None when it is not a version specifier list."""
    out = []
    for item in spec.split(","):
        if not item.strip() and spec.strip():
            return None
        if not item.strip():
            continue
        match = _SPECIFIER.fullmatch(item)
        if match is None:
            return None
        out.append((match["op"], match["version"]))
    return out


def _is_lower_bound(op: str, version: str) -> bool:
    """Whether `op version` excludes every PyJWT older than 2.13 (so 2.13+ is required)."""
    release = _release(version)
    if release is None or version.endswith(".*"):
        return False
    return op in (">=", ">", "==", "===", "~=") and release[:2] >= MINIMUM_PYJWT


def _admits_current(op: str, version: str) -> bool:
    """Whether the upper-bound-like `op version` still admits some PyJWT >= 2.13."""
    release = _release(version)
    if op == "!=":
        return True
    if release is None:
        return False
    if op == "<":
        return release > MINIMUM_PYJWT
    if op == "<=":
        return release >= MINIMUM_PYJWT
    if op == "==" and version.endswith(".*"):
        return release[:2] >= MINIMUM_PYJWT[: len(release)]
    return False


def requirement_is_current(extras: str, spec: str) -> bool:
    """`pyjwt[crypto]` with a lower bound of 2.13 or newer (any other is rewritten)."""
    specifiers = _specifiers(spec)
    return (
        "crypto" in extras.lower()
        and specifiers is not None
        and any(_is_lower_bound(op, version) for op, version in specifiers)
    )


def _raised(extras: str, spec: str) -> str:
    """The requirement with `crypto` among its extras and 2.13 as its lower bound; the upper
    bounds, exclusions and other extras it had stay (a bound that excludes 2.13 goes)."""
    names = [e.strip() for e in extras.strip("[]").split(",") if e.strip()]
    if "crypto" not in (name.lower() for name in names):
        names.insert(0, "crypto")
    specifiers = _specifiers(spec) or []
    lower = [f"{op}{v}" for op, v in specifiers if _is_lower_bound(op, v)]
    if not lower:  # ~=2.8 is >=2.8,==2.*: ~=2.13 raises the lower bound, keeps the upper one
        compatible = [_release(v) or () for op, v in specifiers if op == "~="]
        same_major = any(len(r) == 2 and r[0] == MINIMUM_PYJWT[0] for r in compatible)
        lower = ["~=2.13" if same_major else ">=2.13"]
    kept = [f"{op}{v}" for op, v in specifiers if _admits_current(op, v)]
    return f"pyjwt[{','.join(names)}]{','.join(lower + kept)}"


def _updated(requirement: str) -> str | None:
    """A PEP 508 requirement for PyJWT brought up to date (the same text when it is); None when
    it does not name PyJWT. A direct reference (`pyjwt @ URL`) is left as it is."""
    match = _REQUIREMENT.match(requirement)
    if match is None:
        return None
    spec = match["spec"]
    if spec.lstrip().startswith("@") or _specifiers(spec) is None:
        return requirement
    if requirement_is_current(match["extras"] or "", spec):
        return requirement
    gap = match["gap"] if match["rest"] else ""
    return _raised(match["extras"] or "", spec) + gap + (match["rest"] or "")


def update_requirements(text: str, *, add_missing: bool = True) -> str:
    """requirements.txt with PyJWT at `pyjwt[crypto]>=2.13` (added when missing, unless
    `add_missing` is false: another requirements file); upper bounds, markers and comments
    stay."""
    newline = newline_of(text)
    lines = text.splitlines(keepends=True)
    found = False
    for index, line in enumerate(lines):
        body = line.rstrip("\r\n")
        indent = body[: len(body) - len(body.lstrip())]
        updated = _updated(body.lstrip())
        if updated is None:
            continue
        found = True
        lines[index] = indent + updated + line[len(body) :]
    if not found and add_missing:
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += newline
        lines.append(PYJWT_REQUIREMENT + newline)
    return "".join(lines)


def update_pyproject(text: str) -> str | None:
    """pyproject.toml with its PyJWT dependency brought up to date; None when no dependency
    array names PyJWT. Only `[project] dependencies` and `optional-dependencies` are read:
    strings elsewhere (a description, a tool's settings) are never touched."""
    found = False
    out: list[str] = []
    position = 0
    for start, end in _dependency_arrays(text):
        for string_start, string_end in _strings(text, start, end):
            inner = text[string_start + 1 : string_end - 1]
            updated = _updated(inner)
            if updated is None:
                continue
            found = True
            out.append(text[position : string_start + 1] + updated)
            position = string_end - 1
    if not found:
        return None
    return "".join(out) + text[position:]


def dependency_strings(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the string literals (quotes included) in pyproject.toml's
    `[project]` dependency arrays."""
    return [span for start, end in _dependency_arrays(text) for span in _strings(text, start, end)]


def _dependency_arrays(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the values holding `[project]` dependencies."""
    spans = []
    table = ""
    offset = 0
    lines = text.splitlines(keepends=True)
    skip_to = 0
    for line in lines:
        line_start = offset
        offset += len(line)
        if line_start < skip_to:
            continue
        header = _TABLE.match(line)
        if header:
            table = ("[[" if header["array"] else "") + _unquote(header["name"])
            continue
        key = _KEY.match(line)
        if key is None:
            continue
        name = f"{table}.{_unquote(key['key'])}" if table else _unquote(key["key"])
        wanted = name == "project.dependencies" or (name + ".").startswith(
            "project.optional-dependencies."
        )
        value_start = line_start + key.end()
        value_end = _value_end(text, value_start)
        if wanted:
            spans.append((value_start, value_end))
        skip_to = value_end
    return spans


def _unquote(name: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in name.split("."))


def _value_end(text: str, start: int) -> int:
    """Where the TOML value at `start` ends: its closing bracket, or the end of its line."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char in "\"'" and text.startswith(char * 3, index):
            closing = text.find(char * 3, index + 3)
            index = len(text) if closing < 0 else closing + 3
            continue
        if char in "\"'":
            index = _string_end(text, index)
            continue
        if char == "#":
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth <= 0:
                return index + 1
        elif char == "\n" and depth == 0:
            return index
        index += 1
    return len(text)


def _string_end(text: str, start: int) -> int:
    """The offset after the string literal opening at `start` (basic or literal, one line)."""
    quote = text[start]
    index = start + 1
    while index < len(text) and text[index] not in (quote, "\n"):
        index += 2 if quote == '"' and text[index] == "\\" else 1
    return min(index + 1, len(text))


def _strings(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The one-line string literals between `start` and `end` (comments skipped)."""
    spans = []
    index = start
    while index < end:
        char = text[index]
        if char in "\"'":
            if text.startswith(char * 3, index):
                return spans  # multi-line strings are not dependency entries
            string_end = _string_end(text, index)
            if text[string_end - 1] == char:
                spans.append((index, string_end))
            index = string_end
        elif char == "#":
            newline = text.find("\n", index)
            index = end if newline < 0 else newline
        else:
            index += 1
    return spans


def env_example_path(env_file: str | None) -> str:
    """Where .env.example goes: beside the app's own env file (verifier.env_file) when that is
    inside the project, else at the project root."""
    if not env_file or env_file.startswith(("~", "/")):
        return ENV_EXAMPLE
    folder = posixpath.dirname(posixpath.normpath(env_file))
    if not folder or folder == ".." or folder.startswith("../"):
        return ENV_EXAMPLE
    return posixpath.join(folder, ENV_EXAMPLE)


def env_entries(phase: str, kill_switch_env: str, secret_env: str | None) -> tuple[str, ...]:
    """The variables .env.example lists for the verifier in `phase`."""
    if phase != "dual":
        return ()
    return (kill_switch_env, *([secret_env] if secret_env else []))


_ENTRY_COMMENTS = {
    "kill": "set to 1 to refuse legacy ID tokens before the sunset date",
    "secret": "the legacy client secret; only the dual-phase verifier reads it",
}


def update_env_example(
    text: str | None, phase: str, kill_switch_env: str, secret_env: str | None
) -> str | None:
    """.env.example with the verifier's variables for `phase`: dual adds the kill switch (and
    the HS* secret), strict removes both. None when there is no file and none is needed."""
    wanted = env_entries(phase, kill_switch_env, secret_env)
    if text is None:
        if not wanted:
            return None
        text = ""
    newline = newline_of(text) if text else "\n"
    lines = text.splitlines(keepends=True)
    present = {_env_name(line) for line in lines}
    if phase == "dual":
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += newline
        for name in wanted:
            if name in present:
                continue
            kind = "kill" if name == kill_switch_env else "secret"
            lines += [f"{_MARK} {_ENTRY_COMMENTS[kind]}{newline}", f"{name}={newline}"]
        return "".join(lines)
    drop = {kill_switch_env, *([secret_env] if secret_env else [])}
    kept: list[str] = []
    for line in lines:
        if _env_name(line) in drop:
            if kept and kept[-1].startswith(_MARK):
                kept.pop()  # our comment above it
            continue
        kept.append(line)
    return "".join(kept)


def _env_name(line: str) -> str:
    body = line.strip()
    if body.startswith("export "):
        body = body[len("export ") :].lstrip()
    name, sep, _ = body.partition("=")
    return name.strip() if sep and not body.startswith("#") else ""


# Where else a project pins its dependencies: requirement and constraint files in any folder.
_REQUIREMENT_FILE = re.compile(
    r"(?:^|/)(?:requirements[^/]*\.(?:txt|in)|constraints[^/]*\.txt|requirements/[^/]+\.(?:txt|in)"
    r"|(?!MANIFEST\.in$)[^/]+\.in)$"
)
_SKIPPED_DIRS = frozenset({".git", ".venv", "venv", "env", "node_modules", "__pycache__", ".tox"})
# Files PyJWT can be pinned in that are edited by hand (the plan names the line).
MANUAL_DEPENDENCY_FILES = ("setup.py", "setup.cfg", "Pipfile")
_PYJWT_WORD = re.compile(r"(?<![\w-])pyjwt(?![\w-])", re.IGNORECASE)


def requirement_files(root: Path) -> list[str]:
    """Requirement, constraint and `.in` files anywhere in the project, relative, sorted."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        for name in files:
            relpath = Path(folder, name).relative_to(root).as_posix()
            if _REQUIREMENT_FILE.search(relpath):
                found.append(relpath)
    return sorted(found)


def pyjwt_lines(text: str) -> list[int]:
    """The 1-based lines of `text` that name PyJWT (setup.py, setup.cfg, Pipfile)."""
    return [n for n, line in enumerate(text.splitlines(), 1) if _PYJWT_WORD.search(line)]
