"""The migration plan: per site, what changes and why, and everything around it.

`build_plan(result, config, root, phase)` turns scan findings and the config into a `Plan`:
the edit at each `id-token-bearer` site (the codemod and params its rule's `fix:` names), the
files it generates, env and requirement changes, the claims the legacy code reads and whether
access tokens carry them, risks (listed first), manual steps, and the sites left alone with the
reason. It reads the project's files but writes nothing; `migration.apply` does the edits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from idtoken_migrate.config import PHASES, Config
from idtoken_migrate.config.file import check_placeholders, find_config_file, load_config
from idtoken_migrate.config.library import LibraryFacts
from idtoken_migrate.config.providers import (
    ProviderProfileError,
    jwks_uri_for,
    load_provider,
    manual_steps,
)
from idtoken_migrate.config.rulepack import InstallFacts, RuleSet, load_rules
from idtoken_migrate.migration.codemods import (
    MANUAL,
    SiteEdit,
    SiteUnsafe,
    VerifierImport,
    codemods,
    run_codemod,
)
from idtoken_migrate.migration.codemods.drf_jwt_settings import decode_handler
from idtoken_migrate.migration.codemods.legacy_exceptions import (
    ExceptionNames,
    Handler,
    site_handlers,
)
from idtoken_migrate.migration.codemods.legacy_secret import SecretSetting, find_secret_settings
from idtoken_migrate.migration.codemods.parsed import shared_parses
from idtoken_migrate.migration.codemods.project_files import (
    MANUAL_DEPENDENCY_FILES,
    PYJWT_REQUIREMENT,
    env_entries,
    env_example_path,
    pyjwt_lines,
    requirement_files,
    update_pyproject,
    update_requirements,
)
from idtoken_migrate.migration.dependencies import (
    VERIFIER_LIBRARY,
    PinConflict,
    manual_conflicts,
    migrated_pyproject,
    migrated_requirements,
    pyproject_conflicts,
    python_floor,
    requirement_conflicts,
)
from idtoken_migrate.migration.deploy import DeployFindings, ListEdit, deployment_findings
from idtoken_migrate.migration.pyversion import MIN_PYTHON, python_refusal
from idtoken_migrate.migration.settings_loaders import (
    SettingsLoader,
    settings_loaders,
    unexported_env_note,
)
from idtoken_migrate.model import (
    AMBIGUOUS,
    ID_TOKEN_BEARER,
    UNVERIFIED_DECODE,
    Finding,
    ScanResult,
    UsageError,
)
from idtoken_migrate.scan import claimflow
from idtoken_migrate.scan.discover import discover
from idtoken_migrate.scan.engine import ScanOptions, scan_paths
from idtoken_migrate.scan.handout import HandOut, find_handouts
from idtoken_migrate.scan.keytrace import secret_encoding
from idtoken_migrate.scan.project import importers_of, member_users
from idtoken_migrate.scan.signals import load_signals
from idtoken_migrate.verifier.envsettings import env_settings, jwks_suffix
from idtoken_migrate.verifier.render import (
    RenderError,
    UnsupportedProviderError,
    reasons,
    render_verifier,
)

PLAN_VERSION = 1
_MAX_HANDOUT_BYTES = 1_000_000
DEFAULT_VERIFIER_NAME = "token_verifier.py"
# Claims every access token carries with the ID token's meaning.
SHARED_CLAIMS = frozenset({"sub", "iss", "exp", "iat", "nbf", "jti"})
# Actions of a site.
MIGRATE, UNSAFE, UNSUPPORTED = "migrate", "unsafe", "unsupported"

# Codemods that refuse a site whose object other modules import: the planner tells them which.
_FOLLOWS_IMPORTERS = frozenset({"replace-verifier-object", "replace-verify-call"})
_MODULE_NAME = re.compile(r"^([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=(?!=)", re.M)
_MODULE_DEF = re.compile(r"^(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)", re.M)
# Class members: an indented def, a `self.x = ...` store.
_MEMBER = re.compile(r"^[ \t]+(?:async[ \t]+)?def[ \t]+(\w+)|\bself\.(\w+)[ \t]*=(?!=)", re.M)

# A legacy call checks these only when it passes the argument (the scan's fact names it).
_UNCHECKED_WITHOUT = {"wrong_issuer": "issuer", "wrong_audience": "audience"}


@dataclass(frozen=True)
class SitePlan:
    """One `id-token-bearer` site and what happens to it."""

    finding: Finding
    action: str  # MIGRATE | MANUAL | UNSAFE | UNSUPPORTED
    codemod: str
    template: str
    why: str  # what changes and why; or why it is left alone
    legacy_exception: str | None  # the library (with a `library: base:`) its handlers catch
    claims_read: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    edit: SiteEdit | None = None  # what the codemod needs (MIGRATE only)
    rejections: tuple[Rejection, ...] = ()  # per reason: the branch before and after
    # MIGRATE: the file with this site alone migrated, from the bytes its `FileEdits` names
    # (the review's proposal for the site). Never in the JSON.
    after: bytes | None = field(default=None, repr=False)

    @property
    def location(self) -> str:
        return f"{self.finding.path}:{self.finding.line}"

    def to_json(self) -> dict[str, Any]:
        f = self.finding
        return {
            "path": f.path,
            "line": f.line,
            "column": f.column,
            "end_line": f.end_line,
            "end_column": f.end_column,
            "rule": f.rule,
            "library": f.library,
            "symbol": f.symbol,
            "snippet": f.snippet,
            "action": self.action,
            "codemod": self.codemod,
            "template": self.template,
            "params": dict(self.edit.params) if self.edit else {},
            "why": self.why,
            "legacy_exception": self.legacy_exception,
            "claims_read": list(self.claims_read),
            "notes": list(self.notes),
            "replacement": self.edit.verifier.statement if self.edit else None,
            "rejections": [r.to_json() for r in self.rejections],
        }


@dataclass(frozen=True)
class FileEdits:
    """The MIGRATE sites of one file and codemod as the planner migrated them: the SHA-256 of the
    bytes it read, and those bytes with every site's edit applied in one pass, or why together
    they are unsafe. `apply` uses these and refuses the file when its bytes on disk differ."""

    path: str
    codemod: str
    source_sha256: str
    after: bytes | None = field(repr=False)  # None: together unsafe, `unsafe` says why
    unsafe: str = ""

    def matches(self, source: bytes) -> bool:
        """Whether `source` is what the plan was computed from."""
        return sha256(source) == self.source_sha256


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Rejection:
    """How the code around a site answers one rejection reason, before and after the migration:
    the status its `except` branch names (or what the branch does), and which branch."""

    reason: str
    before: str  # "401 (`except jwt.DecodeError`, line 44)"; "-": the legacy code had no such check
    after: str

    def to_json(self) -> dict[str, str]:
        return {"reason": self.reason, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class ClaimStatus:
    claim: str
    source: str | None  # where the access token carries it (None: unmapped)
    provided: bool
    read_at: tuple[str, ...]  # "path:line" of the sites that read it
    read_lines: tuple[str, ...] = ()  # "path:line" where the code reads it as `x["claim"]`
    # What the provider profile says (`user_claims:`): carried | absent | renamed | configurable,
    # or unknown; and its note (`renamed`: "as `username`: ...").
    access_token: str = "unknown"
    note: str = ""
    reads: tuple[str, ...] = ()  # "path:line (how)" along the verified claims' way

    def to_json(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "source": self.source,
            "provided": self.provided,
            "read_at": list(self.read_at),
            "read_lines": list(self.read_lines),
            "access_token": self.access_token,
            "note": self.note,
            "reads": list(self.reads),
        }


@dataclass(frozen=True)
class UndecidedSite:
    """An `ambiguous` site: what would decide it, and the config key that answers it."""

    location: str
    symbol: str
    decides: str
    answer: str

    def to_json(self) -> dict[str, str]:
        return {
            "location": self.location,
            "symbol": self.symbol,
            "decides": self.decides,
            "answer": self.answer,
        }


@dataclass(frozen=True)
class FileChangePlan:
    """A generated or edited project file (not the patched sources)."""

    path: str
    action: str  # create | update | remove-lines | manual
    what: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "action": self.action, "what": self.what}


@dataclass(frozen=True)
class EnvChange:
    name: str
    action: str  # add | remove | read (a variable of the app the verifier reads at start-up)
    why: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "action": self.action, "why": self.why}


@dataclass(frozen=True)
class Plan:
    root: str
    phase: str
    provider: str
    config_source: str | None
    sites: tuple[SitePlan, ...] = ()
    verifier_path: str | None = None  # relative to root; None when nothing is generated
    legacy_exceptions: tuple[str, ...] = ()  # libraries TokenRejected subclasses beyond PyJWT
    # The `library:` facts of PyJWT and `legacy_exceptions`, for rendering the verifier.
    libraries: tuple[LibraryFacts, ...] = field(default=(), compare=False, repr=False)
    files: tuple[FileChangePlan, ...] = ()
    env: tuple[EnvChange, ...] = ()
    claims: tuple[ClaimStatus, ...] = ()
    secrets: tuple[SecretSetting, ...] = ()  # strict: legacy secret settings found
    risks: tuple[str, ...] = ()
    manual_steps: tuple[str, ...] = ()
    blocked: str | None = None  # why apply cannot run at all (e.g. Google)
    sunset: dt.date | None = None
    kill_switch_env: str = ""
    scan_errors: tuple[str, ...] = field(default=())
    undecided: tuple[UndecidedSite, ...] = ()  # `ambiguous` sites, left until decided
    # Where the app hands its own client the ID token (cookie, session, body): required steps.
    handouts: tuple[HandOut, ...] = ()
    # Pins that cannot install with the verifier's library; raised by apply or left to the user.
    dependency_conflicts: tuple[PinConflict, ...] = ()
    install: InstallFacts | None = None  # the verifier library's install facts (its pack)
    deploy_edits: tuple[ListEdit, ...] = ()  # deployment lists the verifier is added to
    # Per file and codemod of the MIGRATE sites: the new bytes `apply` writes (not in the JSON).
    file_edits: tuple[FileEdits, ...] = field(default=(), repr=False)

    @property
    def migrating(self) -> tuple[SitePlan, ...]:
        return tuple(s for s in self.sites if s.action == MIGRATE)

    @property
    def left_alone(self) -> tuple[SitePlan, ...]:
        return tuple(s for s in self.sites if s.action != MIGRATE)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": PLAN_VERSION,
            "root": self.root,
            "phase": self.phase,
            "provider": self.provider,
            "config": self.config_source,
            "blocked": self.blocked,
            "risks": list(self.risks),
            "sites": [s.to_json() for s in self.sites],
            "verifier_module": self.verifier_path,
            "legacy_exceptions": list(self.legacy_exceptions),
            "files": [f.to_json() for f in self.files],
            "env": [e.to_json() for e in self.env],
            "claims": [c.to_json() for c in self.claims],
            "legacy_secrets": [
                {
                    "path": s.path,
                    "line": s.line,
                    "name": s.name,
                    "removable": s.removable,
                    "reason": s.reason,
                }
                for s in self.secrets
            ],
            "manual_steps": list(self.manual_steps),
            "sunset": self.sunset.isoformat() if self.sunset else None,
            "kill_switch_env": self.kill_switch_env,
            "scan_errors": list(self.scan_errors),
            "undecided": [u.to_json() for u in self.undecided],
            "handouts": [h.to_json() for h in self.handouts],
            "dependency_conflicts": [c.to_json() for c in self.dependency_conflicts],
            "deployment": [
                {"path": e.path, "key": e.key, "add": e.entry} for e in self.deploy_edits
            ],
        }


# --- entry points ---------------------------------------------------------------------------


def load_project_config(root: Path, config_path: Path | None) -> Config:
    """The project's config; a UsageError when there is none (plan and apply need one)."""
    found = config_path or find_config_file(root)
    if found is None:
        raise UsageError(
            f"no idtoken-migrate.yaml (or [tool.idtoken-migrate] in pyproject.toml) in {root}; "
            "run `idtoken-migrate init` first"
        )
    config = load_config(config_path, root)
    check_placeholders(config, found)
    return config


