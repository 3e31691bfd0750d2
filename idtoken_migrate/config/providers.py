"""Provider profiles (`rules/providers/*.yaml`): how each provider's tokens look at runtime.

The format is documented in docs/providers.md. A profile is data: the renderer turns its conditions
into Python expressions of the generated verifier; the planner reads its manual steps and notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from idtoken_migrate.config import Config, yamlcache, yamlfile
from idtoken_migrate.resources import rules_dir

# Condition kinds of the discriminator language (docs/providers.md).
CONDITION_KINDS: tuple[str, ...] = ("any", "all", "present", "equals", "header_typ", "api_audience")
AUDIENCE_CLAIMS: tuple[str, ...] = ("aud", "client_id")
STEP_WHEN: tuple[str, ...] = ("always", "claims")
_CLAIM_NAME = re.compile(r"^[A-Za-z0-9_.:/#@$-]{1,200}$")
_TYP_VALUE = re.compile(r"^[a-z0-9.+-]{1,40}$")


class ProviderProfileError(ValueError):
    """A provider profile is missing, unreadable or invalid; the message names the file and key."""


@dataclass(frozen=True)
class Condition:
    """One node of a discriminator: `any`/`all` of children, or a test on the token."""

    kind: str
    claim: str = ""  # present, equals
    value: str | int | bool | None = None  # equals
    typs: tuple[str | None, ...] = ()  # header_typ: normalized (lowercase, no "application/")
    children: tuple[Condition, ...] = ()  # any, all


@dataclass(frozen=True)
class JwksLocation:
    issuer_pattern: str  # regex, full match; named groups are available to `uri`
    uri: str  # format string: {issuer} (without trailing slash) and the pattern's named groups


@dataclass(frozen=True)
class ManualStep:
    id: str
    when: str  # "always" | "claims" (only when config.claims maps something)
    text: str
    per_claim: str = ""  # one line per mapped claim: {claim} (legacy name) and {source} (AT claim)


USER_CLAIM_STATUSES = ("carried", "absent", "renamed", "configurable")


@dataclass(frozen=True)
class UserClaim:
    """`user_claims:` entry: whether this provider's access tokens carry a claim apps read."""

    claim: str  # a claim name, or a prefix ending in `*` (`custom:*`, `https://*`)
    access_token: str  # carried | absent | renamed | configurable
    renamed_to: str = ""  # renamed: the access token's name for it (`as:`)
    note: str = ""

    def matches(self, claim: str) -> bool:
        if self.claim.endswith("*"):
            return claim.startswith(self.claim[:-1])
        return claim == self.claim


@dataclass(frozen=True)
class ProviderProfile:
    id: str
    name: str
    summary: str
    issuer_formats: tuple[str, ...]
    issuer_note: str
    jwks: tuple[JwksLocation, ...]
    jwt_access_tokens: bool
    instead: str  # when jwt_access_tokens is False: what to do instead (for the plan)
    access_discriminator: Condition | None
    audience_claim: str  # "aud", or "client_id" (Cognito)
    header_typs: tuple[str | None, ...]  # accepted header typ on the access path; None = absent
    emits_at_jwt: bool  # the provider can emit typ at+jwt, so a verifier may require it
    client_claims: tuple[str, ...]  # claims naming the client the token was issued to
    scope_claims: tuple[str, ...]
    email_note: str
    id_markers: Condition
    manual_steps: tuple[ManualStep, ...]
    references: tuple[str, ...]
    path: str  # the profile file, for messages
    # The legacy rule refuses a token matching `id_refuse` (the provider's access-token markers)
    # and, where the provider marks its ID tokens, one not matching `id_require`.
    id_refuse: Condition | None = None
    id_require: Condition | None = None
    short_name: str = ""  # how findings name it ("Cognito"); the `name` unless the profile says
    # Other spellings of an issuer that real tokens carry (Google: `accounts.google.com` for
    # `https://accounts.google.com`): a legacy rule for that issuer accepts each, exactly.
    issuer_aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    user_claims: tuple[UserClaim, ...] = ()

    def issuer_spellings(self, issuer: str) -> tuple[str, ...]:
        """`issuer` and the other spellings the profile names for it."""
        return (issuer, *dict(self.issuer_aliases).get(issuer, ()))

    def user_claim(self, claim: str) -> UserClaim | None:
        """What the profile says about `claim` (the first `user_claims:` entry matching it)."""
        return next((u for u in self.user_claims if u.matches(claim)), None)


