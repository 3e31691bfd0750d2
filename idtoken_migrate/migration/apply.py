"""Compute the migration as new file contents, then show, check, write or export them.

`propose()` is the engine: a generator that yields each reviewable change (a site's edit, the
generated verifier, a requirements or .env.example update) and takes the decision back with
`.send(True|False)`, so `--interactive`, the automatic modes and the tests share one path.
`compute()` accepts everything. Nothing here prints; the CLI does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import os
import subprocess
import tempfile
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from idtoken_migrate.config import Config
from idtoken_migrate.migration.codemods import SiteUnsafe, run_codemod
from idtoken_migrate.migration.codemods.legacy_secret import (
    find_secret_settings,
    remove_secret_settings,
)
from idtoken_migrate.migration.codemods.project_files import (
    env_example_path,
    update_env_example,
)
from idtoken_migrate.migration.dependencies import migrated_pyproject, migrated_requirements
from idtoken_migrate.migration.deploy import ship_verifier
from idtoken_migrate.migration.plan import (
    MIGRATE,
    FileEdits,
    Plan,
    SitePlan,
    hs_secret_env,
    other_requirement_files,
    python_files,
)
from idtoken_migrate.model import UsageError
from idtoken_migrate.verifier.render import RenderError, VerifierTuning, render_verifier


@dataclass(frozen=True)
class FileChange:
    path: str  # relative to the project root, '/'-separated
    before: bytes | None  # None: a new file
    after: bytes

    @property
    def is_new(self) -> bool:
        return self.before is None


@dataclass(frozen=True)
class Proposal:
    """One reviewable change: a site's edit (site set) or a generated or updated file."""

    title: str
    change: FileChange
    site: SitePlan | None = None
    # Needed by changes already accepted (the verifier the migrated sites import): applied
    # whatever the answer, so a review can never leave code importing a module that is not there.
    required: bool = False


@dataclass(frozen=True)
class SkippedSite:
    location: str
    rule: str
    reason: str


@dataclass(frozen=True)
class ApplyResult:
    plan: Plan
    changes: tuple[FileChange, ...] = ()
    migrated: tuple[str, ...] = ()  # "path:line" of the sites migrated
    skipped: tuple[SkippedSite, ...] = ()  # left alone, with the reason

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def paths(self) -> tuple[str, ...]:
        return tuple(c.path for c in self.changes)


# `apply --write --accept-risk NAME`: the risks a user can take on knowingly.
ACCEPTABLE_RISKS: tuple[str, ...] = ("unmapped-claims",)


def unmapped_claims_refusal(plan: Plan) -> str | None:
    """Why `apply --write` refuses without `--accept-risk unmapped-claims`: a claim the legacy
    code reads on a request path that the access token may not carry (a 500 once it arrives)."""
    unmapped = [c for c in plan.claims if not c.provided and c.read_lines]
    if not unmapped:
        return None
    parts = [f"`{c.claim}` (read at {', '.join(c.read_lines[:3])})" for c in unmapped]
    return (
        f"unmapped claim{'s' if len(parts) != 1 else ''} {', '.join(parts)}: an access token "
        "without it would fail there; map it under `claims:`, or pass --accept-risk "
        "unmapped-claims"
    )


def strict_refusal(config: Config, today: dt.date | None = None) -> str | None:
    """Why `apply --phase strict` refuses without --force, or None when the sunset has come."""
    sunset = config.window.sunset
    today = today or dt.date.today()
    if sunset is None:
        return "window.sunset is not set; strict refuses ID tokens from every client"
    if sunset > today:
        return f"the sunset ({sunset}) is ahead; clients may still send ID tokens"
    return None