def scan_project(root: Path, config: Config, rules_dirs: tuple[Path, ...] = ()) -> ScanResult:
    """Scan `root` as the config says. The verifier modules we generated are recorded in
    `generated`, not analysed: they verify access tokens by design."""
    root = root.resolve()  # discover() gives absolute relpaths for a relative root
    return scan_paths([root], ScanOptions(excludes=config.scan.exclude, rules_dirs=rules_dirs))


def plan_project(
    root: Path,
    *,
    config_path: Path | None = None,
    phase: str | None = None,
    rules_dirs: tuple[Path, ...] = (),
) -> tuple[Config, Plan]:
    """Load the config, scan `root` and build the plan (what `plan` and `apply` start from)."""
    if not root.is_dir():
        raise UsageError(f"{root}: not a folder")
    config = load_project_config(root, config_path)
    result = scan_project(root, config, rules_dirs)
    return config, build_plan(result, config, root, phase, rules=load_rules(rules_dirs))


def build_plan(
    result: ScanResult,
    config: Config,
    root: Path,
    phase: str | None = None,
    *,
    rules: RuleSet | None = None,
) -> Plan:
    """The plan for migrating the `id-token-bearer` sites of `result` to `phase`."""
    return _Planner(result, config, root, phase or config.phase, rules or load_rules()).plan()


def module_path(path: str) -> str:
    """`output.module` as a path: `app/auth/verifier.py`, or a dotted `app.auth.verifier`."""
    if path.endswith(".py"):
        path = path.replace("\\", "/")
        return path[2:] if path.startswith("./") else path
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", path):
        return path.replace(".", "/") + ".py"
    return path.rstrip("/") + "/" + DEFAULT_VERIFIER_NAME