def short_name(provider: str) -> str:
    """How findings name a bundled provider (`Cognito`); "" for an unknown one."""
    try:
        return load_provider(provider).short_name
    except ProviderProfileError:
        return ""


def issuer_placeholder(profile: ProviderProfile) -> str:
    """The example issuer `init` writes: the profile's first issuer format, each `{part}` as
    `YOUR_PART` (`https://YOUR_ORG.okta.com/oauth2/YOUR_AUTHORIZATION_SERVER_ID`)."""
    first = profile.issuer_formats[0].split(" (")[0] if profile.issuer_formats else ""
    return re.sub(r"\{(\w+)\}", lambda m: "YOUR_" + m[1].upper(), first)


def load_provider(provider: str, directory: Path | None = None) -> ProviderProfile:
    """The profile of one provider (`auth0`, `cognito`, ...) from `directory` (default: bundled)."""
    profiles = load_providers(directory)
    try:
        return profiles[provider]
    except KeyError:
        known = ", ".join(sorted(profiles))
        raise ProviderProfileError(f"unknown provider {provider!r} (known: {known})") from None


def load_providers(directory: Path | None = None) -> dict[str, ProviderProfile]:
    """All profiles in `directory` (default: the bundled rules/providers), keyed by id."""
    folder = directory if directory is not None else rules_dir() / "providers"
    return dict(_load_folder(folder.resolve()))


@lru_cache(maxsize=8)
def _load_folder(folder: Path) -> tuple[tuple[str, ProviderProfile], ...]:
    if not folder.is_dir():
        raise ProviderProfileError(f"{folder}: provider profile folder not found")
    profiles: dict[str, ProviderProfile] = {}
    for path in sorted(folder.glob("*.yaml")):
        profile = load_profile_file(path)
        if profile.id in profiles:
            raise ProviderProfileError(f"{path}: id {profile.id!r} also defined in another file")
        profiles[profile.id] = profile
    return tuple(profiles.items())


def load_profile_file(path: Path) -> ProviderProfile:
    """Parse and validate one profile file (its data kept by `yamlcache`, as the rule packs':
    a scan that names a provider in a finding's message never imports yaml)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ProviderProfileError(f"{path}: cannot read profile: {error}") from None
    source = str(path)
    return yamlcache.load(
        data,
        lambda: yamlfile.parse(data, source, _profile_error, unique_keys=True),
        _Parser(source).profile,
    )


def jwks_uri_for(profile: ProviderProfile, issuer: str) -> str:
    """The JWKS URL the provider publishes for `issuer`; ProviderProfileError if it cannot tell."""
    for location in profile.jwks:
        match = re.fullmatch(location.issuer_pattern, issuer)
        if match:
            return location.uri.format(issuer=issuer.rstrip("/"), **match.groupdict())
    raise ProviderProfileError(
        f"cannot derive jwks_uri for provider {profile.id} and issuer {issuer!r}; set jwks_uri"
    )


def manual_steps(profile: ProviderProfile, config: Config) -> tuple[str, ...]:
    """The profile's manual steps for this config, formatted for the plan."""
    values = {
        "issuer": config.issuer,
        "audience": ", ".join(config.access_token.audience) or "(access_token.audience)",
    }
    steps: list[str] = []
    for step in profile.manual_steps:
        if step.when == "claims" and not config.claims:
            continue
        text = step.text.format(**values)
        if step.per_claim:
            lines = [step.per_claim.format(claim=c, source=s, **values) for c, s in config.claims]
            text = "\n".join([text, *("    " + line for line in lines)])
        steps.append(text)
    return tuple(steps)


def audience_decides(profile: ProviderProfile) -> bool:
    """True when the profile's access discriminator holds for any token whose `aud` contains an API
    audience: it then tells the two kinds apart by the audience alone (Auth0, generic)."""

    def holds(condition: Condition) -> bool:
        if condition.kind == "any":
            return any(holds(child) for child in condition.children)
        if condition.kind == "all":
            return all(holds(child) for child in condition.children)
        return condition.kind == "api_audience"

    return profile.access_discriminator is not None and holds(profile.access_discriminator)


