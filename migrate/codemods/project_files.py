"""Text edits of the project's non-Python files: requirements, pyproject.toml, .env.example.

Each function takes the current text (None when the file does not exist) and returns the new
text, or the same text when nothing needs to change, so running twice changes nothing. Line
endings follow the file.
"""

from __future__ import annotations

import re

PYJWT_REQUIREMENT = "pyjwt[crypto]>=2.13"
MINIMUM_PYJWT = (2, 13)
ENV_EXAMPLE = ".env.example"
_MARK = "# idtoken-migrate:"
_REQUIREMENT_LINE = re.compile(
    r"^(?P<indent>\s*)(?P<name>pyjwt)(?P<extras>\[[^\]]*\])?\s*(?P<spec>[^#;\n\r]*?)\s*"
    r"(?P<rest>(;[^#\n\r]*)?(#.*)?)$",
    re.IGNORECASE,
)
_PYPROJECT_ENTRY = re.compile(r"""(?P<quote>["'])pyjwt(\[[^\]]*\])?[^"'\n]*(?P=quote)""", re.I)


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def requirement_is_current(extras: str, spec: str) -> bool:
    """`pyjwt[crypto]>=X` with X >= 2.13 (any other pin is rewritten)."""
    if "crypto" not in extras.lower():
        return False
    match = re.fullmatch(r">=\s*(\d+)\.(\d+)(\.\d+)?", spec.strip())
    return bool(match) and (int(match[1]), int(match[2])) >= MINIMUM_PYJWT


def update_requirements(text: str) -> str:
    """requirements.txt with PyJWT pinned to `pyjwt[crypto]>=2.13` (added when missing)."""
    newline = newline_of(text)
    lines = text.splitlines(keepends=True)
    found = False
    for index, line in enumerate(lines):
        body = line.rstrip("\r\n")
        match = _REQUIREMENT_LINE.match(body)
        if not match:
            continue
        found = True
        if requirement_is_current(match["extras"] or "", match["spec"]):
            continue
        rest = f"  {match['rest']}" if match["rest"] else ""
        ending = line[len(body) :]
        lines[index] = f"{match['indent']}{PYJWT_REQUIREMENT}{rest}{ending}"
    if not found:
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += newline
        lines.append(PYJWT_REQUIREMENT + newline)
    return "".join(lines)


def update_pyproject(text: str) -> str | None:
    """pyproject.toml with its PyJWT dependency string updated; None when it names none."""
    match = _PYPROJECT_ENTRY.search(text)
    if match is None:
        return None
    inner = match.group(0)[1:-1]
    extras_match = re.match(r"pyjwt(\[[^\]]*\])?(.*)", inner, re.I)
    assert extras_match is not None
    if requirement_is_current(extras_match[1] or "", extras_match[2]):
        return text
    quote = match["quote"]
    return text[: match.start()] + f"{quote}{PYJWT_REQUIREMENT}{quote}" + text[match.end() :]


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