def package_of(root: Path, directory: str) -> str:
    """The dotted package of a folder (relative to root), from its `__init__.py` chain."""
    parts = [p for p in directory.split("/") if p and p != "."]
    package: list[str] = []
    while parts and (root.joinpath(*parts) / "__init__.py").is_file():
        package.insert(0, parts[-1])
        parts.pop()
    return ".".join(package)


def verifier_import(root: Path, site_path: str, verifier_path: str) -> VerifierImport:
    """How the file at `site_path` imports the module at `verifier_path` (both relative to root).

    A file inside a package is imported from the folder above its top-level package (its import
    base); a file in a plain folder runs with that folder on `sys.path`, so the folder is its
    base. The verifier must sit under the site's base: inside the site's own top-level package
    it is imported relatively, otherwise by its dotted path from the base. SiteUnsafe when the
    site cannot import it (a different plain folder): never a broken import."""
    site_dir = [p for p in site_path.split("/")[:-1] if p and p != "."]
    *verifier_dir, filename = [p for p in verifier_path.split("/") if p and p != "."]
    stem = filename.removesuffix(".py")
    site_package = package_of(root, "/".join(site_dir))
    base = site_dir[: len(site_dir) - len(site_package.split("."))] if site_package else site_dir
    if verifier_dir[: len(base)] != base:
        where = "/".join(base) + "/" if base else "the project root"
        raise SiteUnsafe(
            f"{where} is not a package, so this file cannot import {verifier_path}; "
            "set output.module, or run apply on that folder"
        )
    shadow = shadowing_module(root, base)
    if shadow:
        raise SiteUnsafe(
            f"{shadow} shadows the PyJWT package the generated verifier imports as `jwt` "
            f"(its folder is on sys.path when the app runs): rename it, then run apply again"
        )
    inner = verifier_dir[len(base) :]
    if not all(part.isidentifier() for part in (*inner, stem)):
        raise SiteUnsafe(f"{verifier_path} is not an importable module name; set output.module")
    if site_package and inner[:1] == site_dir[len(base) : len(base) + 1]:
        common = 0  # same top-level package: relative, from the longest shared folder
        while common < min(len(site_dir), len(verifier_dir)) and (
            site_dir[common] == verifier_dir[common]
        ):
            common += 1
        module = ".".join((*verifier_dir[common:], stem))
        return VerifierImport(module, relative=len(site_dir) - common + 1)
    return VerifierImport(".".join((*inner, stem)))


def framework_handlers(spec: str) -> list[Handler]:
    """A rule's `handlers` param (`jwt.DecodeError=401 Error decoding token.;...`): the `except`
    clauses of the framework code that calls the decode handler, in order."""
    out = []
    for clause in (c for c in spec.split(";") if c.strip()):
        error, _, answer = clause.partition("=")
        out.append(Handler((error.strip(),), error.strip(), 0, answer.strip()))
    return out


# Top-level packages the generated verifier imports (the rest is the standard library).
VERIFIER_IMPORTS = ("jwt",)


def shadowing_module(root: Path, base: Sequence[str]) -> str | None:
    """A module of the project in the import base folder `base` (relative to root, the folder on
    `sys.path` when the app runs) that takes the place of a package the verifier imports: a
    sibling `jwt.py` wins over PyJWT for every module of the app."""
    folder = root.joinpath(*base)
    for name in VERIFIER_IMPORTS:
        for candidate in (f"{name}.py", f"{name}/__init__.py"):
            if (folder / candidate).is_file():
                return "/".join((*base, candidate))
    return None


def other_requirement_files(root: Path) -> list[str]:
    """Requirement and constraint files besides the root requirements.txt (raised, never added
    to: `requirements/common.txt`, `constraints.txt`, `requirements-dev.in`, ...)."""
    return [p for p in requirement_files(root) if p != "requirements.txt"]


def hs_secret_env(config: Config) -> str | None:
    """The variable holding the legacy key when legacy tokens are HS*-signed; else None."""
    legacy = config.legacy_id_token
    return legacy.secret_env if any(a.startswith("HS") for a in legacy.algorithms) else None


def python_files(root: Path, config: Config, exclude: str | None = None) -> dict[str, bytes]:
    """The project's Python files (as the scan discovers them) by relative path, but `exclude`."""
    files: dict[str, bytes] = {}
    resolved = root.resolve()  # relative roots give absolute relpaths
    for source in discover([resolved], resolved, config.scan.exclude):
        if source.relpath == exclude or not source.relpath.endswith(".py"):
            continue
        try:
            files[source.relpath] = source.path.read_bytes()
        except OSError:
            continue
    return files


# --- the planner ----------------------------------------------------------------------------


