"""Render the generated verifier module (templates/verifier).

Every value from the config or a profile reaches the generated code as a Python literal built
here, never as raw text: a config value can change what the verifier checks, never what it runs.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from idtoken_migrate import __version__
from idtoken_migrate.config import (
    HMAC_ALGORITHMS,
    MAX_LEEWAY_SECONDS,
    PHASES,
    SECRET_ENCODINGS,
    Config,
)
from idtoken_migrate.config.library import ExceptionBase, LibraryFacts
from idtoken_migrate.config.providers import (
    Condition,
    ProviderProfile,
    ProviderProfileError,
    audience_decides,
    jwks_uri_for,
    load_provider,
    shared_audience_problem,
)
from idtoken_migrate.config.rulepack import load_rules
from idtoken_migrate.resources import templates_dir
from idtoken_migrate.verifier.envsettings import env_settings, jwks_suffix
from idtoken_migrate.vocabulary import (
    ASYMMETRIC_ALGORITHMS,
    COMMON_REASONS,
    DUAL_REASONS,
    STRICT_REASONS,
    reasons,
)

# re-exported
__all__ = ["ASYMMETRIC_ALGORITHMS", "COMMON_REASONS", "DUAL_REASONS", "STRICT_REASONS", "reasons"]

_JWK_PARSERS = {"RSA": "RSAAlgorithm", "EC": "ECAlgorithm", "OKP": "OKPAlgorithm"}

# The environment variable with the per-deployment key of the logged sub hash (docs/verifier.md).
SUB_HASH_KEY_ENV = "IDTOKEN_MIGRATE_SUB_HASH_KEY"

_LINE_LENGTH = 100
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class RenderError(ValueError):
    """The config cannot be rendered into a safe verifier; the message says which key and why."""


class UnsupportedProviderError(RenderError):
    """The provider issues no JWT access tokens (Google): there is nothing to verify.

    `instead` is the profile's text on what to do instead, for the plan.
    """

    def __init__(self, message: str, instead: str) -> None:
        super().__init__(message)
        self.instead = instead


def reason_class_name(reason: str) -> str:
    """The generated module's class for `reason`: TokenExpired, TokenWrongAudience, ..."""
    return "Token" + "".join(part.title() for part in reason.split("_") if part != "token")


@dataclass(frozen=True)
class VerifierTuning:
    """Operational limits rendered into the module (tests shorten them)."""

    jwks_cache_seconds: float = 600.0
    jwks_min_refetch_seconds: float = 30.0  # an unknown kid refetches at most this often
    jwks_max_stale_seconds: float = 3600.0  # keys older than this are dropped while fetches fail
    http_timeout_seconds: float = 3.0
    jwks_max_bytes: int = 512 * 1024
    max_token_length: int = 16 * 1024
    introspection_cache_size: int = 4096  # tokens whose answer is kept (least recently used out)
    introspection_calls_per_second: float = 20.0
    introspection_max_bytes: int = 16 * 1024


def render_verifier(
    config: Config,
    phase: str | None = None,
    *,
    legacy_exceptions: Sequence[str] = (),
    require_at_jwt: bool | None = None,
    tuning: VerifierTuning | None = None,
    profile: ProviderProfile | None = None,
    libraries: Iterable[LibraryFacts] | None = None,
    module_path: str | None = None,
) -> str:
    """The source of the standalone verifier module for `config` in `phase` (default config.phase).

    legacy_exceptions: names of the libraries (their rule packs' `library:` blocks, from
    `libraries`, default the bundled packs) whose error the rejection exception subclasses (it
    always subclasses PyJWT's InvalidTokenError). require_at_jwt: accept only header typ at+jwt (for
    providers that can emit it); default `access_token.require_at_jwt`. module_path: where the
    module goes, relative to the project root (a relative `verifier.env_file` is found from it;
    without it, from the config file's folder). Raises RenderError (UnsupportedProviderError for
    Google).
    """
    phase = phase or config.phase
    if require_at_jwt is None:
        require_at_jwt = config.access_token.require_at_jwt
    if phase not in PHASES:
        raise RenderError(f"phase: expected one of {', '.join(PHASES)}, got {phase!r}")
    if profile is None:
        try:
            profile = load_provider(config.provider)
        except ProviderProfileError as error:
            raise RenderError(f"provider: {error}") from None
    if not profile.jwt_access_tokens:
        raise UnsupportedProviderError(
            f"provider {profile.id}: no JWT access tokens to verify; {profile.instead}",
            profile.instead,
        )
    known = (
        load_rules().exception_bases
        if libraries is None
        else {f.name: f.base for f in libraries if f.base is not None}
    )
    bases = _exception_bases(known, legacy_exceptions)
    context = _Context(config, phase, profile, bases, require_at_jwt, tuning, module_path)
    return _environment().get_template("verifier/verifier.py.j2").render(context.values())


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Python source, not HTML; values arrive as literals built by _literal
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _exception_bases(
    known: dict[str, ExceptionBase], requested: Sequence[str]
) -> list[ExceptionBase]:
    if "pyjwt" not in known:
        raise RenderError("legacy_exceptions: no pack gives pyjwt's `library:` block")
    bases = [known["pyjwt"]]
    for library in requested:
        base = known.get(library)
        if base is None:
            raise RenderError(
                f"legacy_exceptions: unknown library {library!r} ({', '.join(sorted(known))})"
            )
        if base not in bases:
            bases.append(base)
    return bases


