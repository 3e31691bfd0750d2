"""Rule packs: YAML files under `rules/` (and `--rules DIR`) that say what to match and how.

The format is documented in docs/rules.md. Loading validates every key and names the file and
line of a mistake, because users write their own packs.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from idtoken_migrate.config import PROVIDERS, yamlcache, yamlfile
from idtoken_migrate.config.library import ExceptionBase, LibraryFacts, parse_library
from idtoken_migrate.config.yamlfile import (
    YamlFileError,
    check_keys,
    line_of,
    require,
    str_list,
)
from idtoken_migrate.model import RuleInfo, UsageError
from idtoken_migrate.resources import rules_dir

# Argument roles a rule can bind; the analyzer knows what each one means.
ROLES = ("token", "key", "audience", "issuer", "algorithms", "options", "claims_cls", "client_id")
# What a rule asserts about the token it verifies, before any evidence is weighed.
TOKEN_HINTS = ("id", "access", "unverified", None)
MATCH_FORMS = ("call", "method", "settings", "claim_check")
STRENGTHS = {"strong": 3, "medium": 2, "weak": 1, "none": 0}

_PACK_KEYS = {"pack", "library", "description", "docs_url", "prefilter", "rules", "install"}
_INSTALL_KEYS = {"python", "requires", "incompatible"}
_INCOMPATIBLE_KEYS = {"package", "versions", "why", "raise_to", "instead"}
_RULE_KEYS = {
    "id",
    "name",
    "summary",
    "help",
    "docs_url",
    "match",
    "args",
    "token",
    "unverified",
    "weights",
    "provider",
    "fix",
    "examples",
}
_MATCH_KEYS = {"call", "method", "settings", "claim_check"}
_METHOD_KEYS = {"classes", "names"}
_SETTINGS_KEYS = {"targets", "roles"}
_UNVERIFIED_KEYS = {"options_false", "keyword_false", "always"}
_FIX_KEYS = {"codemod", "template", "params"}
_EXAMPLE_KEYS = {"positive", "negative"}


@dataclass(frozen=True)
class ArgSpec:
    role: str
    position: int | None
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    pack: str
    library: str
    summary: str
    help: str
    docs_url: str
    form: str  # one of MATCH_FORMS
    qualnames: tuple[str, ...] = ()  # call: callee; method: the classes the receiver was built from
    method_names: tuple[str, ...] = ()
    settings_targets: tuple[str, ...] = ()
    settings_roles: tuple[tuple[str, str], ...] = ()  # dict key -> role
    claim_check_keys: tuple[str, ...] = ()
    args: tuple[ArgSpec, ...] = ()
    token: str | None = None  # TOKEN_HINTS
    unverified_options: tuple[str, ...] = ()
    unverified_keywords: tuple[str, ...] = ()
    always_unverified: bool = False
    weights: tuple[tuple[str, int], ...] = ()  # signal -> strength override
    provider: str | None = None
    fix: tuple[tuple[str, Any], ...] = ()
    positive_example: str = ""
    negative_example: str = ""
    source: str = ""  # file the rule came from

    @property
    def info(self) -> RuleInfo:
        return RuleInfo(
            id=self.id,
            name=self.name,
            library=self.library,
            summary=self.summary,
            help=self.help,
            docs_url=self.docs_url,
            pack=self.pack,
        )

    def arg(self, role: str) -> ArgSpec | None:
        for spec in self.args:
            if spec.role == role:
                return spec
        return None

    def weight(self, signal: str, default: int) -> int:
        return dict(self.weights).get(signal, default)

    @property
    def last_names(self) -> frozenset[str]:
        """Bare trailing names that can start a match: the cheap test before qualified names."""
        if self.form == "method":
            return frozenset(self.method_names)
        return frozenset(q.rsplit(".", 1)[-1] for q in self.qualnames)


@dataclass(frozen=True)
class InstallFacts:
    """What installing the pack's library needs, from its own metadata: the Python it supports
    (a specifier) and the requirements it pulls in (PEP 508, markers allowed)."""

    python: str = ""
    requires: tuple[str, ...] = ()
    source: str = ""
    incompatible: tuple[Incompatible, ...] = ()


@dataclass(frozen=True)
class Incompatible:
    """Releases of another package that cannot install beside what the migration installs
    (their metadata caps it: djangorestframework-jwt requires PyJWT<2.0.0) or cannot run with
    it: a project pinning one of them needs the pin changed. `raise_to` is the first release
    that works; `instead` what to do when there is none (or it changed its API)."""

    package: str
    versions: str  # a version specifier of `package` (empty: every release)
    why: str  # the fact, from the package's own metadata or code
    raise_to: str = ""  # a version specifier (`>=1.19.0`) apply raises the pin to
    instead: str = ""  # the change to make by hand


@dataclass(frozen=True)
class RulePack:
    name: str
    library: str
    description: str
    prefilter: tuple[bytes, ...]
    rules: tuple[Rule, ...]
    source: str
    digest: str = field(default="", compare=False)
    facts: LibraryFacts | None = None  # the `library:` block (None: a name only)
    install: InstallFacts | None = None

    @cached_property
    def import_gate(self) -> re.Pattern[bytes] | None:
        """A file can only match this pack if it imports one of its modules: qualified names
        come from imports alone. None when a rule matches without an import (settings, claims)."""
        if any(r.form not in ("call", "method") for r in self.rules):
            return None
        return _import_pattern(
            tuple(sorted({q.split(".", 1)[0] for r in self.rules for q in r.qualnames}))
        )

    def may_match(self, data: bytes) -> bool:
        """Cheap raw-bytes tests, most selective last: a literal, then an import statement."""
        if not any(lit in data for lit in self.prefilter):
            return False
        gate = self.import_gate
        return gate is None or gate.search(data) is not None


@lru_cache(maxsize=16)
def _minimal_literals(literals: tuple[bytes, ...]) -> tuple[bytes, ...]:
    unique = sorted(set(literals), key=len)
    return tuple(lit for i, lit in enumerate(unique) if not any(s in lit for s in unique[:i]))


@lru_cache(maxsize=64)
def _import_pattern(modules: tuple[str, ...]) -> re.Pattern[bytes]:
    names = b"|".join(re.escape(m.encode()) for m in modules)
    # `import a, jwt as x`, `from jose import jwt`, `import jose.jwt`, also indented or after `;`.
    return re.compile(
        rb"(?m)(?:^|;)[ \t]*(?:from[ \t]+(?:"
        + names
        + rb")\b|import[ \t][^\n#]*\b(?:"
        + names
        + rb")\b)"
    )


@dataclass(frozen=True)
class RuleSet:
    packs: tuple[RulePack, ...]

    @cached_property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(r for p in self.packs for r in p.rules)

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for p in self.packs:
            h.update(p.digest.encode())
        return h.hexdigest()[:16]

    def install(self, library: str) -> InstallFacts | None:
        """The install facts of `library`'s pack (`install:`), or None."""
        for pack in self.packs:
            if pack.library == library and pack.install is not None:
                return pack.install
        return None

    def rule(self, rule_id: str) -> Rule | None:
        for r in self.rules:
            if r.id == rule_id:
                return r
        return None

    @cached_property
    def libraries(self) -> dict[str, LibraryFacts]:
        """The migration facts of each library whose pack has a `library:` block, by name."""
        return {p.facts.name: p.facts for p in self.packs if p.facts is not None}

    @cached_property
    def exception_bases(self) -> dict[str, ExceptionBase]:
        """The libraries whose error TokenRejected can subclass, by library name."""
        return {name: f.base for name, f in self.libraries.items() if f.base is not None}

    @cached_property
    def exception_parents(self) -> dict[str, str]:
        """Every library's `parents`, and the builtins': which class each one subclasses."""
        out = {name: parent for f in self.libraries.values() for name, parent in f.parents}
        return {**out, "ValueError": "Exception", "Exception": "BaseException"}

    @cached_property
    def exception_modules(self) -> dict[str, str]:
        """Modules that re-export a library's errors -> the module `parents` names them by."""
        return {m: home for f in self.libraries.values() for m, home in f.reexports}

    @cached_property
    def quick_literals(self) -> tuple[bytes, ...]:
        """The fewest literals that still reject every file no pack could match: a literal that
        contains another (`cognitojwt` holds `jwt`) adds nothing to that first, cheapest pass."""
        return _minimal_literals(tuple(lit for p in self.packs for lit in p.prefilter))

    def packs_for(self, data: bytes) -> tuple[RulePack, ...]:
        """The packs that may match a file, judged from its raw bytes without parsing."""
        if not any(lit in data for lit in self.quick_literals):
            return ()  # most files of a tree end here
        return tuple(p for p in self.packs if p.may_match(data))