class _Planner:
    def __init__(
        self, result: ScanResult, config: Config, root: Path, phase: str, rules: RuleSet
    ) -> None:
        if phase not in PHASES:
            raise UsageError(f"--phase: expected one of {', '.join(PHASES)}, got {phase!r}")
        self.result = result
        self.config = config
        self.root = root
        self.phase = phase
        self.rules = rules
        self.risks: list[str] = []
        self._site_bytes: dict[str, bytes] = {}  # the site files, as read once (_site_source)
        self.install = rules.install(VERIFIER_LIBRARY)
        try:
            self.profile = load_provider(config.provider)
        except ProviderProfileError as error:
            raise UsageError(f"provider: {error}") from None

    def plan(self) -> Plan:
        with shared_parses():  # each file parsed and resolved once for all its codemod runs
            return self._plan()

    def _plan(self) -> Plan:
        findings = sorted(
            (f for f in self.result.findings if f.kind == ID_TOKEN_BEARER),
            key=lambda f: (f.path, f.line, f.column),
        )
        drafts = [self._draft(f) for f in findings]
        verifier_path = self._verifier_path(drafts, [g.path for g in self.result.generated])
        bases = self._exception_bases(drafts, verifier_path)
        # Files libcst could not parse: scan errors, and Python 2 files read lexically (legacy.py).
        unparsed = [e.path for e in self.result.errors] + [
            f.path for f in self.result.findings if f.facts.parser == "lexical"
        ]
        floor = python_floor(self.install) or MIN_PYTHON
        blocked = python_refusal(self.root, unparsed, floor)
        deploy = DeployFindings()
        if verifier_path is not None:
            site_files = sorted({d.finding.path for d in drafts if d.action == MIGRATE})
            deploy = deployment_findings(self.root, verifier_path, site_files, floor)
        blocked = blocked or deploy.refusal
        blocked = blocked or self._check_render(bases)
        sites = [self._finish(d, verifier_path, bases) for d in drafts] if not blocked else drafts
        if blocked:
            sites = [
                _replace(s, action=UNSUPPORTED, why=blocked) if s.action == MIGRATE else s
                for s in sites
            ]
            verifier_path = None
        migrating = [s for s in sites if s.action == MIGRATE]
        file_edits = self._file_edits(migrating)
        generate = bool(migrating) or (verifier_path is not None and bool(self.result.generated))
        files, env = self._project_files(verifier_path if generate else None, bool(migrating))
        if not generate:
            deploy = DeployFindings()
        for edit in deploy.edits:
            files.append(FileChangePlan(edit.path, "update", f"ship {edit.entry} ({edit.key})"))
        claims = self._claims(sites)
        secrets = self._secrets(file_edits, verifier_path) if self.phase == "strict" else ()
        handouts = self._handouts(findings, verifier_path)
        steps = [f"required: {h.change()}" for h in handouts]
        steps += self._manual_steps(sites, blocked)
        undecided = self._undecided()
        risks = self._risks(sites, claims, secrets, blocked)
        if handouts:
            where = ", ".join(h.location for h in handouts[:5])
            risks.append(
                f"the app hands out the ID token itself ({where}): its own client gets 401 once "
                "the kill switch, the sunset or strict refuses ID tokens; see the required steps"
            )
        risks += [f"deployment: {note}" for note in deploy.manual]
        env_note = self._unexported_env(env, deploy) if generate else None
        if env_note:
            risks.append(env_note)
            steps.append(env_note)
        if undecided:
            risks.append(
                f"{len(undecided)} ambiguous site{'s' if len(undecided) != 1 else ''} undecided "
                f"({', '.join(u.location for u in undecided[:5])}): see `Undecided`; "
                f"`check` {'fails' if self.config.gate.ambiguous == 'fail' else 'warns'} "
                "until each is decided (gate.ambiguous)"
            )
        return Plan(
            root=str(self.root),
            phase=self.phase,
            provider=self.config.provider,
            config_source=self.config.source,
            sites=tuple(sites),
            verifier_path=verifier_path if generate else None,
            legacy_exceptions=tuple(b for b in bases if b != "pyjwt"),
            libraries=tuple(self.rules.libraries[b] for b in bases),
            files=tuple(files),
            env=tuple(env),
            claims=tuple(claims),
            secrets=tuple(secrets),
            risks=tuple(risks),
            manual_steps=tuple(steps),
            blocked=blocked,
            sunset=self.config.window.sunset,
            kill_switch_env=self.config.window.kill_switch_env,
            scan_errors=tuple(f"{e.path}: {e.message}" for e in self.result.errors),
            undecided=tuple(undecided),
            handouts=tuple(handouts),
            dependency_conflicts=self.pin_conflicts if generate else (),
            install=self.install,
            deploy_edits=deploy.edits,
            file_edits=file_edits,
        )

    # --- sites ------------------------------------------------------------------------------

    def _draft(self, finding: Finding) -> SitePlan:
        rule = self.rules.rule(finding.rule)
        fix = dict(rule.fix) if rule else {}
        codemod = str(fix.get("codemod", MANUAL))
        template = str(fix.get("template", ""))
        key = self._legacy_library(str(fix.get("param.legacy_exception", ""))) or (
            finding.library if finding.library in self.rules.exception_bases else None
        )
        claims = finding.facts.claims_read or ()
        base = SitePlan(finding, MIGRATE, codemod, template, "", key, claims)
        if codemod == MANUAL:
            summary = rule.summary if rule else finding.message
            return _replace(base, action=MANUAL, why=f"migrate by hand: {summary}")
        if codemod not in codemods():
            return _replace(
                base,
                action=UNSUPPORTED,
                why=f"codemod {codemod!r} is not available in this version; migrate by hand",
            )
        return base

    def _legacy_library(self, qualified: str) -> str | None:
        """The library whose `library: base:` is the error a rule's `legacy_exception` names."""
        wanted = _canonical(qualified, self.rules.exception_modules)
        for name, base in self.rules.exception_bases.items():
            if qualified and base.qualified == wanted:
                return name
        return None

    def _finish(self, draft: SitePlan, verifier_path: str | None, bases: list[str]) -> SitePlan:
        if draft.action != MIGRATE or verifier_path is None:
            return draft
        finding = draft.finding
        rule = self.rules.rule(finding.rule)
        spec = rule.arg("token") if rule else None
        params = tuple(
            (k[len("param.") :], str(v))
            for k, v in (rule.fix if rule else ())
            if k.startswith("param.")
        )
        try:
            verifier = verifier_import(self.root, finding.path, verifier_path)
        except SiteUnsafe as error:
            return _replace(draft, action=UNSAFE, why=f"left untouched: {error}")
        edit = SiteEdit(
            finding=finding,
            params=params,
            verifier=verifier,
            token_positions=(spec.position,) if spec and spec.position is not None else (0,),
            token_keywords=spec.keywords if spec and spec.keywords else ("token",),
            package=package_of(self.root, finding.path.rpartition("/")[0]),
            exception_bases=tuple(bases),
            catching=frozenset(n for b in bases for n in self.rules.libraries[b].catching),
            library=self.rules.libraries.get(finding.library),
            first_party=self._first_party(verifier_path),
            imported_by=self._imported_by(draft),
        )
        try:
            source = self._site_source(finding.path)
            migrated = run_codemod(draft.codemod, source, [edit])
        except SiteUnsafe as error:
            return _replace(draft, action=UNSAFE, why=f"left untouched: {error}")
        except OSError as error:
            return _replace(draft, action=UNSAFE, why=f"cannot read the file: {error.strerror}")
        accepts = "accepts access tokens" + (
            " and, until the sunset, legacy ID tokens" if self.phase == "dual" else " only"
        )
        if finding.facts.site == "settings":
            why = (
                f"{finding.facts.qualname or 'the settings'} makes the framework accept the "
                f"ID token as the API credential; its decode handler becomes the generated "
                f"`{decode_handler(edit)}`, which {accepts}"
            )
        else:
            why = (
                f"{finding.facts.qualname or 'the call'}() verifies an ID token as the API "
                f"credential; `{edit.verifier.name}(token)` {accepts}"
            )
        rejections = self._rejections(draft, edit, bases)
        notes = self._site_notes(finding, rejections)
        notes += tuple(
            f"kept {kept}; it fed the old call, review it by hand" for kept in migrated.kept
        )
        return _replace(
            draft,
            why=why,
            edit=edit,
            notes=notes,
            rejections=tuple(rejections),
            after=migrated.after,
        )

    def _site_source(self, path: str) -> bytes:
        """The bytes of a site's file, read once per plan: every edit of the file and the
        SHA-256 `apply` checks come from the same bytes. OSError when it cannot be read."""
        if path not in self._site_bytes:
            self._site_bytes[path] = (self.root / path).read_bytes()
        return self._site_bytes[path]

    def _file_edits(self, migrating: Sequence[SitePlan]) -> tuple[FileEdits, ...]:
        """Per file and codemod, its MIGRATE sites migrated together (one site: its own edit)."""
        groups: dict[tuple[str, str], list[SitePlan]] = {}
        for site in migrating:
            groups.setdefault((site.finding.path, site.codemod), []).append(site)
        out = []
        for (path, codemod), sites in sorted(groups.items()):
            source = self._site_source(path)
            after, unsafe = sites[0].after, ""
            if len(sites) > 1:
                edits = [s.edit for s in sites if s.edit is not None]
                try:
                    after = run_codemod(codemod, source, edits).after
                except SiteUnsafe as error:
                    after, unsafe = None, str(error)
            out.append(FileEdits(path, codemod, sha256(source), after, unsafe))
        return tuple(out)

    def _imported_by(self, draft: SitePlan) -> tuple[tuple[str, str], ...]:
        """The site file's module-level names other project files import (for the codemods
        that refuse an object that escaped), with the first importing file; for
        replace-verify-call also the members of its classes other files name, as `.name`."""
        if draft.codemod not in _FOLLOWS_IMPORTERS:
            return ()
        sources = self._sources()
        source = sources.get(draft.finding.path, b"").decode("utf-8", "replace")
        names = set(_MODULE_NAME.findall(source))
        if draft.codemod != "replace-verify-call":
            return importers_of(draft.finding.path, sorted(names), sources)
        # Its helpers and its class's members go when nobody else uses them.
        names |= set(_MODULE_DEF.findall(source))
        members = {name for pair in _MEMBER.findall(source) for name in pair if name}
        return tuple(
            sorted(
                importers_of(draft.finding.path, sorted(names), sources)
                + member_users(draft.finding.path, sorted(members), sources)
            )
        )

    def _rejections(self, draft: SitePlan, edit: SiteEdit, bases: list[str]) -> list[Rejection]:
        """Per reason, the `except` branch of the site's code that answers it before (the error
        the legacy library raised) and after (the verifier's rejection for that reason)."""
        finding = draft.finding
        try:
            source = self._site_source(finding.path)
        except OSError:
            return []
        names = ExceptionNames.from_edits([edit])
        if "handlers" in edit.param:  # a framework calls the verifier: its clauses answer
            handlers = framework_handlers(edit.param["handlers"])
        else:
            handlers = site_handlers(source, finding.line, finding.column, names)
        known = self.rules.exception_bases
        legacy = known.get(draft.legacy_exception or finding.library or "")
        out = []
        for reason in reasons(self.phase):
            before = "-"
            raised = [e.qualified for e in legacy.by_reason if e.reason == reason] if legacy else []
            unchecked = _UNCHECKED_WITHOUT.get(reason, "")
            if raised and unchecked and finding.facts.role_expr(unchecked) is None:
                before = f"accepted (the call passes no {unchecked})"
            elif raised:
                before = self._branch(handlers, raised)
            after_errors = [
                e.qualified for key in bases for e in known[key].by_reason if e.reason == reason
            ]
            after_errors += [known[key].qualified for key in bases]
            out.append(Rejection(reason, before, self._branch(handlers, after_errors)))
        return out

    def _branch(self, handlers: Sequence[Handler], errors: Sequence[str]) -> str:
        """The answer of the first `except` that catches one of `errors` (or a superclass)."""
        return _branch(
            handlers,
            _ancestry(errors, self.rules.exception_parents),
            self.rules.exception_modules,
        )

    def _sources(self) -> dict[str, bytes]:
        """The project's Python files, read once per plan."""
        if not hasattr(self, "_source_files"):
            self._source_files = python_files(self.root, self.config)
        return self._source_files

    def _first_party(self, verifier_path: str) -> tuple[str, ...]:
        """What isort and ruff call first party here: the modules in their `src` folders (the
        project root and `src/` by default, or `[tool.ruff] src`), the verifier's among them,
        and `known-first-party` / `known_first_party` from pyproject.toml."""
        if not hasattr(self, "_first_party_names"):
            settings = _isort_settings(self.root)
            names = set(settings.get("known", ()))
            for folder in settings.get("src", (".", "src")):
                base = self.root / folder
                names |= {
                    child.stem if child.suffix == ".py" else child.name
                    for child in (base.iterdir() if base.is_dir() else ())
                    if child.suffix == ".py" or (child / "__init__.py").is_file()
                }
                verifier = PurePosixPath(verifier_path)
                if verifier.is_relative_to(folder):  # the verifier is written there
                    names.add(verifier.relative_to(folder).parts[0].removesuffix(".py"))
            self._first_party_names = tuple(sorted(names))
        return self._first_party_names

    def _site_notes(self, finding: Finding, rejections: list[Rejection]) -> tuple[str, ...]:
        handlers = finding.facts.handlers or ()
        notes = []
        same = [
            f"{r.reason} {r.after.partition(' (')[0]}"
            for r in rejections
            if r.before != "-" and r.before == r.after
        ]
        if same:
            notes.append(f"the same `except` branch answers as before: {', '.join(same)}")
        for r in rejections:
            if r.before not in ("-", r.after):
                notes.append(f"{r.reason}: {r.before} before, {r.after} after")
        new: dict[str, list[str]] = {}
        for r in rejections:
            if r.before == "-":
                new.setdefault(r.after, []).append(r.reason)
        for answer, names in new.items():
            notes.append(f"new rejections ({', '.join(names)}): {answer}")
        if not handlers and finding.facts.site != "settings":
            notes.append(
                "no `except` around the call: TokenRejected propagates like the old errors did"
            )
        return tuple(notes)

    def _verifier_path(self, drafts: list[SitePlan], generated: list[str]) -> str | None:
        if self.config.output.module:
            return module_path(self.config.output.module)
        if generated:
            return generated[0]
        first = next((d for d in drafts if d.action == MIGRATE), None)
        if first is None:
            return None
        directory = first.finding.path.rpartition("/")[0]
        path = f"{directory}/{DEFAULT_VERIFIER_NAME}" if directory else DEFAULT_VERIFIER_NAME
        if (self.root / path).exists():
            raise UsageError(
                f"{path} exists and was not generated by idtoken-migrate; set output.module"
            )
        return path

    def _exception_bases(self, drafts: list[SitePlan], verifier_path: str | None) -> list[str]:
        bases = ["pyjwt"]
        for draft in drafts:
            if draft.action == MIGRATE and draft.legacy_exception:
                bases.append(draft.legacy_exception)
        if verifier_path:  # keep what an earlier apply rendered: its sites still catch them
            bases += existing_exception_bases(self.root / verifier_path, self.rules)
        return list(dict.fromkeys(b for b in bases if b in self.rules.exception_bases))

    def _check_render(self, bases: list[str]) -> str | None:
        try:
            render_verifier(
                self.config,
                self.phase,
                legacy_exceptions=bases[1:],
                libraries=self.rules.libraries.values(),
            )
        except UnsupportedProviderError as error:
            return str(error)
        except RenderError as error:
            source = self.config.source or "config"
            raise UsageError(f"{source}: {error}") from None
        return None

    def _undecided(self) -> list[UndecidedSite]:
        """Every `ambiguous` finding, with what would decide it and where the answer goes."""
        out = []
        for f in sorted(
            (f for f in self.result.findings if f.kind == AMBIGUOUS),
            key=lambda f: (f.path, f.line, f.column),
        ):
            decides = f.message.rpartition(": ")[2] if ": " in f.message else f.message
            audience = f.facts.audience_expr
            if audience:
                answer = (
                    f"if `{audience}` is a client id (the call verifies ID tokens), list it under "
                    "legacy_id_token.client_ids and migrate the site; if it is this API's "
                    "identifier, it verifies access tokens: set access_token.audience to it"
                )
            else:
                answer = (
                    "the call checks no audience: if clients send ID tokens here, list their "
                    "client ids under legacy_id_token.client_ids and migrate it by hand; if only "
                    "access tokens, mark it `# idtoken-migrate: ignore["
                    f"{f.rule}]` with the reason"
                )
            out.append(UndecidedSite(f"{f.path}:{f.line}", f.symbol, decides, answer))
        return out

    # --- files, env, claims, secrets --------------------------------------------------------

    def _project_files(
        self, verifier_path: str | None, migrating: bool
    ) -> tuple[list[FileChangePlan], list[EnvChange]]:
        files: list[FileChangePlan] = []
        env: list[EnvChange] = []
        if verifier_path is None:
            return files, env
        exists = (self.root / verifier_path).exists()
        files.append(
            FileChangePlan(
                verifier_path,
                "update" if exists else "create",
                f"the generated verifier ({self.profile.name}, phase {self.phase}): "
                "verify_token(token) -> claims, raises TokenRejected",
            )
        )
        requirements = self.root / "requirements.txt"
        pyproject = self.root / "pyproject.toml"
        handled = False
        facts = self.install
        raised = {c.path for c in self.pin_conflicts if c.raised}
        also = " and the pins that conflict with it"
        if requirements.is_file():
            text = requirements.read_text(encoding="utf-8", errors="replace")
            if migrated_requirements(text, facts, add_missing=True) != text:
                what = f"require {PYJWT_REQUIREMENT}"
                what += also if "requirements.txt" in raised else ""
                files.append(FileChangePlan("requirements.txt", "update", what))
            handled = True
        if pyproject.is_file():
            text = pyproject.read_text(encoding="utf-8", errors="replace")
            handled = handled or update_pyproject(text) is not None
            updated = migrated_pyproject(text, facts)
            if updated is not None and updated != text:
                what = f"require {PYJWT_REQUIREMENT}"
                what += also if "pyproject.toml" in raised else ""
                files.append(FileChangePlan("pyproject.toml", "update", what))
        for path in other_requirement_files(self.root):
            text = (self.root / path).read_text(encoding="utf-8", errors="replace")
            if update_requirements(text, add_missing=False) != text:
                handled = True
            if migrated_requirements(text, facts, add_missing=False) != text:
                what = f"raise PyJWT to {PYJWT_REQUIREMENT}" + (also if path in raised else "")
                files.append(FileChangePlan(path, "update", what))
        for conflict in self.pin_conflicts:
            if conflict.raised is None:
                files.append(FileChangePlan(conflict.location, "manual", conflict.describe()))
        for name in MANUAL_DEPENDENCY_FILES:
            if (self.root / name).is_file():
                text = (self.root / name).read_text(encoding="utf-8", errors="replace")
                for line in pyjwt_lines(text):
                    files.append(
                        FileChangePlan(
                            f"{name}:{line}",
                            "manual",
                            f"PyJWT is listed here: require {PYJWT_REQUIREMENT} instead",
                        )
                    )
                    handled = True
        if not handled:
            files.append(
                FileChangePlan(
                    "requirements.txt or pyproject.toml",
                    "manual",
                    f"add {PYJWT_REQUIREMENT} to the app's dependencies",
                )
            )
        env += self._env_reads()
        secret = hs_secret_env(self.config)
        kill = self.config.window.kill_switch_env
        example = env_example_path(self.config.verifier.env_file)
        env_file = self.root / example
        if self.phase == "dual":
            for name in env_entries("dual", kill, secret):
                why = (
                    "kill switch: set to 1 to refuse legacy ID tokens early"
                    if name == kill
                    else "the legacy client secret, read by the verifier until the sunset"
                )
                env.append(EnvChange(name, "add", why))
            files.append(
                FileChangePlan(
                    example,
                    "update" if env_file.exists() else "create",
                    "list " + ", ".join(e.name for e in env if e.action == "add"),
                )
            )
        else:
            for name in (kill, *([secret] if secret else [])):
                env.append(EnvChange(name, "remove", "strict: the legacy path is gone"))
            if env_file.exists():
                files.append(FileChangePlan(example, "remove-lines", "drop the legacy variables"))
        return files, self._env_sources(env)

    def _env_sources(self, env: list[EnvChange]) -> list[EnvChange]:
        """With verifier.env_file, where the verifier reads each of its variables from."""
        path = self.config.verifier.env_file
        if not path:
            return env
        app = next((x for x in self.settings_loaders if x.env_file == path), None)
        source = f"read from os.environ, then {path} (verifier.env_file" + (
            f", as the app reads it at {app.location})" if app else ")"
        )
        return [
            dataclasses.replace(e, why=f"{e.why}; {source}") if e.action != "remove" else e
            for e in env
        ]

    @cached_property
    def settings_loaders(self) -> list[SettingsLoader]:
        """Where the app loads `.env` (or decouple's settings) and what file each reads."""
        return settings_loaders(python_files(self.root, self.config), self.root)

    def _handouts(self, findings: list[Finding], verifier_path: str | None) -> list[HandOut]:
        """Every place the app hands the provider's ID token to its own client, in a project
        whose API verifies ID tokens (the sites this migration changes) or has been migrated
        (its generated verifier: after dual, before strict, the steps are still required)."""
        if not findings and not self.result.generated:
            return []
        files = python_files(self.root, self.config, exclude=verifier_path)
        out: list[HandOut] = []
        for path, data in sorted(files.items()):
            if len(data) <= _MAX_HANDOUT_BYTES:  # generated tables are no login routes
                out += find_handouts(path, data.decode("utf-8", errors="replace"))
        return out

    def _env_reads(self) -> list[EnvChange]:
        """The app's own variables the verifier reads at start-up: which value comes from which
        (one entry per variable; Cognito's app client id gives the audience and the client ids)."""
        reads: dict[str, list[str]] = {}
        for setting in env_settings(self.config, self.phase):
            reads.setdefault(setting.env, []).append(setting.describe())
        return [EnvChange(name, "read", "; and ".join(why)) for name, why in reads.items()]

    @cached_property
    def pin_conflicts(self) -> tuple[PinConflict, ...]:
        """The project's pins that cannot install with the verifier's library, in every
        dependency file (read as found: the PyJWT raise does not change other pins)."""
        facts = self.install
        if facts is None:
            return ()
        out: list[PinConflict] = []
        for path in requirement_files(self.root):
            out += requirement_conflicts(path, self._text(path), facts)
        if (self.root / "pyproject.toml").is_file():
            out += pyproject_conflicts(self._text("pyproject.toml"), facts)
        for name in MANUAL_DEPENDENCY_FILES:
            if (self.root / name).is_file():
                out += manual_conflicts(name, self._text(name), facts)
        return tuple(out)

    def _unexported_env(self, env: list[EnvChange], deploy: DeployFindings) -> str | None:
        """The plan's note when the app loads .env without exporting it to os.environ."""
        names = [change.name for change in env if change.action == "add"]
        if not names:
            return None
        return unexported_env_note(
            self.settings_loaders,
            names,
            _env_home(deploy.descriptors),
            self.config.verifier.env_file,
        )

    def _text(self, path: str) -> str:
        return (self.root / path).read_text(encoding="utf-8", errors="replace")

    def _claims(self, sites: list[SitePlan]) -> list[ClaimStatus]:
        """Each claim the legacy code reads that matters here (an ID-token claim, one the
        provider profile names under `user_claims:`, or a mapped one): where it is read and
        whether the access token carries it."""
        claim_map = self.config.claim_map
        id_claims = load_signals().id_claims
        read: dict[str, list[str]] = {}
        along: dict[str, list[claimflow.Read]] = {}
        for site in sites:
            for claim in site.claims_read:
                read.setdefault(claim, []).append(site.location)
            for item in claimflow.decode(site.finding.facts.claims_read_at or ""):
                known = self.profile.user_claim(item.claim) or item.claim in claim_map
                if known or item.claim in id_claims:
                    along.setdefault(item.claim, []).append(item)
                    where = read.setdefault(item.claim, [])
                    if site.location not in where:
                        where.append(site.location)
        for claim in claim_map:
            read.setdefault(claim, [])
        out = []
        for claim, where in sorted(read.items()):
            fact = self.profile.user_claim(claim)
            status = fact.access_token if fact else ("absent" if claim in id_claims else "unknown")
            note = fact.note if fact else (self.profile.email_note if claim == "email" else "")
            if fact and fact.renamed_to:
                note = f"as `{fact.renamed_to}`: {note}" if note else f"as `{fact.renamed_to}`"
            source = claim_map.get(claim) or (
                claim if claim in SHARED_CLAIMS or status == "carried" else None
            )
            items = along.get(claim, [])
            lines: tuple[str, ...] = ()
            if source is None and where:
                failing = [r.where for r in items if r.how in claimflow.FAILING]
                found = {*claim_read_lines(self._sources(), claim), *failing}
                lines = tuple(sorted(found, key=_path_line))
            reads = tuple(dict.fromkeys(f"{r.where} ({r.how})" for r in items))
            out.append(
                ClaimStatus(
                    claim, source, source is not None, tuple(where), lines, status, note, reads
                )
            )
        return out

    def _secrets(
        self, file_edits: Sequence[FileEdits], verifier_path: str | None
    ) -> list[SecretSetting]:
        env_name = self.config.legacy_id_token.secret_env
        if not env_name:
            return []
        files = python_files(self.root, self.config, exclude=verifier_path)
        files.update(migrated_files(file_edits))  # judge them as they will be
        return list(find_secret_settings(files, env_name))

    # --- manual steps and risks -------------------------------------------------------------

    def _manual_steps(self, sites: list[SitePlan], blocked: str | None) -> list[str]:
        steps = []
        if blocked and self.profile.instead:
            steps.append(self.profile.instead)
        if self.config.two_issuers and not blocked:
            steps.append(self._two_issuers_step())
        steps += manual_steps(self.profile, self.config)
        for site in sites:
            if site.action != MIGRATE:
                steps.append(f"{site.location} ({site.finding.rule}): {site.why}")
        return steps

    def _two_issuers_step(self) -> str:
        """What a legacy issuer of its own means for this phase (docs/providers.md)."""
        config = self.config
        try:
            legacy = load_provider(config.legacy_provider)
        except ProviderProfileError as error:
            raise UsageError(f"legacy_id_token.provider: {error}") from None
        spellings = legacy.issuer_spellings(config.legacy_issuer)
        try:
            keys = config.legacy_id_token.jwks_uri or jwks_uri_for(legacy, config.legacy_issuer)
        except ProviderProfileError:
            keys = "legacy_id_token.jwks_uri"
        issuer = f"{spellings[0]}" + (
            f" (also {', '.join(spellings[1:])})" if spellings[1:] else ""
        )
        new = f"access tokens come from {config.issuer} ({self.profile.name})"
        if self.phase == "strict":
            return (
                f"Two issuers: strict removes the legacy issuer {issuer} ({legacy.name}) "
                f"entirely: no rule, no keys from {keys} are fetched, its ID tokens are refused; "
                f"{new} only."
            )
        sunset = config.window.sunset
        until = f"until the sunset ({sunset.isoformat()})" if sunset else "until the sunset"
        return (
            f"Two issuers: {new}; legacy ID tokens of {legacy.name} ({issuer}, keys {keys}, "
            f"client ids {', '.join(config.legacy_id_token.client_ids) or '-'}) stay accepted "
            f"{until} by their own rule. The verifier reads `iss` first and checks each token "
            "with its issuer's keys and provider rules only; `apply --phase strict` removes the "
            f"legacy issuer. Clients sign in at {config.issuer} and send its access tokens for "
            f"{', '.join(config.access_token.audience) or '(access_token.audience)'}."
        )

    def _risks(
        self,
        sites: list[SitePlan],
        claims: list[ClaimStatus],
        secrets: list[SecretSetting],
        blocked: str | None,
    ) -> list[str]:
        risks = []
        if blocked:
            risks.append(f"apply cannot run: {blocked}")
        if not blocked and any(s.action == MIGRATE for s in sites):
            risks += [conflict.describe() for conflict in self.pin_conflicts]
        for claim in claims:
            if not claim.provided:
                where = ", ".join(claim.read_lines or claim.reads or claim.read_at)
                if (claim.read_lines or claim.reads) and claim.read_at:
                    where += f"; verified at {', '.join(claim.read_at)}"
                where = f" (read at {where})" if where else ""
                carries = {
                    "absent": "do not carry it",
                    "renamed": "carry it under another name",
                    "configurable": "carry it only when configured to",
                }.get(claim.access_token, "may not carry it")
                why = claim.note or self.profile.email_note or "see the provider docs"
                risks.append(
                    f"unmapped claim `{claim.claim}`{where}: access tokens from "
                    f"{self.profile.name} {carries}; map it under `claims:` ({why})"
                )
        for site in sites:
            if site.action in (UNSAFE, UNSUPPORTED):
                risks.append(f"{site.location}: {site.why}")
        risks += self._secret_encoding_risks(sites)
        risks += self._jwks_risks()
        for secret in secrets:
            if not secret.removable:
                risks.append(f"legacy secret stays: {secret.path}:{secret.line}: {secret.reason}")
        unverified = [f for f in self.result.findings if f.kind == UNVERIFIED_DECODE]
        if unverified:
            where = ", ".join(f"{f.path}:{f.line}" for f in unverified[:5])
            risks.append(
                f"{len(unverified)} unverified decode(s) ({where}): apply does not touch them"
            )
        sunset = self.config.window.sunset
        today = dt.date.today()
        if self.phase == "dual" and sunset is not None and sunset <= today:
            risks.append(f"the sunset ({sunset}) has passed: the dual verifier refuses ID tokens")
        if self.phase == "strict" and (sunset is None or sunset > today):
            risks.append(
                "strict before the sunset: clients still sending ID tokens get 401 "
                "(apply --phase strict needs --force)"
            )
        for error in self.result.errors:
            risks.append(f"not scanned: {error.path}: {error.message}")
        return risks

    def _jwks_risks(self) -> list[str]:
        """An issuer read at start-up whose keys cannot follow it: the JWKS URL is not under it."""
        config = self.config
        if not config.issuer_env or not config.issuer:
            return []
        try:
            jwks = config.jwks_uri or jwks_uri_for(self.profile, config.issuer)
        except ProviderProfileError:
            return []
        if jwks_suffix(config.issuer, jwks) is not None:
            return []
        return [
            f"issuer_env: the issuer is read from ${config.issuer_env} at start-up but the JWKS "
            f"URL stays {jwks} (it is not under the issuer): a deployment with another issuer "
            "needs its own jwks_uri"
        ]

    def _secret_encoding_risks(self, sites: list[SitePlan]) -> list[str]:
        """Sites whose key expression derives the HMAC key otherwise than the config says."""
        if self.phase != "dual" or not hs_secret_env(self.config):
            return []
        configured = self.config.legacy_id_token.secret_encoding
        risks = []
        for site in sites:
            key_expr = site.finding.facts.key_expr or ""
            traced = secret_encoding(key_expr) if key_expr else None
            if site.action == MIGRATE and traced is not None and traced != configured:
                risks.append(
                    f"{site.location}: the code decodes the client secret as {traced} "
                    f"(`{key_expr}`) but legacy_id_token.secret_encoding is {configured}: every "
                    f"legacy ID token would fail its signature check; set it to {traced}"
                )
        return risks