class _Context:
    """Validates the config for one rendering and builds the template's values."""

    def __init__(
        self,
        config: Config,
        phase: str,
        profile: ProviderProfile,
        bases: list[ExceptionBase],
        require_at_jwt: bool,
        tuning: VerifierTuning | None,
        module_path: str | None = None,
    ) -> None:
        self.config = config
        self.module_path = module_path
        self.phase = phase
        self.dual = phase == "dual"
        self.profile = profile
        self.tuning = tuning or VerifierTuning()
        self.require_at_jwt = require_at_jwt
        self.bases = bases
        access = config.access_token
        self.issuer = self._required_text(config.issuer, "issuer")
        self.introspection = access.validation == "introspection"
        self.audiences = self._strings(access.audience, "access_token.audience", required=True)
        self.access_algorithms = self._algorithms(access.algorithms, "access_token.algorithms")
        self.scopes = self._strings(access.required_scopes, "access_token.required_scopes")
        if any(not scope or scope.split() != [scope] for scope in self.scopes):
            raise RenderError("access_token.required_scopes: a scope is one word")
        for legacy_name, source in config.claims:
            self._required_text(legacy_name, "claims")
            self._required_text(source, f"claims.{legacy_name}")
        if isinstance(config.leeway, bool) or not isinstance(config.leeway, int):
            raise RenderError("leeway: expected whole seconds")
        if not 0 <= config.leeway <= MAX_LEEWAY_SECONDS:
            raise RenderError(f"leeway: expected 0 to {MAX_LEEWAY_SECONDS} seconds")
        if require_at_jwt and not profile.emits_at_jwt:
            raise RenderError(f"provider {profile.id} does not emit at+jwt; cannot require it")
        self.required_claims = tuple(access.required_claims)
        for name, value in self.required_claims:
            self._required_text(name, "access_token.required_claims")
            if value is not None:
                self._required_text(value, f"access_token.required_claims.{name}")
        # RFC 8725 3.12: the two rules must never accept the same token.
        problem = shared_audience_problem(
            profile,
            self.audiences,
            config.legacy_id_token.client_ids,
            require_at_jwt=require_at_jwt,
            required_scopes=self.scopes,
            required_claims=self.required_claims,
        )
        if problem:
            raise RenderError(f"access_token.audience: {problem}")
        self.env = {e.constant: e for e in env_settings(config, phase)}
        if self.env and self._shares_audience() and set(self.env) - {"ISSUER"}:
            raise RenderError(
                "access_token.audience_env / legacy_id_token.client_ids_env: the API audience is "
                "also a legacy client id; values read at start-up cannot keep the two apart"
            )
        self.legacy_algorithms: tuple[str, ...] = ()
        self.two_issuers = self.dual and config.two_issuers
        self.legacy_profile = profile
        if self.dual:
            self._check_legacy()
        if self.introspection:
            self._check_introspection()
        # Access tokens verified as JWTs, or legacy ID tokens of the same issuer: its JWKS.
        self.access_keys = not self.introspection or (
            self.dual
            and not self.two_issuers
            and any(alg not in HMAC_ALGORITHMS for alg in self.legacy_algorithms)
        )
        self.jwks_uri = self._jwks_uri() if self.access_keys else ""
        # Where a JWT's iss sends it to the legacy rule (dual; two issuers or introspection).
        self.legacy_routing = self.dual and (self.two_issuers or self.introspection)
        if self.legacy_routing and not self.two_issuers:
            self.legacy_issuers = profile.issuer_spellings(self.issuer)

    def _check_introspection(self) -> None:
        """access_token.validation: introspection (RFC 7662): the endpoint and client auth."""
        access = self.config.access_token
        if self.require_at_jwt:
            raise RenderError("access_token.require_at_jwt: opaque tokens have no JWT header")
        self.introspection_endpoint = self._checked_uri(
            access.introspection_endpoint or "missing",
            self.profile,
            self.issuer,
            "access_token.introspection_endpoint",
        )
        for key in ("introspection_client_id_env", "introspection_client_secret_env"):
            env = getattr(access, key)
            if not isinstance(env, str) or not _ENV_NAME.fullmatch(env):
                raise RenderError(f"access_token.{key}: expected an environment variable name")
        seconds = access.introspection_cache_seconds
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
            raise RenderError("access_token.introspection_cache_seconds: expected whole seconds")

    def _required_text(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not value.strip() or value != value.strip():
            raise RenderError(f"{key}: expected a non-empty string without surrounding spaces")
        return value

    def _strings(self, values: object, key: str, *, required: bool = False) -> tuple[str, ...]:
        if isinstance(values, str) or not isinstance(values, (tuple, list)):
            raise RenderError(f"{key}: expected a list of strings")
        if required and not values:
            raise RenderError(f"{key}: at least one value is required")
        return tuple(self._required_text(value, key) for value in values)

    def _algorithms(self, values: object, key: str, *, hmac: bool = False) -> tuple[str, ...]:
        algorithms = self._strings(values, key, required=True)
        allowed = (
            (*ASYMMETRIC_ALGORITHMS, *HMAC_ALGORITHMS) if hmac else tuple(ASYMMETRIC_ALGORITHMS)
        )
        for alg in algorithms:
            if alg not in allowed:
                raise RenderError(f"{key}: {alg!r} is not allowed (allowed: {', '.join(allowed)})")
        return tuple(dict.fromkeys(algorithms))

    def _jwks_uri(self) -> str:
        return self._checked_uri(self.config.jwks_uri, self.profile, self.issuer, "jwks_uri")

    def _checked_uri(
        self, configured: str | None, profile: ProviderProfile, issuer: str, key: str
    ) -> str:
        """The configured URL (or the JWKS URL the profile derives from the issuer): https (or
        http to a loopback address), no credentials, no fragment."""
        if configured:
            uri = configured
        else:
            try:
                uri = jwks_uri_for(profile, issuer)
            except ProviderProfileError as error:
                raise RenderError(f"{key}: {error}") from None
        parts = urlsplit(uri)
        loopback = parts.scheme == "http" and parts.hostname in _LOOPBACK
        if not (parts.scheme == "https" or loopback) or not parts.hostname:
            raise RenderError(f"{key}: expected an https:// URL, got {uri!r}")
        if parts.username or parts.password or parts.fragment:
            raise RenderError(f"{key}: no credentials or fragment in the URL")
        return uri

    def _check_legacy(self) -> None:
        legacy = self.config.legacy_id_token
        self.client_ids = self._strings(
            legacy.client_ids, "legacy_id_token.client_ids", required=True
        )
        self.legacy_algorithms = self._algorithms(
            legacy.algorithms, "legacy_id_token.algorithms", hmac=True
        )
        self.authorized_parties = self._strings(
            legacy.authorized_parties, "legacy_id_token.authorized_parties"
        )
        if any(alg in HMAC_ALGORITHMS for alg in self.legacy_algorithms):
            env = legacy.secret_env
            if not isinstance(env, str) or not _ENV_NAME.fullmatch(env):
                raise RenderError(
                    "legacy_id_token.secret_env: HS* algorithms need the name of the environment "
                    "variable that holds the client secret"
                )
            if legacy.secret_encoding not in SECRET_ENCODINGS:
                choices = ", ".join(SECRET_ENCODINGS)
                raise RenderError(f"legacy_id_token.secret_encoding: expected one of {choices}")
        kill_switch = self.config.window.kill_switch_env
        if not isinstance(kill_switch, str) or not _ENV_NAME.fullmatch(kill_switch):
            raise RenderError("window.kill_switch_env: expected an environment variable name")
        sunset = self.config.window.sunset
        if sunset is not None and not isinstance(sunset, dt.date):
            raise RenderError("window.sunset: expected a date")
        self._check_legacy_issuer()

    def _check_legacy_issuer(self) -> None:
        """The legacy issuer, its provider's profile and its keys (`legacy_id_token.provider`,
        `.issuer`, `.jwks_uri`); by default the access tokens' own."""
        config, legacy = self.config, self.config.legacy_id_token
        if not self.two_issuers:
            if legacy.provider not in (None, config.provider) or legacy.jwks_uri:
                raise RenderError(
                    "legacy_id_token.provider / jwks_uri: only for legacy ID tokens of another "
                    "issuer; set legacy_id_token.issuer"
                )
            return
        try:
            self.legacy_profile = load_provider(config.legacy_provider)
        except ProviderProfileError as error:
            raise RenderError(f"legacy_id_token.provider: {error}") from None
        issuer = self._required_text(config.legacy_issuer, "legacy_id_token.issuer")
        self.legacy_issuers = self.legacy_profile.issuer_spellings(issuer)
        if self.issuer in self.legacy_issuers:
            raise RenderError("legacy_id_token.issuer: the access tokens' issuer; leave it out")
        self.legacy_jwks_uri = ""
        if any(alg not in HMAC_ALGORITHMS for alg in self.legacy_algorithms):
            self.legacy_jwks_uri = self._checked_uri(
                legacy.jwks_uri, self.legacy_profile, issuer, "legacy_id_token.jwks_uri"
            )

    def values(self) -> dict[str, object]:
        """The template's values: the module's constants, then what decides each code path."""
        api_only = self._api_only_audiences()
        return {
            **self._header_values(),
            "constants": self._constants(api_only),
            **self._algorithm_values(),
            **self._classification_values(api_only),
            **self._claims_values(),
            **self._legacy_values(),
            **self._env_values(),
            **self._env_file_values(),
        }

    def _header_values(self) -> dict[str, object]:
        """What the module's header, imports and exception classes name."""
        config = self.config
        return {
            "version": __version__,
            "config_label": _comment_text(
                Path(config.source).name if config.source else "defaults"
            ),
            "provider": self.profile,
            "phase": self.phase,
            "dual": self.dual,
            "two_issuers": self.two_issuers,
            "introspection": self.introspection,
            "access_keys": self.access_keys,
            "kinds": '"access_token" or "legacy_id_token"' if self.dual else '"access_token"',
            "exception_imports": sorted(
                {b.import_line for b in self.bases if b.import_line}
                | {e.import_line for b in self.bases for e in b.by_reason if e.import_line}
            ),
            "exception_bases": ", ".join(base.name for base in self.bases),
            "reason_classes": self._reason_classes(),
            "reasons": self._reasons(),
        }

    # --- the module's constants ---------------------------------------------------------------

    def _constants(self, api_only: tuple[str, ...]) -> list[str]:
        constants = self._access_constants(api_only) + self._tuning_constants()
        if self.introspection:
            constants += self._introspection_constants()
        if self.dual:
            constants += self._dual_constants()
        return constants

    def _access_constants(self, api_only: tuple[str, ...]) -> list[str]:
        """The access-token rule: issuer, keys, audiences, algorithms, typs, scopes, claims."""
        profile, config = self.profile, self.config
        typs = ("at+jwt",) if self.require_at_jwt else profile.header_typs
        constants = [
            self._setting("ISSUER", self.issuer, "compared exactly"),
            *([self._jwks_constant()] if self.access_keys else []),
            self._setting("ACCESS_AUDIENCES", frozenset(self.audiences), self._audience_comment()),
            _assign("ACCESS_ALGORITHMS", self.access_algorithms),
            _assign("ACCESS_TYPS", frozenset(typs), "header typ, lowercase; None: no typ"),
        ]
        if profile.client_claims:
            constants.append(
                _assign("CLIENT_CLAIMS", profile.client_claims, "name the client of a token")
            )
        if self.scopes:
            constants.append(_assign("SCOPE_CLAIMS", profile.scope_claims))
            constants.append(_assign("REQUIRED_SCOPES", self.scopes))
        if self.required_claims:
            constants.append(
                _assign("REQUIRED_CLAIMS", self.required_claims, "(name, value or None: present)")
            )
        if api_only:
            constants.append(
                _assign("API_ONLY_AUDIENCES", api_only, "API audiences that are no client id")
            )
        if config.claims:
            constants.append(
                _assign("CLAIM_MAP", tuple(config.claims), "claim name -> where the token has it")
            )
        return constants

    def _tuning_constants(self) -> list[str]:
        tuning = self.tuning
        return [
            _assign("LEEWAY_SECONDS", self.config.leeway, "clock skew allowed on exp, nbf and iat"),
            _assign("MAX_TOKEN_LENGTH", tuning.max_token_length),
            _assign("JWKS_CACHE_SECONDS", tuning.jwks_cache_seconds),
            _assign(
                "JWKS_MIN_REFETCH_SECONDS",
                tuning.jwks_min_refetch_seconds,
                "an unknown kid refetches at most this often",
            ),
            _assign(
                "JWKS_MAX_STALE_SECONDS",
                tuning.jwks_max_stale_seconds,
                "older keys are dropped while fetches fail",
            ),
            _assign("HTTP_TIMEOUT_SECONDS", tuning.http_timeout_seconds),
            _assign("JWKS_MAX_BYTES", tuning.jwks_max_bytes),
        ]

    def _dual_constants(self) -> list[str]:
        """The legacy rule: client ids, algorithms, secret, issuers, sunset, kill switch."""
        config = self.config
        window = config.window
        constants = [
            self._setting("LEGACY_CLIENT_IDS", frozenset(self.client_ids)),
            self._authorized_parties(),
            _assign("LEGACY_ALGORITHMS", self.legacy_algorithms),
            _assign("SUB_HASH_KEY_ENV", SUB_HASH_KEY_ENV, "the key of the logged sub hash"),
        ]
        if self._legacy_hmac():
            constants.append(
                _assign(
                    "LEGACY_SECRET_ENV",
                    config.legacy_id_token.secret_env,
                    "the name of the variable holding the HMAC key, never the key",
                )
            )
        if self.legacy_routing:
            constants += self._legacy_issuer_constants()
        if window.sunset is not None:
            constants.append(
                _assign("SUNSET", window.sunset, "ID tokens are refused from this UTC day on")
            )
        constants.append(
            _assign("KILL_SWITCH_ENV", window.kill_switch_env, "set it to refuse ID tokens now")
        )
        return constants

    def _legacy_issuer_constants(self) -> list[str]:
        constants = [
            _assign(
                "LEGACY_ISSUERS",
                frozenset(self.legacy_issuers),
                f"the legacy ID tokens' issuer ({self.legacy_profile.name}), exactly",
            )
        ]
        if self.two_issuers and self.legacy_jwks_uri:
            constants.append(
                _assign(
                    "LEGACY_JWKS_URI",
                    self.legacy_jwks_uri,
                    "the legacy issuer's keys, never used for access tokens",
                )
            )
        return constants

    # --- what decides each code path --------------------------------------------------------

    def _legacy_hmac(self) -> list[str]:
        return [alg for alg in self.legacy_algorithms if alg in HMAC_ALGORITHMS]

    def _algorithm_values(self) -> dict[str, object]:
        """Every algorithm the module verifies, and the key types and JWK parsers they need."""
        verify_algorithms = tuple(dict.fromkeys(self.access_algorithms + self.legacy_algorithms))
        asymmetric = [alg for alg in verify_algorithms if alg in ASYMMETRIC_ALGORITHMS]
        ktys = dict.fromkeys(ASYMMETRIC_ALGORITHMS[alg][0] for alg in asymmetric)
        return {
            "verify_algorithms_expr": _literal(verify_algorithms),
            "key_types": [
                (alg, ASYMMETRIC_ALGORITHMS[alg][0], _literal(ASYMMETRIC_ALGORITHMS[alg][1]))
                for alg in asymmetric
            ],
            "jwk_parsers": [(kty, _JWK_PARSERS[kty]) for kty in ktys],
        }

    def _classification_values(self, api_only: tuple[str, ...]) -> dict[str, object]:
        """How a token is told an access token or an ID token (the profile's conditions)."""
        profile = self.profile
        discriminator = self._access_discriminator(api_only)
        conditions = [profile.id_markers, discriminator]
        access_dual = self.dual and not self.two_issuers
        return {
            "access_dual": access_dual,
            "access_assign": _assign_condition("looks_access", discriminator),
            "id_assign": _assign_condition("looks_id", profile.id_markers),
            "uses_typ": bool(_kinds_used(conditions) & {"header_typ"}),
            "uses_audiences": bool(_kinds_used(conditions) & {"api_audience", "api_only_audience"})
            or bool(profile.client_claims)
            or access_dual,
            "client_claims": profile.client_claims,
        }

    def _claims_values(self) -> dict[str, object]:
        return {
            "required_scopes": self.scopes,
            "claim_map": self.config.claims,
            "required_claims": bool(self.required_claims),
        }

    def _legacy_values(self) -> dict[str, object]:
        """The legacy rule's code paths: its issuer's markers, keys, secret, sunset."""
        legacy, config = self.legacy_profile, self.config
        id_checks = [c for c in (legacy.id_refuse, legacy.id_require) if c is not None]
        # The legacy issuer's access-token marker only where the access tokens are JWTs too.
        legacy_access = (
            legacy.access_discriminator if self.legacy_routing and not self.introspection else None
        )
        legacy_conditions = [legacy.id_markers, legacy_access]
        return {
            "legacy_provider": legacy,
            "legacy_keys": "_LEGACY_KEYS" if self.two_issuers else "_KEYS",
            "legacy_uses_typ": bool(
                _kinds_used([c for c in legacy_conditions if c]) & {"header_typ"}
            ),
            "legacy_access_assign": _assign_condition("looks_access", legacy_access)
            if legacy_access
            else "",
            "legacy_routing": self.legacy_routing,
            "legacy_id_assign": _assign_condition("looks_id", legacy.id_markers),
            "id_refuse": _assign_condition("access_marked", legacy.id_refuse)
            if legacy.id_refuse
            else "",
            "id_require": _assign_condition("id_marked", legacy.id_require)
            if legacy.id_require
            else "",
            "id_uses_typ": bool(_kinds_used(id_checks) & {"header_typ"}),
            "id_uses_audiences": bool(_kinds_used(id_checks) & {"api_audience"}),
            "has_sunset": self.dual and config.window.sunset is not None,
            "legacy_hmac": bool(self._legacy_hmac()),
            "secret_encoding": config.legacy_id_token.secret_encoding,
            "legacy_jwks": any(alg not in HMAC_ALGORITHMS for alg in self.legacy_algorithms),
        }

    def _env_values(self) -> dict[str, object]:
        return {
            "env_issuer": "ISSUER" in self.env,
            "env_lists": bool(set(self.env) - {"ISSUER"}),
            "env_disjoint": self.dual and bool(self.env) and audience_decides(self.profile),
        }

    # --- the app's .env file, read at start-up (verifier.env_file) -----------------------------

    def _own_variables(self) -> tuple[str, ...]:
        """Every environment variable the module reads, the only ones it takes from the file."""
        names = [setting.env for setting in self.env.values()]
        if self.dual:
            names += [self.config.window.kill_switch_env, SUB_HASH_KEY_ENV]
            if self._legacy_hmac():
                names.append(str(self.config.legacy_id_token.secret_env))
        if self.introspection:
            access = self.config.access_token
            names += [
                str(access.introspection_client_id_env),
                str(access.introspection_client_secret_env),
            ]
        return tuple(sorted(set(names)))

    def _env_file_values(self) -> dict[str, object]:
        names = self._own_variables()
        path = self.config.verifier.env_file
        if not path or not names:
            return {"env_file": "", "getenv": "os.environ.get"}
        comment = "the .env the app reads (verifier.env_file), read once at start-up"
        if path.startswith("~/"):
            constant = _assign_call("ENV_FILE", "os.path.expanduser", (path,), comment)
        elif posixpath.isabs(path) or (self.module_path is None and not self.config.source):
            constant = _assign("ENV_FILE", path, comment)
        elif self.module_path is None:  # beside the config file (inspect-token: no module file)
            constant = _assign("ENV_FILE", str(Path(str(self.config.source)).parent / path))
        else:
            folder = posixpath.dirname(self.module_path) or "."
            relative = posixpath.relpath(posixpath.normpath(path), folder)
            constant = _assign_call("ENV_FILE", "_beside_this_module", (relative,), comment)
        return {
            "env_file": constant,
            "env_file_names": _assign("_ENV_FILE_NAMES", frozenset(names)),
            "env_file_relative": "_beside_this_module(" in constant,
            "getenv": "_getenv",
        }

    # --- values read from the app's environment at start-up (issuer_env, ...) ---------------

    def _setting(self, name: str, value: str | frozenset[str], comment: str = "") -> str:
        """`NAME = literal`, or `NAME = _env_...("VAR", default)` when the config names the
        variable the app reads it from."""
        setting = self.env.get(name)
        if setting is None:
            return _assign(name, value, comment)
        reader = "_env_issuer" if name == "ISSUER" else "_env_values"
        default = value if isinstance(value, str) else tuple(sorted(value))
        lines = [f"# {_comment_text(comment)}"] if comment else []
        lines.append(f"# ${setting.env} when set (read at start-up), else the config's value")
        return "\n".join([*lines, _assign_call(name, reader, (setting.env, default))])

    def _jwks_constant(self) -> str:
        comment = "the only place keys come from"
        suffix = jwks_suffix(self.issuer, self.jwks_uri) if "ISSUER" in self.env else None
        if suffix is None:
            return _assign("JWKS_URI", self.jwks_uri, comment)
        return "\n".join(
            [
                f"# {comment}: the issuer's own, as the issuer is read at start-up",
                f'JWKS_URI = ISSUER.rstrip("/") + {_literal(suffix)}',
            ]
        )

    def _authorized_parties(self) -> str:
        comment = "an ID token's azp, when present, must be one of these"
        if "LEGACY_CLIENT_IDS" not in self.env:
            return _assign(
                "AUTHORIZED_PARTIES", frozenset(self.client_ids + self.authorized_parties), comment
            )
        others = _literal(frozenset(self.authorized_parties))
        return f"# {comment}\nAUTHORIZED_PARTIES = LEGACY_CLIENT_IDS | {others}"

    def _shares_audience(self) -> bool:
        """An API audience is also a legacy client id, and the profile tells access tokens by
        their audience: the audience then proves nothing (issue 14; RFC 8725 3.12)."""
        shared = set(self.audiences) & set(self.config.legacy_id_token.client_ids)
        return bool(shared) and audience_decides(self.profile)

    def _api_only_audiences(self) -> tuple[str, ...]:
        if not self._shares_audience():
            return ()
        clients = set(self.config.legacy_id_token.client_ids)
        return tuple(aud for aud in self.audiences if aud not in clients)

    def _access_discriminator(self, api_only: tuple[str, ...]) -> Condition | None:
        """The profile's discriminator; with a shared audience, the audience counts only for the
        API-only audiences and the config's own markers (at+jwt, scopes, claims) decide."""
        condition = self.profile.access_discriminator
        if condition is None or not self._shares_audience():
            return condition
        markers: list[Condition] = [_without_shared_audience(condition, bool(api_only))]
        if self.require_at_jwt:
            markers.append(Condition("header_typ", typs=("at+jwt",)))
        if self.scopes:
            markers += [Condition("present", claim=name) for name in self.profile.scope_claims]
        if self.required_claims:
            markers.append(
                Condition(
                    "all",
                    children=tuple(
                        Condition("present", claim=name)
                        if value is None
                        else Condition("equals", claim=name, value=value)
                        for name, value in self.required_claims
                    ),
                )
            )
        children = tuple(m for m in markers if m.kind != "never")
        return Condition("any", children=children)

    def _reason_classes(self) -> list[tuple[str, str, str]]:
        """(class name, reason, the legacy errors it also is) for every reason that has one."""
        out = []
        for reason in self._reasons():
            names = dict.fromkeys(
                e.name for b in self.bases for e in b.by_reason if e.reason == reason
            )
            if names:
                out.append((reason_class_name(reason), reason, ", ".join(names)))
        return out

    def _reasons(self) -> tuple[str, ...]:
        return reasons(self.phase, two_issuers=self.two_issuers, introspection=self.introspection)

    def _introspection_constants(self) -> list[str]:
        access, tuning = self.config.access_token, self.tuning
        return [
            _assign(
                "INTROSPECTION_ENDPOINT",
                self.introspection_endpoint,
                "RFC 7662; POST, no redirects",
            ),
            _assign(
                "INTROSPECTION_CLIENT_ID_ENV",
                access.introspection_client_id_env,
                "the names of the variables with the API's client credentials, never the values",
            ),
            _assign("INTROSPECTION_CLIENT_SECRET_ENV", access.introspection_client_secret_env),
            _assign(
                "INTROSPECTION_CACHE_SECONDS",
                access.introspection_cache_seconds,
                "an answer is reused at most this long, and never past the token's exp",
            ),
            _assign("INTROSPECTION_CACHE_SIZE", tuning.introspection_cache_size),
            _assign(
                "INTROSPECTION_CALLS_PER_SECOND",
                tuning.introspection_calls_per_second,
                "a flood of distinct tokens costs the issuer at most this many calls a second",
            ),
            _assign("INTROSPECTION_MAX_BYTES", tuning.introspection_max_bytes),
        ]

    def _audience_comment(self) -> str:
        if self.profile.audience_claim == "client_id":
            return "checked against client_id: these access tokens carry no aud"
        return "aud must contain one of these"


def _comment_text(text: str) -> str:
    """Text safe inside a one-line comment: printable ASCII only."""
    return "".join(ch if " " <= ch <= "~" else "?" for ch in text)


def _literal(value: object) -> str:
    """A Python literal for a config value, double-quoted like ruff format writes it."""
    if isinstance(value, str):
        if value.isprintable() and value.isascii() and '"' not in value and "\\" not in value:
            return f'"{value}"'
        return repr(value)
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return f"dt.date({value.year}, {value.month}, {value.day})"
    if isinstance(value, tuple):
        items = [_literal(item) for item in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    if isinstance(value, frozenset):
        if not value:
            return "frozenset()"
        ordered = sorted(value, key=lambda item: (item is not None, item or ""))
        return f"frozenset({{{', '.join(_literal(item) for item in ordered)}}})"
    raise TypeError(f"no literal for {type(value).__name__}")


def _assign(name: str, value: object, comment: str = "") -> str:
    """`NAME = literal`, wrapped one item a line when too long (as ruff format would)."""
    lines = [f"# {_comment_text(comment)}"] if comment else []
    single = f"{name} = {_literal(value)}"
    if len(single) <= _LINE_LENGTH:
        return "\n".join([*lines, single])
    if isinstance(value, tuple) and value:
        body = [f"    {_literal(item)}," for item in value]
        return "\n".join([*lines, f"{name} = (", *body, ")"])
    if isinstance(value, frozenset) and value:
        ordered = sorted(value, key=lambda item: (item is not None, item or ""))
        body = [f"        {_literal(item)}," for item in ordered]
        return "\n".join([*lines, f"{name} = frozenset(", "    {", *body, "    }", ")"])
    return "\n".join([*lines, f"{name} = (", f"    {_literal(value)}", ")"])


def _assign_call(name: str, function: str, args: tuple[object, ...], comment: str = "") -> str:
    """`NAME = function(args)`, wrapped as ruff format would."""
    lines = [f"# {_comment_text(comment)}"] if comment else []
    text = ", ".join(_literal(arg) for arg in args)
    single = f"{name} = {function}({text})"
    if len(single) <= _LINE_LENGTH:
        return "\n".join([*lines, single])
    if len(text) + 4 <= _LINE_LENGTH:
        return "\n".join([*lines, f"{name} = {function}(", f"    {text}", ")"])
    body = [f"    {_literal(arg)}," for arg in args]
    return "\n".join([*lines, f"{name} = {function}(", *body, ")"])


def _condition(condition: Condition, parent: str = "") -> str:
    """A Python boolean expression over `claims`, `typ` and `audiences` for a profile condition."""
    if condition.kind in ("any", "all"):
        operator = " or " if condition.kind == "any" else " and "
        text = operator.join(_condition(child, condition.kind) for child in condition.children)
        needs_parens = parent and parent != condition.kind and len(condition.children) > 1
        return f"({text})" if needs_parens else text
    if condition.kind == "present":
        return f"{_literal(condition.claim)} in claims"
    if condition.kind == "equals":
        return f"claims.get({_literal(condition.claim)}) == {_literal(condition.value)}"
    if condition.kind == "header_typ":
        if len(condition.typs) == 1:
            typ = condition.typs[0]
            return "typ is None" if typ is None else f"typ == {_literal(typ)}"
        return f"typ in {_literal(condition.typs)}"
    if condition.kind == "api_audience":
        return "not ACCESS_AUDIENCES.isdisjoint(audiences)"
    if condition.kind == "api_only_audience":
        return "not API_ONLY_AUDIENCES.isdisjoint(audiences)"
    raise ValueError(f"unknown condition {condition.kind!r}")


def _without_shared_audience(condition: Condition, api_only: bool) -> Condition:
    """`condition` with `api_audience` narrowed to the API-only audiences ("never" if none)."""
    if condition.kind == "api_audience":
        return Condition("api_only_audience") if api_only else Condition("never")
    if condition.kind not in ("any", "all"):
        return condition
    children = [_without_shared_audience(child, api_only) for child in condition.children]
    if condition.kind == "all" and any(child.kind == "never" for child in children):
        return Condition("never")
    children = [child for child in children if child.kind != "never"]
    if not children:
        return Condition("never")
    return Condition(condition.kind, children=tuple(children))


def _kinds_used(conditions: Sequence[Condition]) -> set[str]:
    kinds: set[str] = set()
    pending = list(conditions)
    while pending:
        condition = pending.pop()
        kinds.add(condition.kind)
        pending.extend(condition.children)
    return kinds


def _assign_condition(name: str, condition: Condition | None) -> str:
    if condition is None:
        raise RenderError("the provider profile has no access-token discriminator")
    single = f"    {name} = {_condition(condition)}"
    if len(single) <= _LINE_LENGTH:
        return single
    operator = "or" if condition.kind == "any" else "and"
    if condition.kind in ("any", "all"):
        parts = [_condition(child, condition.kind) for child in condition.children]
    else:
        parts = [_condition(condition)]
    body = [
        f"        {part}" if i == 0 else f"        {operator} {part}"
        for i, part in enumerate(parts)
    ]
    return "\n".join([f"    {name} = (", *body, "    )"])
