"""The migration's configuration (`idtoken-migrate.yaml`): typed and frozen; see `configfile`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from idtoken_migrate.vocabulary import (  # noqa: F401 - re-exported: config validates them
    HMAC_ALGORITHMS,
    PHASES,
    PUBLIC_KEY_ALGORITHMS,
)

CONFIG_FILENAME = "idtoken-migrate.yaml"
PYPROJECT_FILENAME = "pyproject.toml"  # its [tool.idtoken-migrate] table
PROVIDERS: tuple[str, ...] = ("auth0", "cognito", "keycloak", "okta", "entra", "google", "generic")
DEFAULT_KILL_SWITCH_ENV = "IDTOKEN_MIGRATE_REJECT_ID_TOKENS"
DEFAULT_LEEWAY_SECONDS = 60
MAX_LEEWAY_SECONDS = 300  # RFC 9068: a few minutes at most
VALIDATIONS: tuple[str, ...] = ("jwt", "introspection")  # access_token.validation
DEFAULT_INTROSPECTION_CACHE_SECONDS = 60  # an answer is reused at most this long (and until exp)
MAX_INTROSPECTION_CACHE_SECONDS = 3600
# How the legacy code turns the client secret's text into the HMAC key: as is (UTF-8), or decoded
# from base64 / base64url (Auth0 tenants of 2016 showed the secret base64url-encoded).
SECRET_ENCODINGS: tuple[str, ...] = ("raw", "base64", "base64url")


@dataclass(frozen=True)
class AccessTokenConfig:
    # Cognito access tokens carry no aud: there these are app client ids, checked against client_id.
    audience: tuple[str, ...] = ()
    algorithms: tuple[str, ...] = ("RS256",)
    required_scopes: tuple[str, ...] = ()
    # Accept only JWTs whose header says typ at+jwt (RFC 9068): for providers that can emit them.
    require_at_jwt: bool = False
    # Claims every access token must carry: (name, None) present, (name, value) equal to value.
    required_claims: tuple[tuple[str, str | None], ...] = ()
    # jwt: verify access tokens as JWTs; introspection: ask the issuer (RFC 7662) about each one.
    validation: str = "jwt"
    introspection_endpoint: str | None = None
    # The NAMES of the variables holding the API's client id and secret for the introspection
    # endpoint (client_secret_basic), never the values.
    introspection_client_id_env: str | None = None
    introspection_client_secret_env: str | None = None
    introspection_cache_seconds: int = DEFAULT_INTROSPECTION_CACHE_SECONDS
    # The variable the app reads its audience from: the verifier reads it at start-up (comma or
    # space separated), `audience` being the default when it is unset or empty.
    audience_env: str | None = None


@dataclass(frozen=True)
class LegacyIdTokenConfig:
    client_ids: tuple[str, ...] = ()
    algorithms: tuple[str, ...] = ("RS256",)
    secret_env: str | None = None  # HS* only: the variable holding the key, never the key
    # Other clients allowed in an ID token's azp (besides client_ids): deliberate cross-client use.
    authorized_parties: tuple[str, ...] = ()
    secret_encoding: str = "raw"  # one of SECRET_ENCODINGS: how the variable's text becomes the key
    client_ids_env: str | None = None  # read at start-up like audience_env; client_ids the default
    # Where the legacy ID tokens come from when that is not the access tokens' issuer (Google
    # Sign-In to Auth0, one tenant to another); None: the top-level provider, issuer, jwks_uri.
    provider: str | None = None
    issuer: str | None = None
    jwks_uri: str | None = None


@dataclass(frozen=True)
class WindowConfig:
    sunset: dt.date | None = None
    kill_switch_env: str = DEFAULT_KILL_SWITCH_ENV


# What `check` does with an `ambiguous` site nobody decided: fail the gate, or only warn.
GATE_AMBIGUOUS: tuple[str, ...] = ("fail", "warn")


@dataclass(frozen=True)
class OutputConfig:
    module: str | None = None  # path of the generated verifier module, relative to the project root


@dataclass(frozen=True)
class VerifierConfig:
    # The .env file the app reads into a dict or settings object without exporting it: the
    # verifier reads its own variables from it at start-up, os.environ winning. Relative to the
    # project root; `~/` is the user's home; None: os.environ only.
    env_file: str | None = None


@dataclass(frozen=True)
class ScanConfig:
    exclude: tuple[str, ...] = ()


GATE_PARSE_ERRORS: tuple[str, ...] = ("fail", "warn")


@dataclass(frozen=True)
class GateConfig:
    """What `check` does beyond the findings (the `gate:` section); one field per key."""

    # A file that names a token library's verification API but could not be parsed.
    parse_errors: str = "fail"
    # An `ambiguous` site nobody decided: fail the gate, or only warn (GATE_AMBIGUOUS).
    ambiguous: str = "fail"


@dataclass(frozen=True)
class Config:
    version: int = 1
    provider: str = "generic"
    issuer: str = ""
    jwks_uri: str | None = None
    issuer_env: str | None = None  # read at start-up; `issuer` is the default when it is unset
    phase: str = "dual"
    leeway: int = DEFAULT_LEEWAY_SECONDS
    access_token: AccessTokenConfig = field(default_factory=AccessTokenConfig)
    legacy_id_token: LegacyIdTokenConfig = field(default_factory=LegacyIdTokenConfig)
    window: WindowConfig = field(default_factory=WindowConfig)
    claims: tuple[tuple[str, str], ...] = ()  # legacy claim -> where the access token carries it
    output: OutputConfig = field(default_factory=OutputConfig)
    verifier: VerifierConfig = field(default_factory=VerifierConfig)
    scan: ScanConfig = field(default_factory=ScanConfig)
    gate: GateConfig = field(default_factory=GateConfig)
    source: str | None = None  # the file this came from; None for defaults

    @property
    def claim_map(self) -> dict[str, str]:
        return dict(self.claims)

    @property
    def legacy_provider(self) -> str:
        """The provider of the legacy ID tokens (`legacy_id_token.provider`, default `provider`)."""
        return self.legacy_id_token.provider or self.provider

    @property
    def legacy_issuer(self) -> str:
        """The legacy ID tokens' issuer (`legacy_id_token.issuer`, default `issuer`)."""
        return self.legacy_id_token.issuer or self.issuer

    @property
    def two_issuers(self) -> bool:
        """The legacy ID tokens come from another issuer than the access tokens."""
        return self.legacy_issuer != self.issuer