def _path_line(where: str) -> tuple[str, int]:
    path, _, line = where.rpartition(":")
    return path, int(line) if line.isdigit() else 0


def _env_home(descriptors: Sequence[str]) -> str:
    """Where a deployed app's process environment is set, from its descriptors."""
    for path in descriptors:
        name = PurePosixPath(path).name
        if name.startswith("serverless."):
            return f"in {path} under provider.environment (the functions' environment)"
        if name.startswith("template."):
            return f"in {path} under the function's Environment.Variables"
        if name.startswith("Dockerfile"):
            return f"with ENV in {path} or in the container's environment"
    return (
        "in the process environment (the service's unit, container or CI secrets), or load .env "
        "with python-dotenv's `load_dotenv()` at start-up"
    )


def claim_read_lines(files: dict[str, bytes], claim: str) -> tuple[str, ...]:
    """ "path:line" of every `x["claim"]` in `files` (the generated verifier excluded): where the
    code reads the claim so that a token without it fails (a KeyError; `.get()` does not).
    Text only."""
    quoted = rf"""['"]{re.escape(claim)}['"]"""
    pattern = re.compile(rf"\[\s*{quoted}\s*\]".encode())
    out = []
    for path, data in sorted(files.items()):
        if b"idtoken-migrate" in data[:200] and b"Do not edit by hand" in data[:400]:
            continue  # the generated verifier
        for match in pattern.finditer(data):
            line = data.count(b"\n", 0, match.start()) + 1
            out.append(f"{path}:{line}")
    return tuple(out)