def propose(
    plan: Plan, config: Config, root: Path, *, tuning: VerifierTuning | None = None
) -> Generator[Proposal, bool | None, ApplyResult]:
    """Yield each change; `.send(False)` skips it, anything else accepts it."""
    if plan.blocked:
        raise UsageError(plan.blocked)
    if plan.verifier_path is not None:
        inside(root, plan.verifier_path)
    # What each change was computed from, per path (None: a new file): write_changes refuses
    # a file whose bytes differ by then (edited during a review).
    originals: dict[str, bytes | None] = {}
    current: dict[str, bytes] = {}
    skipped = [
        SkippedSite(s.location, s.finding.rule, s.why) for s in plan.sites if s.action != MIGRATE
    ]
    migrated: list[str] = []
    accepted_any = False
    planned = {(e.path, e.codemod): e for e in plan.file_edits}
    for (path, codemod), sites in _by_file(plan.migrating):
        if path in current:  # one codemod per file and run: positions are as scanned
            skipped += _skip(sites, "another codemod edited this file first")
            continue
        edits = planned[path, codemod]
        original, stale = _planned_source(root, edits)
        if stale:
            skipped += _skip(sites, stale)
            continue
        accepted: list[SitePlan] = []
        for site in sites:
            assert site.after is not None
            try:
                after = _checked(path, site.after)
            except SiteUnsafe as error:
                skipped.append(SkippedSite(site.location, site.finding.rule, str(error)))
                continue
            decision = yield Proposal(
                f"{site.location} {site.finding.symbol}: {site.why}",
                FileChange(path, original, after),
                site,
            )
            if decision is False:
                skipped.append(SkippedSite(site.location, site.finding.rule, "skipped by you"))
            else:
                accepted.append(site)
        if not accepted:
            continue
        try:
            current[path] = _checked(path, _together(edits, sites, accepted, original))
        except SiteUnsafe as error:  # together unsafe: the file stays as it is
            skipped += _skip(accepted, str(error))
            continue
        originals[path] = original
        migrated += [s.location for s in accepted]
        accepted_any = True

    verifier = plan.verifier_path
    support = verifier is not None and (accepted_any or (root / verifier).exists())
    if support and verifier is not None:
        for proposal in _support_proposals(plan, config, root, current, tuning):
            if accepted_any and proposal.change.path == verifier:
                proposal = dataclasses.replace(proposal, required=True)
            decision = yield proposal
            if decision is not False or proposal.required:
                current[proposal.change.path] = proposal.change.after
                originals.setdefault(proposal.change.path, proposal.change.before)
    changes = []
    for path, after in sorted(current.items()):
        before = originals[path]
        if after != before:
            changes.append(FileChange(path, before, after))
    return ApplyResult(plan, tuple(changes), tuple(migrated), tuple(skipped))


def _skip(sites: Iterable[SitePlan], reason: str) -> list[SkippedSite]:
    return [SkippedSite(s.location, s.finding.rule, reason) for s in sites]


def _planned_source(root: Path, edits: FileEdits) -> tuple[bytes, str]:
    """The file's bytes and, when they are not what the plan was computed from, why the file
    is refused (its edits would be stale; nothing is recomputed behind the plan's back)."""
    try:
        source = (root / edits.path).read_bytes()
    except OSError as error:
        return b"", f"{edits.path}: cannot read it ({error.strerror or error}); run apply again"
    if not edits.matches(source):
        return source, f"{edits.path} changed since the plan was computed; run apply again"
    return source, ""


def _together(
    edits: FileEdits, sites: Sequence[SitePlan], accepted: Sequence[SitePlan], source: bytes
) -> bytes:
    """The file with the `accepted` sites migrated: the plan's bytes when it has them (all the
    file's sites, or one); only a subset a review chose runs the codemod again."""
    if len(accepted) == len(sites):
        if edits.after is None:
            raise SiteUnsafe(edits.unsafe)
        return edits.after
    if len(accepted) == 1 and accepted[0].after is not None:
        return accepted[0].after
    chosen = [s.edit for s in accepted if s.edit is not None]
    return run_codemod(edits.codemod, source, chosen).after


def compute(
    plan: Plan, config: Config, root: Path, *, tuning: VerifierTuning | None = None
) -> ApplyResult:
    """Every change of the plan, all accepted."""
    return drive(propose(plan, config, root, tuning=tuning), lambda _proposal: True)


def drive(engine: Generator[Proposal, bool | None, ApplyResult], decide: object) -> ApplyResult:
    """Run `engine`, asking `decide(proposal) -> bool` about each change."""
    assert callable(decide)
    try:
        proposal = next(engine)
        while True:
            proposal = engine.send(bool(decide(proposal)))
    except StopIteration as stop:
        return stop.value


def _by_file(sites: Iterable[SitePlan]) -> list[tuple[tuple[str, str], list[SitePlan]]]:
    groups: dict[tuple[str, str], list[SitePlan]] = {}
    for site in sites:
        groups.setdefault((site.finding.path, site.codemod), []).append(site)
    return sorted(groups.items())


