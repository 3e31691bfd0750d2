"""Which files a scan reads: Python sources under the given paths, minus ignored ones."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

from migrate.model import UsageError

# Folders no user wants scanned: tool caches, virtual environments, build output, VCS data.
DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "node_modules",
    "__pycache__",
    "build",
    "dist",
    "site-packages",
    ".eggs",
    "*.egg-info",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".idtoken-migrate-cache",
)


@dataclass(frozen=True)
class Discovered:
    path: Path  # absolute
    relpath: str  # relative to the scan root, '/'-separated


def scan_root(paths: Sequence[Path]) -> Path:
    """The folder finding paths are relative to: the folder scanned, or the common parent of all."""
    resolved = [p.resolve() for p in paths]
    if len(resolved) == 1 and resolved[0].is_dir():
        return resolved[0]
    parents = [p if p.is_dir() else p.parent for p in resolved]
    return Path(os.path.commonpath([str(p) for p in parents]))


def _relpath(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _spec(patterns: Sequence[str]) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _gitignore(directory: Path) -> pathspec.PathSpec | None:
    path = directory / ".gitignore"
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return _spec(lines) if lines else None


def discover(
    paths: Sequence[Path],
    root: Path,
    excludes: Sequence[str] = (),
    *,
    respect_gitignore: bool = True,
) -> Iterator[Discovered]:
    """Yield each Python file once, in a stable order. Missing paths are a UsageError."""
    for p in paths:
        if not p.exists():
            raise UsageError(f"{p}: no such file or directory")
    root = root.resolve()  # relpaths are relative to it, whatever the caller passed
    default = _spec(DEFAULT_EXCLUDES)
    user = _spec(excludes)
    seen: set[Path] = set()
    for given in paths:
        given_abs = given.resolve()
        if given_abs.is_file():
            rel = _relpath(given_abs, root)
            # A file named on the command line is scanned even if ignored, unless --exclude says no.
            if not user.match_file(rel) and given_abs not in seen:
                seen.add(given_abs)
                yield Discovered(given_abs, rel)
            continue
        yield from _walk(given_abs, root, default, user, respect_gitignore, seen)


def _walk(
    top: Path,
    root: Path,
    default: pathspec.PathSpec,
    user: pathspec.PathSpec,
    respect_gitignore: bool,
    seen: set[Path],
) -> Iterator[Discovered]:
    ignores: list[tuple[Path, pathspec.PathSpec]] = []
    if respect_gitignore:
        # .gitignore files of the folders above the scanned one apply too, up to the repository top.
        for parent in reversed([top, *top.parents]):
            spec = _gitignore(parent)
            if spec is not None:
                ignores.append((parent, spec))
            if (parent / ".git").exists():
                ignores = [(d, s) for d, s in ignores if d == parent or parent in d.parents]

    def ignored(path: Path, is_dir: bool) -> bool:
        rel = _relpath(path, root) + ("/" if is_dir else "")
        name = path.name + ("/" if is_dir else "")
        if default.match_file(name) or user.match_file(rel) or user.match_file(name):
            return True
        for base, spec in ignores:
            if base == path:
                continue
            try:
                local = path.relative_to(base).as_posix() + ("/" if is_dir else "")
            except ValueError:
                continue
            if spec.match_file(local):
                return True
        return False

    # followlinks=False: a symlinked folder is not entered, so a link loop cannot hang the scan.
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        here = Path(dirpath)
        if respect_gitignore and here != top:
            spec = _gitignore(here)
            if spec is not None:
                ignores.append((here, spec))
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not ignored(here / d, True) and not (here / d / "pyvenv.cfg").exists()
        )
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            path = here / name
            if ignored(path, False):
                continue
            try:
                real = path.resolve()
            except (RuntimeError, OSError):
                # A link loop: reading it fails, and the failure is reported as the file's error.
                yield Discovered(path, _relpath(path, root))
                continue
            if real in seen or not (real.is_file() or path.is_symlink()):
                continue
            seen.add(real)
            yield Discovered(path, _relpath(path, root))