def _isort_settings(root: Path) -> dict[str, tuple[str, ...]]:
    """`src` folders and known first-party modules from the project's ruff or isort settings."""
    path = root / "pyproject.toml"
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    tool = data.get("tool", {}) if isinstance(data.get("tool"), dict) else {}
    ruff = tool.get("ruff", {}) if isinstance(tool.get("ruff"), dict) else {}
    lint = ruff.get("lint", {}) if isinstance(ruff.get("lint"), dict) else {}
    ruff_isort = lint.get("isort", ruff.get("isort", {}))
    isort = tool.get("isort", {}) if isinstance(tool.get("isort"), dict) else {}
    out: dict[str, tuple[str, ...]] = {}
    src = ruff.get("src") or isort.get("src_paths")
    if isinstance(src, list) and all(isinstance(item, str) for item in src):
        out["src"] = tuple(src)
    known = []
    for table, key in ((ruff_isort, "known-first-party"), (isort, "known_first_party")):
        value = table.get(key) if isinstance(table, dict) else None
        if isinstance(value, list):
            known += [item for item in value if isinstance(item, str)]
    out["known"] = tuple(known)
    return out


def _ancestry(errors: Sequence[str], parents: dict[str, str]) -> list[str]:
    """`errors` and every class each one subclasses (`parents`), up to BaseException."""
    out: list[str] = []
    for error in errors:
        while error and error not in out:
            out.append(error)
            error = parents.get(error, "BaseException" if error != "BaseException" else "")
    return out