def shared_audience_problem(
    profile: ProviderProfile,
    audiences: Iterable[str],
    client_ids: Iterable[str],
    *,
    require_at_jwt: bool,
    required_scopes: Iterable[str],
    required_claims: Iterable[tuple[str, str | None]],
) -> str | None:
    """Why the access-token rule and the ID-token rule cannot be told apart, or None when they can.

    They cannot when an API audience is also a legacy client id (one registration for both) and the
    profile tells access tokens by their audience alone, unless the config names something only
    access tokens carry: typ at+jwt, a required scope, or a required claim.
    """
    shared = sorted(set(audiences) & set(client_ids))
    if not shared or not audience_decides(profile):
        return None
    if require_at_jwt or any(required_scopes) or any(required_claims):
        return None
    options = ["access_token.required_scopes (a scope every access token for the API carries)"]
    options.append(
        "access_token.required_claims (a claim only access tokens carry, e.g. scope or roles)"
    )
    if profile.emits_at_jwt:
        options.insert(0, "access_token.require_at_jwt: true (if all its access tokens are at+jwt)")
    return (
        f"{shared[0]!r} is both an API audience and a legacy client id, and {profile.name} "
        "tokens carry no other mark that tells an access token from an ID token: add "
        + ", or ".join(options)
    )


def normalize_typ(value: str | None) -> str | None:
    """RFC 7515 4.1.9: media types compare case-insensitively, "application/" may be omitted."""
    if value is None:
        return None
    value = value.lower()
    return value[len("application/") :] if value.startswith("application/") else value


def _profile_error(file: str, line: int | None, key: str, message: str) -> ProviderProfileError:
    return ProviderProfileError(yamlfile.problem_text(file, line, key, message))


_PROFILE_KEYS = {
    "id",
    "name",
    "short_name",
    "summary",
    "issuer",
    "jwks",
    "access_token",
    "id_token",
    "manual_steps",
    "references",
    "scanner",  # read by the scanner (signals.py), not by the verifier
    "user_claims",  # read by the plan
}
_ACCESS_KEYS = {
    "jwt",
    "instead",
    "discriminator",
    "audience_claim",
    "header_typ",
    "emits_at_jwt",
    "client_claims",
    "scope_claims",
    "email",
}
# (discriminator, audience claim, header typs, emits at+jwt, what to do instead)
_AccessShape = tuple[Condition | None, str, tuple[str | None, ...], bool, str]


