"""Which files a scan reads: Python sources under the given paths, minus ignored ones."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from idtoken_migrate.model import UsageError

if TYPE_CHECKING:
    import pathspec

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
    import pathspec  # not before a pattern needs it: `scan one_file.py` never does

    return pathspec.GitIgnoreSpec.from_lines(patterns)


@lru_cache(maxsize=1)
def _default_spec() -> pathspec.PathSpec:
    return _spec(DEFAULT_EXCLUDES)


def _gitignore(directory: Path) -> pathspec.PathSpec | None:
    path = directory / ".gitignore"
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return _spec(lines) if lines else None


def _git_excludes(repository: Path) -> list[pathspec.PathSpec]:
    """The patterns of `.git/info/exclude` and of git's global excludes file (core.excludesFile,
    by default `$XDG_CONFIG_HOME/git/ignore`), both relative to the repository's root."""
    specs = []
    for path in (_git_dir(repository) / "info" / "exclude", _global_excludes_file(str(repository))):
        if path is None:
            continue
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        if any(line.strip() and not line.startswith("#") for line in lines):
            specs.append(_spec(lines))
    return specs


def _git_dir(repository: Path) -> Path:
    dot_git = repository / ".git"
    if dot_git.is_file():  # a linked worktree or a submodule: "gitdir: <path>"
        try:
            text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return dot_git
        if text.startswith("gitdir:"):
            gitdir = (repository / text[len("gitdir:") :].strip()).resolve()
            try:  # a linked worktree keeps info/ in the main repository's folder
                common = (gitdir / "commondir").read_text(encoding="utf-8").strip()
                return (gitdir / common).resolve()
            except OSError:
                return gitdir
    return dot_git


@lru_cache(maxsize=8)
def _global_excludes_file(repository: str) -> Path | None:
    """core.excludesFile as git reads it (one `git config` call, a few ms), else git's default;
    without git installed, the default."""
    import shutil
    import subprocess

    git = shutil.which("git")
    if git is not None:
        try:
            done = subprocess.run(
                [git, "config", "--path", "--get", "core.excludesFile"],
                cwd=repository,
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            done = None
        if done is not None and done.returncode == 0 and done.stdout.strip():
            return Path(done.stdout.strip()).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "git" / "ignore" if os.path.isabs(base) else None


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
    user = _spec(excludes) if excludes else None
    seen: set[str] = set()
    for given in paths:
        given_abs = given.resolve()
        if given_abs.is_file():
            rel = _relpath(given_abs, root)
            # A file named on the command line is scanned even if ignored, unless --exclude says no.
            if not (user and user.match_file(rel)) and str(given_abs) not in seen:
                seen.add(str(given_abs))
                yield Discovered(given_abs, rel)
            continue
        yield from _walk(
            given_abs, root, _default_spec(), user or _spec(()), respect_gitignore, seen
        )


def _walk(
    top: Path,
    root: Path,
    default: pathspec.PathSpec,
    user: pathspec.PathSpec,
    respect_gitignore: bool,
    seen: set[str],
) -> Iterator[Discovered]:
    # Strings, not Path objects: this loop runs once per file of a monorepo.
    ignores: list[tuple[str, pathspec.PathSpec]] = []
    if respect_gitignore:
        # .gitignore files of the folders above the scanned one apply too, up to the repository top.
        repository: Path | None = None
        for parent in reversed([top, *top.parents]):
            spec = _gitignore(parent)
            if spec is not None:
                ignores.append((str(parent), spec))
            if (parent / ".git").exists():
                ignores = [(d, s) for d, s in ignores if _within(d, str(parent))]
                repository = parent
        if repository is not None:
            # What git ignores besides .gitignore: the clone's own list and the user's global one.
            for spec in _git_excludes(repository):
                ignores.append((str(repository), spec))
        # A folder named on the command line is scanned even if a .gitignore above it ignores
        # it (as a named file is): the patterns that hide it are dropped, the others still apply.
        top_s = str(top)
        ignores = [
            (d, s if d == top_s else _without_matches(s, top_s[len(d.rstrip(os.sep)) + 1 :] + "/"))
            for d, s in ignores
        ]
    root_s = str(root)

    def rel_to(path: str, base: str) -> str | None:
        if path == base:
            return ""
        if not path.startswith(base.rstrip(os.sep) + os.sep):
            return None
        return path[len(base.rstrip(os.sep)) + 1 :].replace(os.sep, "/")

    def relpath(path: str) -> str:
        rel = rel_to(path, root_s)
        return Path(path).as_posix() if rel is None else rel

    def ignored(path: str, rel: str, name: str, is_dir: bool) -> bool:
        slash = "/" if is_dir else ""
        # The default excludes are folder names: files are never tested against them.
        if is_dir and default.match_file(name + slash):
            return True
        if user.match_file(rel + slash) or user.match_file(name + slash):
            return True
        for base, spec in ignores:
            local = rel_to(path, base)
            if local and spec.match_file(local + slash):
                return True
        return False

    # followlinks=False: a symlinked folder is not entered, so a link loop cannot hang the scan.
    for dirpath, dirnames, filenames in os.walk(str(top), followlinks=False):
        if respect_gitignore and dirpath != str(top):
            spec = _gitignore(Path(dirpath))
            if spec is not None:
                ignores.append((dirpath, spec))
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not ignored(os.path.join(dirpath, d), relpath(os.path.join(dirpath, d)), d, True)
            and not os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg"))
        )
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            path = os.path.join(dirpath, name)
            rel = relpath(path)
            if ignored(path, rel, name, False):
                continue
            if os.path.islink(path):
                try:
                    real = os.path.realpath(path, strict=True)
                except (RuntimeError, OSError):
                    # A broken link or a loop: reading it fails, and that is the file's error.
                    yield Discovered(Path(path), rel)
                    continue
                if not os.path.isfile(real):
                    continue
            elif not os.path.isfile(path):
                continue  # a FIFO or a device named *.py: reading it would block or never end
            else:
                real = path  # under a resolved top and never through a link: already real
            if real in seen:
                continue
            seen.add(real)
            yield Discovered(Path(path), rel)


def _without_matches(spec: pathspec.PathSpec, path: str) -> pathspec.PathSpec:
    kept = [p for p in spec.patterns if not (p.include and p.match_file(path) is not None)]
    return spec if len(kept) == len(spec.patterns) else type(spec)(kept)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