def _parse_args(raw: Any, source: str, where: str) -> tuple[ArgSpec, ...]:
    if raw is None:
        return ()
    check_keys(raw, set(ROLES), source, where)
    specs = []
    for role, spec in raw.items():
        items = spec if isinstance(spec, list) else [spec]
        position = None
        keywords = []
        for item in items:
            if isinstance(item, int) and not isinstance(item, bool):
                position = item
            elif isinstance(item, str):
                keywords.append(item)
            else:
                raise YamlFileError(
                    source, line_of(raw, role), f"{where}.{role}", "expected positions and names"
                )
        specs.append(ArgSpec(role, position, tuple(keywords)))
    return tuple(specs)


def _parse_rule(
    raw: Any, pack: str, library: str, source: str, index: int, codemod: str = ""
) -> Rule:
    where = f"rules[{raw['id']}]" if isinstance(raw, dict) and "id" in raw else f"rules[{index}]"
    check_keys(raw, _RULE_KEYS, source, where)
    require(raw, ("id", "name", "summary", "match"), source, where)
    rid = raw["id"]
    if not isinstance(rid, str) or not rid.strip():
        raise YamlFileError(source, line_of(raw, "id"), f"{where}.id", "expected a rule id string")
    where = f"rules[{rid}]"
    match = raw["match"]
    check_keys(match, _MATCH_KEYS, source, f"{where}.match")
    forms = [k for k in MATCH_FORMS if k in match]
    if len(forms) != 1:
        raise YamlFileError(
            source, line_of(raw, "match"), f"{where}.match", f"needs exactly one of {MATCH_FORMS}"
        )
    form = forms[0]
    kwargs: dict[str, Any] = {}
    if form == "call":
        kwargs["qualnames"] = str_list(match, "call", source, f"{where}.match")
    elif form == "method":
        method = match["method"]
        check_keys(method, _METHOD_KEYS, source, f"{where}.match.method")
        kwargs["qualnames"] = str_list(method, "classes", source, f"{where}.match.method")
        kwargs["method_names"] = str_list(method, "names", source, f"{where}.match.method")
    elif form == "settings":
        settings = match["settings"]
        check_keys(settings, _SETTINGS_KEYS, source, f"{where}.match.settings")
        kwargs["settings_targets"] = str_list(
            settings, "targets", source, f"{where}.match.settings"
        )
        roles = settings.get("roles", {})
        if not isinstance(roles, dict) or any(v not in ROLES for v in roles.values()):
            raise YamlFileError(
                source,
                line_of(settings, "roles"),
                f"{where}.match.settings.roles",
                f"roles: {ROLES}",
            )
        kwargs["settings_roles"] = tuple((str(k), str(v)) for k, v in roles.items())
    else:
        kwargs["claim_check_keys"] = str_list(match, "claim_check", source, f"{where}.match")
    token = raw.get("token")
    if token not in TOKEN_HINTS:
        raise YamlFileError(
            source, line_of(raw, "token"), f"{where}.token", f"one of {TOKEN_HINTS[:-1]} or null"
        )
    unverified = raw.get("unverified") or {}
    check_keys(unverified, _UNVERIFIED_KEYS, source, f"{where}.unverified")
    weights_raw = raw.get("weights") or {}
    if not isinstance(weights_raw, dict) or any(v not in STRENGTHS for v in weights_raw.values()):
        raise YamlFileError(
            source, line_of(raw, "weights"), f"{where}.weights", f"values: {list(STRENGTHS)}"
        )
    fix = raw.get("fix") or {}
    check_keys(fix, _FIX_KEYS, source, f"{where}.fix")
    if codemod and "codemod" not in fix:  # the library's codemod, unless the rule names one
        fix = {**fix, "codemod": codemod}
    params = fix.get("params") or {}
    if not isinstance(params, dict) or any(isinstance(v, (dict, list)) for v in params.values()):
        raise YamlFileError(
            source, line_of(fix, "params"), f"{where}.fix.params", "expected name: value pairs"
        )
    provider = raw.get("provider")
    if provider is not None and provider not in PROVIDERS:
        raise YamlFileError(
            source, line_of(raw, "provider"), f"{where}.provider", f"one of {', '.join(PROVIDERS)}"
        )
    examples = raw.get("examples") or {}
    check_keys(examples, _EXAMPLE_KEYS, source, f"{where}.examples")
    return Rule(
        id=str(rid),
        name=str(raw["name"]),
        pack=pack,
        library=library,
        summary=str(raw["summary"]).strip(),
        help=str(raw.get("help", "")).strip(),
        docs_url=str(raw.get("docs_url", "")),
        form=form,
        args=_parse_args(raw.get("args"), source, f"{where}.args"),
        token=token,
        unverified_options=str_list(unverified, "options_false", source, f"{where}.unverified"),
        unverified_keywords=str_list(unverified, "keyword_false", source, f"{where}.unverified"),
        always_unverified=bool(unverified.get("always", False)),
        weights=tuple((k, STRENGTHS[v]) for k, v in weights_raw.items()),
        provider=provider,
        fix=tuple(sorted((str(k), v) for k, v in fix.items() if k != "params"))
        + tuple(sorted(("param." + str(k), v) for k, v in params.items())),
        positive_example=str(examples.get("positive", "")),
        negative_example=str(examples.get("negative", "")),
        source=source,
        **kwargs,
    )