def _checked(path: str, data: bytes) -> bytes:
    """`data` if it parses as Python; SiteUnsafe otherwise (never write a broken file)."""
    if path.endswith(".py"):
        try:
            cst.parse_module(data)
        except cst.ParserSyntaxError as error:
            raise SiteUnsafe(
                f"the edit would not parse ({error.message}); left untouched"
            ) from None
    return data


def _support_proposals(
    plan: Plan,
    config: Config,
    root: Path,
    current: dict[str, bytes],
    tuning: VerifierTuning | None,
) -> Iterable[Proposal]:
    assert plan.verifier_path is not None
    verifier_path = plan.verifier_path
    try:
        text = render_verifier(
            config,
            plan.phase,
            legacy_exceptions=plan.legacy_exceptions,
            tuning=tuning,
            libraries=plan.libraries or None,
            module_path=verifier_path,
        )
    except RenderError as error:
        raise UsageError(f"{config.source or 'config'}: {error}") from None
    rendered = _checked(verifier_path, text.encode("utf-8"))
    yield from _proposal(root, verifier_path, rendered, f"generated verifier, phase {plan.phase}")

    if plan.phase == "strict" and config.legacy_id_token.secret_env:
        files = python_files(root, config, exclude=verifier_path)
        files.update(current)
        files.pop(verifier_path, None)
        secrets = find_secret_settings(files, config.legacy_id_token.secret_env)
        removable: dict[str, set[str]] = {}
        for secret in secrets:
            if secret.removable:
                removable.setdefault(secret.path, set()).add(secret.name)
        for path, names in sorted(removable.items()):
            after = _checked(path, remove_secret_settings(files[path], names))
            yield Proposal(
                f"{path}: remove the legacy secret setting {', '.join(sorted(names))}",
                FileChange(path, _read(root / path), after),
            )

    requirements = root / "requirements.txt"
    if requirements.is_file():
        text = requirements.read_bytes().decode("utf-8", "surrogateescape")
        new = migrated_requirements(text, plan.install, add_missing=True)
        yield from _proposal(root, "requirements.txt", _encoded(new), "require pyjwt[crypto]>=2.13")
    for path in other_requirement_files(root):
        text = (root / path).read_bytes().decode("utf-8", "surrogateescape")
        new = migrated_requirements(text, plan.install, add_missing=False)
        yield from _proposal(root, path, _encoded(new), "raise PyJWT to pyjwt[crypto]>=2.13")
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        text = pyproject.read_bytes().decode("utf-8", "surrogateescape")
        updated = migrated_pyproject(text, plan.install)
        if updated is not None:
            title = "require pyjwt[crypto]>=2.13"
            yield from _proposal(root, "pyproject.toml", _encoded(updated), title)
    for edit in plan.deploy_edits:
        text = (root / edit.path).read_bytes().decode("utf-8", "surrogateescape")
        title = f"ship the verifier ({edit.key})"
        yield from _proposal(root, edit.path, _encoded(ship_verifier(text, edit)), title)
    example = env_example_path(config.verifier.env_file)
    env_before = _read(root / example)
    secret = hs_secret_env(config)
    env_text = update_env_example(
        env_before.decode("utf-8", "surrogateescape") if env_before is not None else None,
        plan.phase,
        config.window.kill_switch_env,
        secret,
    )
    if env_text is not None:
        new = env_text.encode("utf-8", "surrogateescape")
        yield from _proposal(root, example, new, "the verifier's environment variables")


def _encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _proposal(root: Path, path: str, after: bytes, title: str) -> Iterable[Proposal]:
    before = _read(root / path)
    if before != after:
        yield Proposal(f"{path}: {title}", FileChange(path, before, after))


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


# --- outputs --------------------------------------------------------------------------------

_NO_NEWLINE = "\x00idtoken-migrate-no-newline\n"


def file_diff(change: FileChange) -> str:
    """A `git apply`-able diff of one file (git headers, a/ and b/ prefixes)."""
    before = _lines(change.before or b"")
    after = _lines(change.after)
    header = [f"diff --git a/{change.path} b/{change.path}\n"]
    if change.is_new:
        header.append("new file mode 100644\n")
    body = list(
        difflib.unified_diff(
            before,
            after,
            "/dev/null" if change.is_new else f"a/{change.path}",
            f"b/{change.path}",
            n=3,
        )
    )
    text = "".join(header + body)
    return text.replace(_NO_NEWLINE, "\n\\ No newline at end of file\n")