class _Parser:
    """Validates one profile's YAML; every error names the file, the line and the key (no line
    for data from `yamlcache`, which only holds profiles that passed)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, key: str, message: str, at: Any = None, name: Any = None) -> Exception:
        """The error for `key`; its line is that of `name` in the mapping or list `at`."""
        return _profile_error(self.path, yamlfile.line_of(at, name), key, message)

    def mapping(
        self, value: Any, key: str, allowed: set[str], at: Any = None, name: Any = None
    ) -> dict[str, Any]:
        """`value` (`name` of `at`) as a mapping whose keys are all `allowed`."""
        if not isinstance(value, dict):
            raise self.fail(key, yamlfile.wrong_type("a mapping", value), at, name)
        yamlfile.check_keys(value, allowed, self.path, key, _profile_error)
        return value

    def text(self, data: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
        value = data.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(f"{where}{key}", "expected a non-empty string", data, key)
        return value.strip()

    def strings(self, data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"{where}{key}", "expected a list of strings", data, key)
        return tuple(value)

    def claim_names(self, data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        names = self.strings(data, key, where)
        for index, name in enumerate(names):
            if not _CLAIM_NAME.match(name):
                raise self.fail(f"{where}{key}", f"invalid claim name {name!r}", data[key], index)
        return names

    def typs(self, value: Any, key: str, at: Any, name: Any) -> tuple[str | None, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(
                key, "expected a non-empty list of typ values (null = absent)", at, name
            )
        typs: list[str | None] = []
        for index, item in enumerate(value):
            if item is not None and not (isinstance(item, str) and _TYP_VALUE.match(item.lower())):
                raise self.fail(key, f"invalid typ {item!r}", value, index)
            typ = normalize_typ(item)
            if typ == "dpop+jwt":
                raise self.fail(key, f"typ {item!r} is never an access token", value, index)
            typs.append(typ)
        return tuple(dict.fromkeys(typs))

    def profile(self, data: Any) -> ProviderProfile:
        top = self.mapping(data, "", _PROFILE_KEYS)
        profile_id = self.text(top, "id", "")
        display = self.text(top, "name", "")
        if not re.fullmatch(r"[a-z][a-z0-9_-]*", profile_id):
            raise self.fail("id", f"invalid id {profile_id!r}", top, "id")
        issuer = self.mapping(
            top.get("issuer", {}), "issuer", {"formats", "note", "aliases"}, top, "issuer"
        )
        access = self.mapping(
            top.get("access_token"), "access_token", _ACCESS_KEYS, top, "access_token"
        )
        id_token = self.mapping(
            top.get("id_token"), "id_token", {"markers", "refuse", "require"}, top, "id_token"
        )
        jwt_access_tokens = access.get("jwt")
        if not isinstance(jwt_access_tokens, bool):
            raise self.fail("access_token.jwt", "expected true or false", access, "jwt")
        where = "access_token."
        discriminator, audience_claim, header_typs, emits_at_jwt, instead = (
            self.jwt_access(access) if jwt_access_tokens else self.opaque_access(access)
        )
        return ProviderProfile(
            id=profile_id,
            name=display,
            short_name=self.text(top, "short_name", "", required=False) or display,
            summary=self.text(top, "summary", ""),
            issuer_formats=self.strings(issuer, "formats", "issuer."),
            issuer_note=self.text(issuer, "note", "issuer.", required=False),
            issuer_aliases=self.aliases(issuer.get("aliases", {}), issuer),
            jwks=self.jwks(top.get("jwks", []), top),
            jwt_access_tokens=jwt_access_tokens,
            instead=instead,
            access_discriminator=discriminator,
            audience_claim=audience_claim,
            header_typs=header_typs,
            emits_at_jwt=emits_at_jwt,
            client_claims=self.claim_names(access, "client_claims", where),
            scope_claims=self.claim_names(access, "scope_claims", where),
            email_note=self.text(access, "email", where, required=False),
            id_markers=self.condition(
                id_token.get("markers"), "id_token.markers", id_token, "markers"
            ),
            manual_steps=self.steps(top.get("manual_steps", []), top),
            references=self.strings(top, "references", ""),
            path=self.path,
            id_refuse=self.optional_condition(id_token, "refuse", "id_token."),
            id_require=self.optional_condition(id_token, "require", "id_token."),
            user_claims=self.user_claims(top.get("user_claims", []), top),
        )

    def jwt_access(self, access: dict[str, Any]) -> _AccessShape:
        """`access_token:` of a provider whose access tokens are JWTs: how to tell them apart."""
        where = "access_token."
        discriminator = self.condition(
            access.get("discriminator"), f"{where}discriminator", access, "discriminator"
        )
        audience_claim = self.text(access, "audience_claim", where)
        if audience_claim not in AUDIENCE_CLAIMS:
            raise self.fail(
                f"{where}audience_claim",
                f"expected one of {AUDIENCE_CLAIMS}",
                access,
                "audience_claim",
            )
        header_typs = self.typs(
            access.get("header_typ"), f"{where}header_typ", access, "header_typ"
        )
        emits_at_jwt = access.get("emits_at_jwt", False)
        if not isinstance(emits_at_jwt, bool):
            raise self.fail(
                f"{where}emits_at_jwt", "expected true or false", access, "emits_at_jwt"
            )
        return discriminator, audience_claim, header_typs, emits_at_jwt, ""

    def opaque_access(self, access: dict[str, Any]) -> _AccessShape:
        """`access_token:` of a provider whose access tokens are not JWTs: what to do instead."""
        where = "access_token."
        extra = sorted({"discriminator", "header_typ", "audience_claim"} & set(access))
        if extra:
            raise self.fail(
                where + extra[0], "not allowed when access_token.jwt is false", access, extra[0]
            )
        return None, "aud", (), False, self.text(access, "instead", where)

    def entries(
        self, value: Any, top: Any, name: str, keys: set[str]
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """`name:`, a list of mappings with `keys`: each one with its key path (`name[3]`)."""
        if not isinstance(value, list):
            raise self.fail(name, "expected a list", top, name)
        for index, item in enumerate(value):
            key = f"{name}[{index}]"
            yield key, self.mapping(item, key, keys, value, index)

    def user_claims(self, value: Any, top: Any) -> tuple[UserClaim, ...]:
        out = []
        for key, entry in self.entries(
            value, top, "user_claims", {"claim", "access_token", "as", "note"}
        ):
            claim = self.text(entry, "claim", key + ".")
            status = self.text(entry, "access_token", key + ".")
            if status not in USER_CLAIM_STATUSES:
                raise self.fail(
                    f"{key}.access_token",
                    f"expected one of {', '.join(USER_CLAIM_STATUSES)}",
                    entry,
                    "access_token",
                )
            renamed = self.text(entry, "as", key + ".", required=status == "renamed")
            if renamed and status != "renamed":
                raise self.fail(f"{key}.as", "only for access_token: renamed", entry, "as")
            note = self.text(entry, "note", key + ".", required=False)
            out.append(UserClaim(claim, status, renamed, note))
        return tuple(out)

    def optional_condition(self, data: dict[str, Any], key: str, where: str) -> Condition | None:
        if data.get(key) is None:
            return None
        return self.condition(data[key], where + key, data, key)

    def aliases(self, value: Any, issuer: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
        key = "issuer.aliases"
        if not isinstance(value, dict):
            raise self.fail(
                key, "expected a mapping: issuer -> its other spellings", issuer, "aliases"
            )
        out = []
        for name, others in value.items():
            spellings = others if isinstance(others, list) else None
            if not isinstance(name, str) or not spellings:
                raise self.fail(
                    key, "expected a mapping: issuer -> a list of spellings", value, name
                )
            if not all(isinstance(item, str) and item.strip() == item != "" for item in spellings):
                raise self.fail(f"{key}.{name}", "expected non-empty strings", value, name)
            out.append((name, tuple(spellings)))
        return tuple(out)

    def jwks(self, value: Any, top: Any) -> tuple[JwksLocation, ...]:
        locations = []
        for key, entry in self.entries(value, top, "jwks", {"issuer_pattern", "uri"}):
            pattern = self.text(entry, "issuer_pattern", key + ".")
            try:
                re.compile(pattern)
            except re.error as error:
                raise self.fail(
                    key + ".issuer_pattern", f"invalid regex: {error}", entry, "issuer_pattern"
                ) from None
            uri = self.text(entry, "uri", key + ".")
            if not uri.startswith("https://") and not uri.startswith("{issuer}"):
                raise self.fail(
                    key + ".uri", "must be https:// or start with {issuer}", entry, "uri"
                )
            locations.append(JwksLocation(pattern, uri))
        return tuple(locations)

    def steps(self, value: Any, top: Any) -> tuple[ManualStep, ...]:
        steps = []
        for key, entry in self.entries(
            value, top, "manual_steps", {"id", "when", "text", "per_claim"}
        ):
            when = self.text(entry, "when", key + ".")
            if when not in STEP_WHEN:
                raise self.fail(key + ".when", f"expected one of {STEP_WHEN}", entry, "when")
            steps.append(
                ManualStep(
                    id=self.text(entry, "id", key + "."),
                    when=when,
                    text=self.text(entry, "text", key + "."),
                    per_claim=self.text(entry, "per_claim", key + ".", required=False),
                )
            )
        return tuple(steps)

    def condition(self, value: Any, key: str, at: Any, name: Any) -> Condition:
        """The condition `value` (`name` of `at`, named `key` in messages)."""
        if not isinstance(value, dict) or len(value) != 1:
            kinds = ", ".join(CONDITION_KINDS)
            raise self.fail(key, f"expected a mapping with one of {kinds}", at, name)
        ((kind, arg),) = value.items()
        if kind in ("any", "all"):
            if not isinstance(arg, list) or not arg:
                raise self.fail(
                    f"{key}.{kind}", "expected a non-empty list of conditions", value, kind
                )
            children = tuple(
                self.condition(c, f"{key}.{kind}[{i}]", arg, i) for i, c in enumerate(arg)
            )
            return Condition(kind, children=children)
        if kind == "present":
            if not isinstance(arg, str) or not _CLAIM_NAME.match(arg):
                raise self.fail(f"{key}.present", "expected a claim name", value, kind)
            return Condition(kind, claim=arg)
        if kind == "equals":
            if not isinstance(arg, dict) or len(arg) != 1:
                raise self.fail(f"{key}.equals", "expected one `claim: value` pair", value, kind)
            ((claim, expected),) = arg.items()
            if not isinstance(claim, str) or not _CLAIM_NAME.match(claim):
                raise self.fail(f"{key}.equals", f"invalid claim name {claim!r}", arg, claim)
            if not isinstance(expected, (str, int, bool)):
                raise self.fail(
                    f"{key}.equals.{claim}", "expected a string, number or boolean", arg, claim
                )
            return Condition(kind, claim=claim, value=expected)
        if kind == "header_typ":
            return Condition(kind, typs=self.typs(arg, f"{key}.header_typ", value, kind))
        if kind == "api_audience":
            if arg is not True:
                raise self.fail(f"{key}.api_audience", "expected true", value, kind)
            return Condition(kind)
        known = ", ".join(CONDITION_KINDS)
        raise self.fail(key, f"unknown condition {kind!r} (known: {known})", value, kind)