def load_pack(path: Path) -> RulePack:
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{source}: cannot read rule pack: {exc.strerror or exc}") from None
    return yamlcache.load(
        data,
        lambda: yamlfile.parse(data, source, unique_keys=True),
        lambda raw: _build_pack(raw, data, source),
    )


def _build_pack(raw: Any, data: bytes, source: str) -> RulePack:
    check_keys(raw, _PACK_KEYS, source, "")
    require(raw, ("pack", "library", "prefilter", "rules"), source, "")
    prefilter = str_list(raw, "prefilter", source, "")
    if not prefilter:
        raise YamlFileError(
            source, line_of(raw, "prefilter"), "prefilter", "needs at least one literal"
        )
    if not isinstance(raw["rules"], list):
        raise YamlFileError(source, line_of(raw, "rules"), "rules", "expected a list")
    facts = parse_library(raw["library"], source)
    rules = tuple(
        _parse_rule(r, str(raw["pack"]), facts.name, source, i, facts.codemod)
        for i, r in enumerate(raw["rules"])
    )
    return RulePack(
        name=str(raw["pack"]),
        library=facts.name,
        facts=facts if isinstance(raw["library"], dict) else None,
        description=str(raw.get("description", "")).strip(),
        prefilter=tuple(p.encode() for p in prefilter),
        rules=rules,
        source=source,
        digest=hashlib.sha256(data).hexdigest(),
        install=_parse_install(raw.get("install"), source),
    )