def _branch(handlers: Sequence[Handler], ancestry: Sequence[str], modules: dict[str, str]) -> str:
    """The answer of the first `except` that catches an error of `ancestry`."""
    wanted = {_canonical(name, modules) for name in ancestry}
    for handler in handlers:
        if wanted & {_canonical(name, modules) for name in handler.caught}:
            where = f"line {handler.line}" if handler.line else "in the framework"
            return f"{handler.answer} (`except {handler.code}`, {where})"
    return "propagates (no `except` around the call catches it)"


def _canonical(qualified: str, modules: dict[str, str]) -> str:
    """One name per legacy error, however the code reached it (jwt.exceptions.X is jwt.X)."""
    module, _, name = qualified.rpartition(".")
    return f"{modules.get(module, module)}.{name}" if module else name


def migrated_files(file_edits: Sequence[FileEdits]) -> dict[str, bytes]:
    """The new bytes of every file with MIGRATE sites, as `apply` accepting everything writes
    them: one codemod per file and run (the first whose edits are together safe; the next
    `apply` does the rest); a file whose edits are together unsafe stays as it is."""
    out: dict[str, bytes] = {}
    for edits in file_edits:
        if edits.after is not None:
            out.setdefault(edits.path, edits.after)
    return out


_TOKEN_REJECTED = re.compile(r"^class TokenRejected\((?P<bases>[^)]*)\):", re.M)


def existing_exception_bases(path: Path, rules: RuleSet) -> list[str]:
    """The libraries whose error a previously generated verifier's TokenRejected subclasses."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    match = _TOKEN_REJECTED.search(text)
    if match is None:
        return []
    names = {name.strip() for name in match["bases"].split(",")}
    return [key for key, base in rules.exception_bases.items() if base.name in names]


def _replace(site: SitePlan, **changes: Any) -> SitePlan:
    return dataclasses.replace(site, **changes)