def unified_diff(changes: Sequence[FileChange]) -> str:
    return "".join(file_diff(c) for c in changes)


def _lines(data: bytes) -> list[str]:
    lines = data.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += _NO_NEWLINE
    return lines


def inside(root: Path, path: str) -> Path:
    """`root / path`; UsageError when it resolves (links too) to a place outside `root`."""
    base = root.resolve()
    if base not in (base / path).resolve().parents:
        raise UsageError(f"{path}: outside the project ({base}); nothing written")
    return root / path


def write_changes(root: Path, changes: Sequence[FileChange]) -> None:
    """Write every change in place, all or nothing: each new content goes to a temporary file
    beside its target first (keeping the file's mode), then they replace the targets, new files
    first (the verifier the migrated sites import). On an OSError the files already replaced
    are put back and the UsageError names the file; nothing is left half-migrated. A file whose
    bytes are no longer the `before` its change was computed from (edited meanwhile, say during
    an interactive review) is refused the same way: its change would undo that edit."""
    targets = [inside(root, change.path) for change in changes]  # all checked before any write
    order = sorted(range(len(changes)), key=lambda i: not changes[i].is_new)
    staged: list[tuple[FileChange, Path, str]] = []
    created: list[Path] = []  # folders made for new files, removed again on failure
    done: list[tuple[FileChange, Path]] = []
    current = ""
    try:
        for change, target in zip(changes, targets, strict=True):
            current = change.path
            if _read(target) != change.before:
                raise UsageError(
                    f"{current}: changed since apply read it; no file was changed, run apply again"
                )
        for index in order:
            change, target = changes[index], targets[index]
            current = change.path
            created += _make_parents(target.parent)
            mode = target.stat().st_mode if target.exists() else 0o666 & ~_umask()
            handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            staged.append((change, target, temp))
            with os.fdopen(handle, "wb") as out:
                out.write(change.after)
            os.chmod(temp, mode)  # mkstemp makes 0600: keep the file's mode, or the usual one
        for change, target, temp in staged:
            current = change.path
            os.replace(temp, target)
            done.append((change, target))
    except OSError as error:
        _roll_back(staged, done, created)
        reason = error.strerror or str(error)
        raise UsageError(f"{current}: cannot write: {reason}; no file was changed") from None
    except BaseException:
        _roll_back(staged, done, created)
        raise


def _make_parents(folder: Path) -> list[Path]:
    """mkdir -p `folder`; the folders it made, deepest first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
    return missing


def _roll_back(
    staged: list[tuple[FileChange, Path, str]],
    done: list[tuple[FileChange, Path]],
    created: list[Path],
) -> None:
    """Best effort: the replaced files as they were, no temporary file, no new folder."""
    for _change, _target, temp in staged:
        Path(temp).unlink(missing_ok=True)
    for change, target in reversed(done):
        try:
            if change.before is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(change.before)
        except OSError:
            continue
    for folder in sorted(created, key=lambda path: len(path.parts), reverse=True):
        try:
            folder.rmdir()
        except OSError:
            continue


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it
    os.umask(mask)
    return mask


def write_patches(directory: Path, changes: Sequence[FileChange]) -> list[Path]:
    """One `git apply`-able patch per changed file, numbered in order."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for index, change in enumerate(changes, 1):
        name = change.path.replace("/", "-").replace("\\", "-")
        path = directory / f"{index:04d}-{name}.patch"
        path.write_bytes(file_diff(change).encode("utf-8", "surrogateescape"))
        written.append(path)
    return written


def dirty_files(root: Path, paths: Sequence[str]) -> list[str]:
    """Which of `paths` (relative to root) have uncommitted changes in git. A folder outside
    any git repository has none (nothing to lose to a commit); new files never count."""
    existing = [p for p in paths if (root / p).exists()]
    if not existing:
        return []
    try:
        inside = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return []
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        return []
    status = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain=v1", "-z", "--", *existing],
        capture_output=True,
        check=False,
    )
    if status.returncode != 0:
        return []
    dirty = []
    for entry in status.stdout.decode("utf-8", "replace").split("\0"):
        if len(entry) > 3:
            dirty.append(entry[3:])
    return dirty