def _parse_install(raw: Any, source: str) -> InstallFacts | None:
    """`install:`: `python` a version specifier, `requires` PEP 508 requirements."""
    if raw is None:
        return None
    check_keys(raw, _INSTALL_KEYS, source, "install")
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    python = str(raw.get("python", ""))
    try:
        SpecifierSet(python)
    except InvalidSpecifier:
        raise YamlFileError(
            source, line_of(raw, "python"), "install.python", "not a version specifier"
        ) from None
    requires = str_list(raw, "requires", source, "install")
    for requirement in requires:
        try:
            Requirement(requirement)
        except InvalidRequirement as exc:
            raise YamlFileError(
                source, line_of(raw, "requires"), "install.requires", str(exc)
            ) from None
    return InstallFacts(python, requires, source, _parse_incompatible(raw, source))


def _parse_incompatible(raw: Any, source: str) -> tuple[Incompatible, ...]:
    """`install.incompatible:` a list of {package, versions, why, raise_to | instead}."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    entries = raw.get("incompatible") or []
    if not isinstance(entries, list):
        raise YamlFileError(
            source, line_of(raw, "incompatible"), "install.incompatible", "expected a list"
        )
    out = []
    for index, entry in enumerate(entries):
        where = f"install.incompatible[{index}]"
        check_keys(entry, _INCOMPATIBLE_KEYS, source, where)
        line = line_of(entry)
        for key in ("package", "why"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise YamlFileError(
                    source, line_of(entry, key) or line, f"{where}.{key}", "expected text"
                )
        if ("raise_to" in entry) == ("instead" in entry):
            raise YamlFileError(source, line, where, "needs exactly one of raise_to, instead")
        for key in ("versions", "raise_to"):
            try:
                SpecifierSet(str(entry.get(key, "")))
            except InvalidSpecifier:
                raise YamlFileError(
                    source, line_of(entry, key), f"{where}.{key}", "not a version specifier"
                ) from None
        out.append(
            Incompatible(
                entry["package"],
                str(entry.get("versions", "")),
                entry["why"],
                str(entry.get("raise_to", "")),
                str(entry.get("instead", "")),
            )
        )
    return tuple(out)


def pack_files(directory: Path) -> list[Path]:
    """Library packs of a folder: `*.yaml` at its top (provider profiles live in `providers/`)."""
    return sorted(p for p in directory.glob("*.y*ml") if p.is_file() and p.name != "signals.yaml")


def load_rules(extra_dirs: tuple[Path, ...] = (), *, bundled: bool = True) -> RuleSet:
    """The bundled packs plus the user's; a rule id defined twice is an error naming both files."""
    dirs = tuple(([rules_dir()] if bundled else []) + [Path(d) for d in extra_dirs])
    stamp = tuple((p, p.stat().st_mtime_ns) for d in dirs if d.is_dir() for p in pack_files(d))
    return _load_rules(dirs, stamp)


@lru_cache(maxsize=8)
def _load_rules(dirs: tuple[Path, ...], stamp: tuple[tuple[Path, int], ...]) -> RuleSet:
    # Cached per folder set and file mtimes: plan and apply load the rules more than once a run.
    packs: list[RulePack] = []
    seen: dict[str, str] = {}
    facts: dict[str, str] = {}  # library -> the pack that gave its `library:` block
    for directory in dirs:
        if not directory.is_dir():
            raise UsageError(f"{directory}: rules folder does not exist")
        for path in pack_files(directory):
            pack = load_pack(path)
            for rule in pack.rules:
                if rule.id in seen:
                    raise UsageError(
                        f"{path}: rule id {rule.id} is already defined in {seen[rule.id]}"
                    )
                seen[rule.id] = str(path)
            if pack.facts is not None:
                if pack.library in facts:
                    raise UsageError(
                        f"{path}: library {pack.library}'s facts are already given in "
                        f"{facts[pack.library]}; give them in one pack"
                    )
                facts[pack.library] = str(path)
            packs.append(pack)
    return RuleSet(tuple(packs))
