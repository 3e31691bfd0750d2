"""The starter `idtoken-migrate.yaml` that `init` writes: every key explained in a comment,
prefilled from a scan's findings where the code shows the value, placeholders (which `plan`,
`apply` and `check` refuse until replaced) where it does not. The output always loads."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from idtoken_migrate.config import (
    HMAC_ALGORITHMS,
    PROVIDERS,
    Config,
    WindowConfig,
    yamlfile,
)
from idtoken_migrate.config.envtrace import EnvSource
from idtoken_migrate.config.file import (
    _AUDIENCE_PLACEHOLDER,
    _CLIENT_ID_PLACEHOLDER,
    _SECRET_ENV_PLACEHOLDER,
)
from idtoken_migrate.model import (
    ACCESS_TOKEN,
    ID_TOKEN_BEARER,
    UNVERIFIED_DECODE,
    Finding,
    ScanResult,
    UsageError,
)
from idtoken_migrate.vocabulary import JWS_ALGORITHMS

if TYPE_CHECKING:
    from idtoken_migrate.config.providers import ProviderProfile

# The algorithm names legacy code shows (ES256K too: named, then refused by the config checks).
_ALGORITHM = re.compile(r"\b(?:" + "|".join((*JWS_ALGORITHMS, "ES256K")) + r")\b")
_ENV_LIKE = re.compile(r"[A-Z][A-Z0-9_]{2,}")
_ENV_READ = re.compile(
    r"""(?:environ(?:\.get)?\s*[\[(]|getenv\s*\()\s*["']([A-Za-z_][A-Za-z0-9_]*)["']"""
)
_STRING_LITERAL = re.compile(r"""^[rbu]?(["'])(.*)\1$""", re.S)
_STARTER_SUNSET_DAYS = 90
_MAX_LISTED_SITES = 20


def render_starter_config(result: ScanResult | None = None, *, today: dt.date | None = None) -> str:
    """A commented `idtoken-migrate.yaml`, prefilled from a scan's findings when given.

    Every key is explained in a comment; values that could not be derived are placeholders marked
    `TODO`. The output always passes `load_config`.
    """
    facts = _StarterFacts.from_result(result)
    values = _StarterValues.choose(facts)
    today = today or dt.date.today()
    out = [
        *_header_lines(result, facts),
        *_provider_lines(facts, values),
        *_issuer_lines(facts, values),
        *_phase_lines(),
        *_access_token_lines(facts, values),
        *_legacy_lines(facts, values),
        *_window_lines(today + dt.timedelta(days=_STARTER_SUNSET_DAYS)),
        *_claims_lines(facts),
        *_output_lines(),
        *_verifier_lines(result),
        *_scan_lines(),
        *facts.inventory(),
    ]
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class _StarterValues:
    """What the starter writes where the scan left a choice: the provider, the issuer, the
    audience and the legacy algorithms."""

    provider: str
    # Google Sign-In: Google issues no JWT access tokens for the API, so the access tokens come
    # from another issuer and Google's ID tokens are the legacy ones (docs/providers.md).
    legacy_provider: str | None
    profile: ProviderProfile
    issuer: str
    legacy_algs: tuple[str, ...]
    hmac: bool
    client_ids: tuple[str, ...]
    audience: tuple[str, ...]
    audience_env: EnvSource | None
    shared: bool  # the scanned audience is a client id the profile cannot tell apart

    @classmethod
    def choose(cls, facts: _StarterFacts) -> _StarterValues:
        from idtoken_migrate.config.providers import issuer_placeholder, load_provider

        provider = facts.provider or "generic"
        legacy_provider = None if _issues_jwt_access_tokens(provider) else provider
        if legacy_provider:
            provider = "generic"
        profile = load_provider(provider)
        hmac = any(a in HMAC_ALGORITHMS for a in facts.legacy_algorithms)
        if hmac:
            legacy_algs = tuple(a for a in facts.legacy_algorithms if a in HMAC_ALGORITHMS)
        else:
            legacy_algs = facts.legacy_algorithms or ("RS256",)
        client_ids = facts.client_ids or (_CLIENT_ID_PLACEHOLDER,)
        audience = facts.audiences or (_AUDIENCE_PLACEHOLDER,)
        audience_env = facts.audience_env
        if provider == "cognito" and not facts.audiences and facts.client_ids:
            # Cognito access tokens carry the app client id as client_id: the same ids, the same
            # variable as the legacy ID tokens' aud.
            audience, audience_env = facts.client_ids, audience_env or facts.client_ids_env
        shared = _starter_shares_audience(provider, audience, client_ids)
        if shared:  # the scanned audience is the client's: the API needs its own (RFC 8725 3.12)
            audience = (_AUDIENCE_PLACEHOLDER,)
        return cls(
            provider=provider,
            legacy_provider=legacy_provider,
            profile=profile,
            issuer=(None if legacy_provider else facts.issuer) or issuer_placeholder(profile),
            legacy_algs=legacy_algs,
            hmac=hmac,
            client_ids=client_ids,
            audience=audience,
            audience_env=audience_env,
            shared=shared,
        )


def _header_lines(result: ScanResult | None, facts: _StarterFacts) -> list[str]:
    out = [
        "# idtoken-migrate configuration, written by `idtoken-migrate init`.",
        "# Every key is explained above it; values marked TODO are placeholders to replace.",
        "# Reference: docs/config.md. `idtoken-migrate check` validates it (exit 2 on a mistake).",
    ]
    if result is not None:
        out.append(f"# Scan of {_plural(result.stats.files, 'file')}: {facts.summary}.")
    return [*out, "", "# Format version of this file: always 1.", "version: 1", ""]


def _provider_lines(facts: _StarterFacts, values: _StarterValues) -> list[str]:
    out = ["# Identity provider: " + " | ".join(PROVIDERS) + "."]
    legacy_provider = values.legacy_provider
    evidence = _join(facts.provider_evidence) or "provider rules"
    if legacy_provider:
        out += [
            f"# The scan found {legacy_provider} ID tokens ({evidence}).",
            f"# {legacy_provider} issues no JWT access tokens for your API, so they come from your",
            "# authorization server: set it here (auth0, okta, keycloak, entra, cognito, or",
            "# generic for any OpenID provider).",
            f"# The {legacy_provider} ID tokens stay accepted as legacy_id_token until the sunset.",
        ]
    elif facts.provider:
        out.append(f"# Detected from the scan ({evidence}).")
    todo = "  # TODO" if legacy_provider else ""
    return [*out, f"provider: {_scalar(values.provider)}{todo}", ""]


def _issuer_lines(facts: _StarterFacts, values: _StarterValues) -> list[str]:
    legacy_provider, profile = values.legacy_provider, values.profile
    tokens = "the access tokens" if legacy_provider else "ID tokens and access tokens"
    out = [
        f"# The issuer (`iss`) of {tokens}, exactly as the tokens carry it.",
        "# " + _comment(f"{profile.name}: {' or '.join(profile.issuer_formats)}."),
    ]
    if profile.issuer_note:
        out.append("# " + _comment(profile.issuer_note))
    if not legacy_provider:
        out += _found("issuer found in the code as", facts.issuer_exprs)
    todo = "" if facts.issuer and not legacy_provider else "  # TODO"
    env = None if legacy_provider else facts.issuer_env
    return [
        *out,
        f"issuer: {_scalar(values.issuer)}{todo}",
        *_env_key_lines("issuer_env", "issuer", env, ""),
        "",
        "# Where the signing keys are published (JWKS); null derives it from provider and issuer.",
        "jwks_uri: null"
        + ("  # TODO: generic issuers publish no default" if legacy_provider else ""),
        "",
    ]


def _phase_lines() -> list[str]:
    return [
        "# dual: accept access tokens, and legacy ID tokens until window.sunset (the transition).",
        "# strict: access tokens only; `check` then fails on any dual-acceptance code left.",
        "phase: dual",
        "",
        "# Clock skew tolerated when checking exp, nbf and iat, in seconds.",
        f"leeway: {Config().leeway}",
        "",
    ]


def _access_token_lines(facts: _StarterFacts, values: _StarterValues) -> list[str]:
    out = [
        "# How the API validates access tokens, the credential it moves to.",
        "access_token:",
        "  # The API identifier clients request access tokens for: a string or a list.",
        "  # Cognito access tokens carry no aud: list the app client ids (matched to client_id).",
        *_found("audience found in access-token checks as", facts.audience_exprs, indent="  "),
    ]
    if values.shared:
        out.append(
            "  # It is also the legacy client id: give the API its own audience, or add a"
            " discriminator (docs/providers.md, Shared audiences)."
        )
    audience = values.audience
    scanned = facts.audiences or values.provider == "cognito" and facts.client_ids
    todo = "" if scanned and not values.shared else "  # TODO"
    return [
        *out,
        f"  audience: {_scalar(audience[0]) if len(audience) == 1 else _flow(audience)}{todo}",
        *_env_key_lines("audience_env", "audience", values.audience_env, "  "),
        "  # Signature algorithms accepted: public-key only (never HS*, never none).",
        "  algorithms: [RS256]",
        "  # Scopes every request must carry; [] for none.",
        "  required_scopes: []",
        "  # true: accept only JWTs typed at+jwt (RFC 9068), which Auth0, Keycloak and generic",
        "  # issuers can emit: no token of another type, an ID token included, passes for one.",
        "  require_at_jwt: false",
        "",
    ]


def _legacy_lines(facts: _StarterFacts, values: _StarterValues) -> list[str]:
    out = ["# The legacy ID tokens still accepted during the dual phase.", "legacy_id_token:"]
    if values.legacy_provider:
        from idtoken_migrate.config.providers import issuer_placeholder, load_provider

        legacy_issuer = issuer_placeholder(load_provider(values.legacy_provider))
        out += [
            "  # They come from another issuer than the access tokens: its own keys and rules.",
            f"  provider: {_scalar(values.legacy_provider)}",
            f"  issuer: {_scalar(legacy_issuer)}  # its other spellings are accepted too",
            "  # null derives the legacy issuer's JWKS from its provider and issuer.",
            "  jwks_uri: null",
        ]
    out += [
        "  # The client ids the ID tokens are issued to (their aud).",
        *_found("client id found in the code as", facts.client_id_exprs, indent="  "),
        f"  client_ids: {_flow(values.client_ids)}" + ("" if facts.client_ids else "  # TODO"),
        *_env_key_lines("client_ids_env", "client_ids", facts.client_ids_env, "  "),
        "  # Algorithms the legacy code accepts: public-key ones, or HS* for ID tokens signed with",
        "  # the client secret (never both, never none).",
    ]
    if facts.legacy_algorithms:
        out.append(f"  # Found in the code: {', '.join(facts.legacy_algorithms)}.")
    out.append(f"  algorithms: {_flow(values.legacy_algs)}")
    if values.legacy_provider:
        out += [
            "  # Mobile sign-ins: the ID token's azp is the Android/iOS app's own client id while",
            "  # aud is the web client id; list those apps' client ids here.",
            "  authorized_parties: []",
        ]
    out += [
        "  # HS* only: the NAME of the environment variable that holds the client secret,",
        "  # never the secret itself.",
        *_found("key found in the code as", facts.key_exprs, indent="  "),
    ]
    return out + (_secret_lines(facts) if values.hmac else ["  secret_env: null"])


def _secret_lines(facts: _StarterFacts) -> list[str]:
    """`secret_env` and `secret_encoding` of HS* legacy tokens."""
    secret = facts.secret_env or facts.secret_env_guess or _SECRET_ENV_PLACEHOLDER
    todo = "" if facts.secret_env else "  # TODO: the variable's name, as the server sets it"
    out = [
        f"  secret_env: {_scalar(secret)}{todo}",
        "  # How the code turns the variable's text into the HMAC key: raw (as is), base64 or",
        "  # base64url (decoded first, as Auth0's early samples did).",
    ]
    from idtoken_migrate.scan.keytrace import (
        secret_encoding,  # libcst: init only, not the fast path
    )

    encodings = _unique(e or "" for e in map(secret_encoding, facts.key_exprs))
    if len(encodings) == 1:
        return [*out, f"  secret_encoding: {encodings[0]}  # traced from the key expression"]
    why = "the key expressions differ" if encodings else "not traced from the code"
    return [*out, f"  secret_encoding: raw  # {why}: check"]


def _window_lines(sunset: dt.date) -> list[str]:
    return [
        "",
        "window:",
        "  # From this date on, dual mode rejects ID tokens too; `check` fails on dual-mode code.",
        f"  sunset: {sunset.isoformat()}  # TODO: agree on the date with the API's clients",
        "  # The kill switch: setting this environment variable ends legacy acceptance early.",
        f"  kill_switch_env: {WindowConfig().kill_switch_env}",
        "",
    ]


def _claims_lines(facts: _StarterFacts) -> list[str]:
    out = [
        "# Claims the legacy code reads from the ID token -> the access-token claim carrying them",
        "# (e.g. an Auth0 namespaced custom claim). `plan` lists claims left unmapped as risks.",
        "# Uncomment and fill in one line per claim.",
    ]
    if facts.claims_read:
        out.append(f"# The legacy code reads: {_comment(', '.join(facts.claims_read))}.")
    out.append("claims:")
    return out + [
        f"#  {_scalar(c)}: https://example.com/{c}  # TODO"
        for c in facts.claims_read or ("email",)
        if re.fullmatch(r"[A-Za-z0-9_.\-]+", c)
    ]


def _output_lines() -> list[str]:
    return [
        "",
        "output:",
        "  # Where the generated verifier module goes, relative to the project root;",
        "  # null puts it next to the first verification site.",
        "  module: null",
        "",
    ]


def _scan_lines() -> list[str]:
    return [
        "",
        "scan:",
        "  # Glob patterns of paths the scan and the gate skip (tests, vendored code, ...).",
        "  exclude: []",
    ]


def _env_key_lines(key: str, value_key: str, source: EnvSource | None, indent: str) -> list[str]:
    """`issuer_env: NAME` and its comment: the variable the app reads the value from."""
    lines = [
        f"{indent}# The environment variable the app reads {value_key} from: the verifier reads it"
        f" at start-up,",
        f"{indent}# {value_key} above being the default; null: {value_key} is fixed.",
    ]
    if source is None:
        return [*lines, f"{indent}{key}: null"]
    lines.append(f"{indent}# {_comment(f'traced from the code: {source.via}')}")
    return [*lines, f"{indent}{key}: {_scalar(source.name)}"]


def _verifier_lines(result: ScanResult | None) -> list[str]:
    """`verifier.env_file`: the .env the app reads into a dict, which the verifier must read."""
    lines = [
        "verifier:",
        "  # The .env file the app reads into a dict without exporting it to os.environ",
        "  # (dotenv_values, the old Dotenv, pydantic-settings env_file, python-decouple): the",
        "  # verifier reads its own variables from it at start-up, os.environ first.",
        "  # Relative to the project root, or ~/...; null: os.environ only.",
    ]
    if result is None:
        return [*lines, "  env_file: null"]
    from idtoken_migrate.migration.plan import python_files
    from idtoken_migrate.migration.settings_loaders import app_env_file, settings_loaders

    root = Path(result.root)
    loaders = settings_loaders(python_files(root, Config()), root)
    app = app_env_file(loaders)
    if app is not None:
        text = f"found: {app.location} reads {app.env_file} into {app.into}"
        lines.append(f"  # {_comment(text)}")
        return [*lines, f"  env_file: {_scalar(str(app.env_file))}"]
    unexported = [x for x in loaders if not x.exports]
    if unexported and len(unexported) == len(loaders):
        where = ", ".join(x.location for x in unexported[:3])
        text = f"{where}: .env read into a dict, from no one literal path: set the file here"
        lines.append(f"  # {_comment(text)}")
    return [*lines, "  env_file: null"]


def _issues_jwt_access_tokens(provider: str) -> bool:
    from idtoken_migrate.config.providers import load_provider

    return load_provider(provider).jwt_access_tokens


def _starter_shares_audience(
    provider: str, audience: tuple[str, ...], client_ids: tuple[str, ...]
) -> bool:
    """The starter would fail `load_config`: its audience is a client id the profile cannot tell."""
    if not set(audience) & set(client_ids):
        return False
    from idtoken_migrate.config.providers import load_provider, shared_audience_problem

    problem = shared_audience_problem(
        load_provider(provider),
        audience,
        client_ids,
        require_at_jwt=False,
        required_scopes=(),
        required_claims=(),
    )
    return problem is not None


@dataclass
class _StarterFacts:
    """What a scan tells about the project, reduced to what the starter config can use."""

    provider: str | None = None
    provider_evidence: tuple[str, ...] = ()
    issuer: str | None = None
    issuer_exprs: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    audience_exprs: tuple[str, ...] = ()
    client_ids: tuple[str, ...] = ()
    client_id_exprs: tuple[str, ...] = ()
    key_exprs: tuple[str, ...] = ()
    secret_env: str | None = None  # read from the environment at the site: certain
    secret_env_guess: str | None = None  # or else a settings name: to check
    legacy_algorithms: tuple[str, ...] = ()
    issuer_env: EnvSource | None = None  # the variables the app reads them from
    audience_env: EnvSource | None = None
    client_ids_env: EnvSource | None = None
    claims_read: tuple[str, ...] = ()
    libraries: tuple[str, ...] = ()
    sites: tuple[Finding, ...] = ()
    summary: str = "no token verification found"

    @classmethod
    def from_result(cls, result: ScanResult | None) -> _StarterFacts:
        facts = cls()
        if result is None:
            return facts
        findings = sorted(result.findings, key=lambda f: (f.path, f.line, f.column))
        legacy = [f for f in findings if f.kind in (ID_TOKEN_BEARER, UNVERIFIED_DECODE)]
        access = [f for f in findings if f.kind == ACCESS_TOKEN]
        facts._provider(findings)
        facts._literals(findings, legacy, access)
        facts._bound(Path(result.root), findings, legacy)
        facts._trace_env(Path(result.root), findings, legacy, access)
        facts.secret_env_guess = facts.secret_env or next(
            (m[-1] for m in (_ENV_LIKE.findall(e) for e in facts.key_exprs) if m), None
        )
        facts.claims_read = _unique(c for f in legacy for c in f.facts.claims_read or ())
        facts.libraries = _unique(f.library for f in findings)
        facts.sites = tuple(f for f in findings if f.kind == ID_TOKEN_BEARER)
        counts = result.by_kind()
        parts = [f"{n} {kind}" for kind, n in counts.items() if n]
        facts.summary = ", ".join(parts) if parts else facts.summary
        return facts

    def _provider(self, findings: list[Finding]) -> None:
        """The provider most sites name, and up to two pieces of evidence naming it."""
        providers = Counter(f.provider for f in findings if f.provider in PROVIDERS)
        if not providers:
            return
        provider = self.provider = providers.most_common(1)[0][0]
        self.provider_evidence = _unique(
            e
            for f in findings
            if f.provider == provider
            for e in f.evidence
            if provider is not None and provider in e.lower()
        )[:2]

    def _literals(
        self, findings: list[Finding], legacy: list[Finding], access: list[Finding]
    ) -> None:
        """What the sites' arguments show as written: issuer, audiences, client ids, keys and
        the legacy algorithms."""
        self.issuer_exprs = _unique((f.facts.issuer_expr or "") for f in findings)
        self.issuer = next(
            (u for u in map(_literal, self.issuer_exprs) if u and re.match(r"https://\S+$", u)),
            None,
        )
        self.audience_exprs = _unique((f.facts.audience_expr or "") for f in access)
        self.audiences = _unique(_literal(e) or "" for e in self.audience_exprs)
        self.client_id_exprs = _unique((f.facts.audience_expr or "") for f in legacy)
        self.client_ids = _unique(_literal(e) or "" for e in self.client_id_exprs)
        self.key_exprs = _unique((f.facts.key_expr or "") for f in legacy)
        self.legacy_algorithms = _unique(
            a
            for f in legacy
            for a in _ALGORITHM.findall(
                (f.facts.algorithms or "") + " " + " ".join(f.facts.algorithm_values or ())
            )
        )
        if not self.legacy_algorithms and any(
            "key-is-client-secret" in (f.facts.signals or ()) for f in legacy
        ):
            self.legacy_algorithms = ("HS256",)  # the client secret as key: HS256 ID tokens

    def _bound(self, root: Path, findings: list[Finding], legacy: list[Finding]) -> None:
        """The secret's variable, and the issuer and client ids not written at the sites, from
        what the names there are bound to."""
        # Only `os.environ["X"]` / `os.getenv("X")` names the variable for sure; `settings.X`
        # is a guess (the setting may read another variable), marked TODO in the file.
        # A name the key or client id is bound to: what its binding reads (`client_secret =
        # os.environ["AUTH0_CLIENT_SECRET"]`, `CLIENT_ID = os.environ.get("X", "the-id")`).
        bound = _Bindings(root)
        keys = [bound.value(f.path, (f.facts.key_expr or "")) for f in legacy]
        self.secret_env = next(
            (m.group(1) for m in map(_ENV_READ.search, [*self.key_exprs, *keys]) if m), None
        )
        if not self.issuer:
            issuers = (bound.value(f.path, (f.facts.issuer_expr or "")) for f in findings)
            self.issuer = next(
                (u for u in map(_literal, issuers) if u and re.match(r"https://\S+$", u)), None
            )
        if not self.client_ids:
            defaults = (bound.value(f.path, (f.facts.audience_expr or "")) for f in legacy)
            self.client_ids = _unique(_literal(d) or _env_default(d) or "" for d in defaults)

    def _trace_env(
        self,
        root: Path,
        findings: list[Finding],
        legacy: list[Finding],
        access: list[Finding],
    ) -> None:
        """The variables the sites' issuer, audience and client ids are read from (one each, or
        none when the sites disagree), and their defaults where no literal was found."""
        from idtoken_migrate.config.envtrace import SettingsClasses, traced_env

        settings = SettingsClasses(root)

        def one(sites: list[Finding], role: str) -> EnvSource | None:
            found = [
                traced_env(root, f.path, f.facts.role_expr(role) or "", settings) for f in sites
            ]
            names = {s.name for s in found if s is not None}
            if len(names) != 1 or None in found:
                return None
            return next(s for s in found if s is not None)

        self.issuer_env = one([f for f in findings if f.facts.issuer_expr], "issuer")
        self.audience_env = one(access, "audience") if access else None
        self.client_ids_env = one(legacy, "audience") if legacy else None
        default = self.issuer_env.default if self.issuer_env else None
        if not self.issuer and default and re.match(r"https://\S+$", default):
            self.issuer = default
        default = self.client_ids_env.default if self.client_ids_env else None
        if not self.client_ids and default and re.fullmatch(r"[^\s,]+", default):
            self.client_ids = (default,)

    def inventory(self) -> list[str]:
        if not (self.libraries or self.sites):
            return []
        out = ["", "# What the scan found (for reference; not read by idtoken-migrate):"]
        if self.libraries:
            out.append(f"#   libraries: {_comment(', '.join(self.libraries))}")
        if self.sites:
            out.append(
                "#   ID tokens verified as API credentials (the sites the migration changes):"
            )
            for f in self.sites[:_MAX_LISTED_SITES]:
                where = f"{f.path}:{f.line}" + (f" in {f.symbol}" if f.symbol else "")
                out.append(f"#     {_comment(where)}")
            if len(self.sites) > _MAX_LISTED_SITES:
                out.append(f"#     ... and {len(self.sites) - _MAX_LISTED_SITES} more")
        return out


_ENV_DEFAULT = re.compile(
    r"""(?:environ\.get|getenv)\s*\(\s*["'][A-Za-z_][A-Za-z0-9_]*["']\s*,\s*["']([^"'\s]+)["']\s*\)"""
)


def _env_default(expr: str) -> str | None:
    found = _ENV_DEFAULT.search(expr)
    return found.group(1) if found else None


_NAME = re.compile(r"(?<![\w.])(?:([A-Za-z_][A-Za-z0-9_]*)\.)?([A-Za-z_][A-Za-z0-9_]*)(?![\w(])")


class _Bindings:
    """The right-hand side of `NAME = ...` for a name in an expression of a site, from the site's
    file or, for `module.NAME`, from `module.py` beside it or at the root. Text only: nothing is
    imported or run."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.texts: dict[Path, str] = {}

    def value(self, site_path: str, expr: str) -> str:
        """What the first name in `expr` that has a binding is bound to ("" for none)."""
        for module, name in _NAME.findall(expr):
            folder = (self.root / site_path).parent
            if not module:
                files = [self.root / site_path]
            else:
                files = [folder / f"{module}.py", self.root / f"{module}.py"]
            for file in files:
                value = self._binding(file, name)
                if value:
                    return self._formatted(file, value)
        return ""

    def _binding(self, file: Path, name: str) -> str:
        assign = re.compile(rf"^{re.escape(name)}\s*(?::[^=\n]*)?=\s*(.+)$", re.M)
        match = assign.search(self._text(file))
        return match.group(1).strip() if match else ""

    def _formatted(self, file: Path, value: str) -> str:
        """An f-string literal with its `{NAME}` parts replaced by their literal values, when
        each one is bound in the same file to a literal or an environment default."""
        found = re.fullmatch(
            r"f([\"'])([^\"'{}]*(?:\{[A-Za-z_][A-Za-z0-9_]*\}[^\"'{}]*)+)\1", value
        )
        if not found:
            return value
        parts = []
        for piece in re.split(r"(\{[A-Za-z_][A-Za-z0-9_]*\})", found.group(2)):
            if piece.startswith("{"):
                bound = self._binding(file, piece[1:-1])
                text = _literal(bound) or _env_default(bound)
                if text is None:
                    return value
                piece = text
            parts.append(piece)
        return repr("".join(parts))

    def _text(self, path: Path) -> str:
        if path not in self.texts:
            try:
                self.texts[path] = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                self.texts[path] = ""
        return self.texts[path]


def _literal(expr: str) -> str | None:
    """The value of a plain string literal expression, else None (names, calls, f-strings)."""
    found = _STRING_LITERAL.match(expr.strip())
    if not found or "{" in found.group(2) or "\\" in found.group(2):
        return None
    return found.group(2).strip() or None


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


def _found(what: str, exprs: tuple[str, ...], indent: str = "") -> list[str]:
    if not exprs:
        return []
    shown = ", ".join(exprs[:3]) + (f" (+{len(exprs) - 3} more)" if len(exprs) > 3 else "")
    return [f"{indent}# {_comment(f'{what}: {shown}')}"]


def _comment(text: str) -> str:
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", text)
    return text if len(text) <= 160 else text[:159] + "…"


def _join(items: tuple[str, ...]) -> str:
    return _comment("; ".join(items))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _scalar(value: str) -> str:
    """A YAML scalar that reads back as exactly this string (as `load_config` reads it)."""
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.\-/:]*", value):
        try:
            if yamlfile.parse(value, "<value>") == value:
                return value
        except UsageError:
            pass  # no plain scalar: quote it
    return json.dumps(value)


def _flow(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_scalar(v) for v in values) + "]"
