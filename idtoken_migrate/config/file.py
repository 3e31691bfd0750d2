"""Find, read and validate the configuration (`idtoken-migrate.yaml` or `[tool.idtoken-migrate]` in
pyproject.toml) into the typed `Config`. Every problem is one line naming the file, line and key.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from idtoken_migrate.config import (
    CONFIG_FILENAME,
    GATE_AMBIGUOUS,
    GATE_PARSE_ERRORS,
    HMAC_ALGORITHMS,
    MAX_INTROSPECTION_CACHE_SECONDS,
    MAX_LEEWAY_SECONDS,
    PHASES,
    PROVIDERS,
    PUBLIC_KEY_ALGORITHMS,
    PYPROJECT_FILENAME,
    SECRET_ENCODINGS,
    VALIDATIONS,
    AccessTokenConfig,
    Config,
    GateConfig,
    LegacyIdTokenConfig,
    OutputConfig,
    ScanConfig,
    VerifierConfig,
    WindowConfig,
    yamlfile,
)
from idtoken_migrate.config.yamlfile import type_name as _type_name
from idtoken_migrate.model import (
    UsageError,
)

PYPROJECT_TABLE = ("tool", "idtoken-migrate")


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


class ConfigError(UsageError):
    """An invalid configuration: `str()` is the one-line message, the attributes say where."""

    def __init__(self, file: str, line: int | None, key: str, message: str, more: int = 0) -> None:
        self.file = file
        self.line = line
        self.key = key
        self.problem = message
        self.more = more
        text = yamlfile.problem_text(file, line, key, message)
        if more:
            text += f" (and {more} more problem{'s' if more > 1 else ''})"
        super().__init__(text)


# --- where the configuration comes from -----------------------------------------------------------


def load_config(path: Path | None, root: Path) -> Config:
    """The configuration for a project rooted at `root`.

    An explicit `path` must exist (a `.toml` file is read as pyproject.toml). Otherwise
    `root/idtoken-migrate.yaml`, then `[tool.idtoken-migrate]` in `root/pyproject.toml`, then the
    defaults. Raises `ConfigError` (a `UsageError`) for anything invalid.
    """
    if path is not None:
        if not path.is_file():
            what = "is not a file" if path.exists() else "config file not found"
            raise UsageError(f"{_display(path)}: {what}")
        if path.suffix == ".toml":
            config = _load_pyproject(path, required=True)
            assert config is not None
            return config
        return _load_yaml(path)
    default = root / CONFIG_FILENAME
    if default.is_file():
        return _load_yaml(default)
    pyproject = root / PYPROJECT_FILENAME
    if pyproject.is_file():
        config = _load_pyproject(pyproject, required=False)
        if config is not None:
            return config
    return Config()


def discover_config(start: Path) -> Path | None:
    """The configuration that applies to `start` (a folder, or a file's folder), found as ruff
    finds its own: the nearest folder at or above it with an `idtoken-migrate.yaml` or a
    `pyproject.toml` holding `[tool.idtoken-migrate]`, searching up to the repository root (the
    first folder with a `.git`) or the filesystem root. None when there is none."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        found = find_config_file(candidate)
        if found is not None:
            return found
        if (candidate / ".git").exists():
            return None  # the repository's root: a config above it belongs to something else
    return None


# What `init` wrote as the issuer before the profiles gave it (still refused by plan and apply).
_EARLIER_ISSUER_PLACEHOLDERS = frozenset(
    {
        "https://YOUR_TENANT.us.auth0.com/",
        "https://cognito-idp.REGION.amazonaws.com/REGION_POOLID",
        "https://keycloak.example.com/realms/YOUR_REALM",
        "https://YOUR_ORG.okta.com/oauth2/default",
        "https://login.microsoftonline.com/YOUR_TENANT_ID/v2.0",
        "https://issuer.example.com/",
    }
)
# Values `init` writes where the code did not show the real one. plan, apply and check refuse a
# config that still holds one: a first run fails safe instead of trusting an example tenant.
_AUDIENCE_PLACEHOLDER = "YOUR_API_AUDIENCE"
_CLIENT_ID_PLACEHOLDER = "YOUR_CLIENT_ID"
_SECRET_ENV_PLACEHOLDER = "YOUR_CLIENT_SECRET_ENV"


def check_placeholders(config: Config, path: Path | None) -> None:
    """ConfigError (exit 2) when `config` (read from `path`) still holds a placeholder that
    `init` wrote: `file:line: key: still the placeholder ...`, the first one by line."""
    legacy = config.legacy_id_token
    found = [("issuer", config.issuer)] if _is_issuer_placeholder(config.issuer) else []
    found += [("access_token.audience", a) for a in config.access_token.audience]
    found += [("legacy_id_token.client_ids", c) for c in legacy.client_ids]
    found += [("legacy_id_token.secret_env", legacy.secret_env or "")]
    found = [
        (key, value)
        for key, value in found
        if value
        and (
            key == "issuer"
            or value in (_AUDIENCE_PLACEHOLDER, _CLIENT_ID_PLACEHOLDER, _SECRET_ENV_PLACEHOLDER)
        )
    ]
    if not found:
        return
    lines = _read_text(path).splitlines() if path is not None and path.is_file() else []
    located = sorted(
        (next((n for n, text in enumerate(lines, 1) if value in text), 1 << 30), key, value)
        for key, value in found
    )
    line, key, value = located[0]
    raise ConfigError(
        config.source or "config",
        line if line != 1 << 30 else None,
        key,
        f"still the placeholder {value!r} that `idtoken-migrate init` wrote; set the real value",
        len(located) - 1,
    )


def _is_issuer_placeholder(issuer: str | None) -> bool:
    # Every example holds YOUR_: a real issuer never loads the profiles (nor yaml) for this.
    if not issuer:
        return False
    if issuer in _EARLIER_ISSUER_PLACEHOLDERS:
        return True
    return "YOUR_" in issuer and issuer in _issuer_placeholders()


def _issuer_placeholders() -> frozenset[str]:
    """The issuers `init` writes when the code shows none: each profile's example (a real issuer,
    such as Google's, is none) and the earlier ones."""
    from idtoken_migrate.config.providers import issuer_placeholder, load_providers

    examples = {issuer_placeholder(p) for p in load_providers().values()}
    return frozenset(e for e in examples if "YOUR_" in e) | _EARLIER_ISSUER_PLACEHOLDERS


def find_config_file(root: Path) -> Path | None:
    """The file `load_config(None, root)` would read, or None when it would use the defaults."""
    default = root / CONFIG_FILENAME
    if default.is_file():
        return default
    pyproject = root / PYPROJECT_FILENAME
    if pyproject.is_file() and _pyproject_table(pyproject) is not None:
        return pyproject
    return None


def _display(path: Path) -> str:
    """The path as the user would type it: relative to the working directory when under it."""
    try:
        return os.path.relpath(path) if path.is_absolute() else str(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{_display(path)}: not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"{_display(path)}: cannot read: {exc.strerror or exc}") from None


# --- YAML -----------------------------------------------------------------------------------------


def _load_yaml(path: Path) -> Config:
    label = _display(path)
    data = yamlfile.parse(_read_text(path), label, ConfigError)
    if data is None:
        data = yamlfile.LineDict()
        data.line, data.key_lines, data.duplicates = 1, {}, []
    if not isinstance(data, dict):
        raise ConfigError(
            label, 1, "", "the top level must be a mapping of keys (see docs/config.md)"
        )
    return _Validator(label, yamlfile.line_of).build(data, source=str(path))


# --- pyproject.toml -------------------------------------------------------------------------------


def _tomllib() -> Any:
    try:
        import tomllib  # Python 3.11+
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ModuleNotFoundError:
            return None
    return tomllib


def _parse_toml(path: Path) -> dict[str, Any]:
    toml = _tomllib()
    label = _display(path)
    if toml is None:  # pragma: no cover - Python 3.10 without tomli
        raise UsageError(
            f"{label}: reading pyproject.toml needs Python 3.11+ or the 'tomli' package; "
            f"or put the configuration in {CONFIG_FILENAME}"
        )
    try:
        return toml.loads(_read_text(path))  # type: ignore[no-any-return]
    except toml.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(label, line, "", f"invalid TOML: {message}") from None


def _pyproject_table(path: Path) -> Any:
    table: Any = _parse_toml(path)
    for part in PYPROJECT_TABLE:
        if not isinstance(table, dict) or part not in table:
            return None
        table = table[part]
    return table


def _load_pyproject(path: Path, *, required: bool) -> Config | None:
    label = _display(path)
    table = _pyproject_table(path)
    if table is None:
        if required:
            raise UsageError(f"{label}: no [tool.idtoken-migrate] table")
        return None
    if not isinstance(table, dict):
        raise ConfigError(label, None, "tool.idtoken-migrate", "must be a table")
    finder = _TomlLines(_read_text(path).splitlines())
    finder.register(table, PYPROJECT_TABLE)
    return _Validator(label, finder.line, key_prefix="tool.idtoken-migrate").build(
        table, source=str(path)
    )


class _TomlLines:
    """Best-effort line numbers for TOML keys (tomllib keeps none): where each key is defined."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.\-"' ]+?)\s*=""")

    def __init__(self, lines: list[str]) -> None:
        self.defs: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        for number, text in enumerate(lines, start=1):
            header = self._HEADER.match(text)
            if header:
                table = _split_toml_key(header.group(1))
                self.defs.setdefault(table, number)
                continue
            key = self._KEY.match(text)
            if key:
                self.defs.setdefault(table + _split_toml_key(key.group(1)), number)
        self.ids: dict[int, tuple[str, ...]] = {}

    def register(self, value: Any, path: tuple[str, ...]) -> None:
        """Remember where each nested table or array sits, so `line` can find its keys."""
        if isinstance(value, (dict, list)):
            self.ids[id(value)] = path
        if isinstance(value, dict):
            for key, item in value.items():
                self.register(item, path + (str(key),))

    def line(self, container: Any, key: Any) -> int | None:
        base = self.ids.get(id(container), PYPROJECT_TABLE)
        path = base + (str(key),) if not isinstance(key, int) else base
        while path:
            if path in self.defs:
                return self.defs[path]
            path = path[:-1]
        return None


def _split_toml_key(text: str) -> tuple[str, ...]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.]+)', text)
    return tuple((a or b or c).strip() for a, b, c in parts)


# --- validation -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Problem:
    line: int | None
    key: str
    message: str


class _Invalid(Exception):
    def __init__(self, problem: _Problem) -> None:
        self.problem = problem


_TOP_KEYS = (
    "version",
    "provider",
    "issuer",
    "jwks_uri",
    "issuer_env",
    "phase",
    "leeway",
    "access_token",
    "legacy_id_token",
    "window",
    "claims",
    "output",
    "verifier",
    "scan",
    "gate",
)
_SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "access_token": (
        "audience",
        "algorithms",
        "required_scopes",
        "require_at_jwt",
        "required_claims",
        "audience_env",
        "validation",
        "introspection_endpoint",
        "introspection_client_id_env",
        "introspection_client_secret_env",
        "introspection_cache_seconds",
    ),
    "legacy_id_token": (
        "provider",
        "issuer",
        "jwks_uri",
        "client_ids",
        "algorithms",
        "secret_env",
        "authorized_parties",
        "secret_encoding",
        "client_ids_env",
    ),
    "window": ("sunset", "kill_switch_env"),
    "output": ("module",),
    "verifier": ("env_file",),
    "scan": ("exclude",),
    "gate": ("parse_errors", "ambiguous"),
}
_ALL_KEY_PATHS = tuple(_TOP_KEYS) + tuple(
    f"{section}.{key}" for section, keys in _SECTION_KEYS.items() for key in keys
)


class _Validator:
    """Turns the raw mapping into a `Config`, collecting every problem with its line."""

    def __init__(
        self,
        label: str,
        line_of: Callable[[Any, Any], int | None],
        key_prefix: str = "",
    ) -> None:
        self.label = label
        self.line_of = line_of
        self.prefix = key_prefix
        self.problems: list[_Problem] = []

    # -- reporting --

    def _key(self, *parts: str | int) -> str:
        text = ""
        for part in ([self.prefix] if self.prefix else []) + list(parts):
            if isinstance(part, int):
                text += f"[{part}]"
            else:
                text += f".{part}" if text else str(part)
        return text

    def problem(self, container: Any, key: Any, path: tuple[str | int, ...], message: str) -> None:
        self.problems.append(_Problem(self.line_of(container, key), self._key(*path), message))

    # -- structure --

    def _check_keys(
        self, mapping: dict[Any, Any], known: tuple[str, ...], path: tuple[str, ...]
    ) -> None:
        for key in mapping:
            if key in known:
                continue
            name = str(key)
            self.problem(mapping, key, path + (name,), _unknown_key(name, known, path))
        for key, line in getattr(mapping, "duplicates", ()):
            self.problems.append(_Problem(line, self._key(*path, str(key)), "duplicate key"))

    def _section(self, data: dict[Any, Any], name: str) -> dict[Any, Any]:
        value = data.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(data, name, (name,), f"must be a mapping, not {_type_name(value)}")
            return {}
        self._check_keys(value, _SECTION_KEYS[name], (name,))
        return value

    def _fail(
        self, container: Any, key: Any, path: tuple[str | int, ...], message: str
    ) -> _Invalid:
        return _Invalid(_Problem(self.line_of(container, key), self._key(*path), message))

    # -- typed readers (raise _Invalid) --

    def string(self, data: dict[Any, Any], key: str, path: tuple[str, ...]) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or isinstance(value, bool):
            raise self._fail(data, key, path, f"must be a string, not {_type_name(value)}")
        value = value.strip()
        if not value:
            raise self._fail(data, key, path, "must not be empty")
        return value

    def strings(
        self, data: dict[Any, Any], key: str, path: tuple[str, ...], *, split: bool = False
    ) -> tuple[str, ...] | None:
        """A string or a list of strings (`split`: a string of space-separated words)."""
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            items = value.split() if split else [value.strip()]
            return tuple(i for i in items if i)
        if not isinstance(value, list):
            raise self._fail(
                data, key, path, f"must be a string or a list of strings, not {_type_name(value)}"
            )
        out: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                what = "an empty string" if isinstance(item, str) else _type_name(item)
                raise self._fail(
                    value, index, path + (index,), f"must be a non-empty string, not {what}"
                )
            out.append(item.strip())
        return tuple(out)

    def integer(self, data: dict[Any, Any], key: str, path: tuple[str, ...]) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(data, key, path, f"must be an integer, not {_type_name(value)}")
        return value

    def boolean(self, data: dict[Any, Any], key: str, path: tuple[str, ...]) -> bool | None:
        value = data.get(key)
        if value is None or isinstance(value, bool):
            return value
        raise self._fail(data, key, path, f"must be true or false, not {_type_name(value)}")

    def date(self, data: dict[Any, Any], key: str, path: tuple[str, ...]) -> dt.date | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            parsed = parse_date(value)
            if parsed is not None:
                return parsed
            if re.fullmatch(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*", value):
                raise self._fail(data, key, path, f"{value.strip()!r} is not a real date")
            raise self._fail(data, key, path, f"must be a date YYYY-MM-DD, not {value!r}")
        raise self._fail(data, key, path, f"must be a date YYYY-MM-DD, not {_type_name(value)}")

    def choice(
        self, data: dict[Any, Any], key: str, path: tuple[str, ...], choices: tuple[str, ...]
    ) -> str | None:
        value = self.string(data, key, path)
        if value is None:
            return None
        if value not in choices:
            close = difflib.get_close_matches(value.lower(), choices, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise self._fail(data, key, path, f"{value!r} is not one of {', '.join(choices)}{hint}")
        return value

    def url(self, data: dict[Any, Any], key: str, path: tuple[str, ...]) -> str | None:
        value = self.string(data, key, path)
        if value is None:
            return None
        found = re.match(r"^(https?)://([^/?#\s]+)", value)
        if not found:
            raise self._fail(data, key, path, f"must be an https:// URL, not {value!r}")
        scheme, host = found.groups()
        hostname = host.rsplit("@", 1)[-1]
        hostname = hostname if hostname.startswith("[") else hostname.split(":", 1)[0]
        if scheme == "http" and hostname not in _LOCAL_HOSTS:
            raise self._fail(
                data, key, path, f"must use https (http only for localhost): {value!r}"
            )
        return value

    def env_name(self, data: dict[Any, Any], key: str, path: tuple[str, ...]) -> str | None:
        value = self.string(data, key, path)
        if value is None:
            return None
        if not _ENV_NAME.match(value):
            raise self._fail(
                data,
                key,
                path,
                "must be the name of an environment variable (letters, digits, _), never the value",
            )
        return value

    def algorithms(
        self, data: dict[Any, Any], key: str, path: tuple[str, ...], *, allow_hmac: bool
    ) -> tuple[str, ...] | None:
        values = self.strings(data, key, path)
        if values is None:
            return None
        if not values:
            raise self._fail(data, key, path, "must list at least one algorithm")
        allowed = PUBLIC_KEY_ALGORITHMS + (HMAC_ALGORITHMS if allow_hmac else ())
        for index, alg in enumerate(values):
            container, where = (data[key], index) if isinstance(data[key], list) else (data, key)
            here = path + ((index,) if isinstance(data[key], list) else ())
            if alg.lower() == "none":
                raise self._fail(
                    container, where, here, "'none' is never allowed: it means unsigned"
                )
            if alg in HMAC_ALGORITHMS and not allow_hmac:
                raise self._fail(
                    container,
                    where,
                    here,
                    f"{alg} is not allowed for access tokens: they are signed by the issuer's "
                    "private key (use RS256 or another public-key algorithm)",
                )
            if alg not in allowed:
                close = difflib.get_close_matches(alg.upper(), allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise self._fail(container, where, here, f"unknown algorithm {alg!r}{hint}")
        if any(a in HMAC_ALGORITHMS for a in values) and any(
            a in PUBLIC_KEY_ALGORITHMS for a in values
        ):
            # Both at once let an attacker sign with the public key as HMAC secret (RFC 8725 2.1).
            raise self._fail(
                data,
                key,
                path,
                "must not mix HMAC (HS*) and public-key algorithms in one allowlist",
            )
        return values

    # -- the whole document --

    def build(self, data: dict[Any, Any], *, source: str) -> Config:
        self._check_keys(data, _TOP_KEYS, ())
        sections = {"": data, **{name: self._section(data, name) for name in _SECTION_KEYS}}
        values: dict[tuple[str, str], Any] = {}
        for section, key, reader, options in _FIELDS:
            path = (section, key) if section else (key,)
            try:
                values[section, key] = reader(self, sections[section], key, path, **options)
            except _Invalid as exc:
                self.problems.append(exc.problem)
                values[section, key] = None
        # Values that depend on each other: only once the document is valid key by key, so a typo
        # is reported as a typo and not also as the value it hides going missing.
        if not self.problems:
            self._check_dependent(sections, values)
        if self.problems:
            self.problems.sort(key=lambda p: p.line if p.line is not None else 1 << 30)
            first = self.problems[0]
            raise ConfigError(
                self.label, first.line, first.key, first.message, len(self.problems) - 1
            )
        return _config(values, source)

    def _check_dependent(
        self, sections: dict[str, dict[Any, Any]], values: dict[tuple[str, str], Any]
    ) -> None:
        data, at, legacy = sections[""], sections["access_token"], sections["legacy_id_token"]
        provider, issuer = values["", "provider"], values["", "issuer"]
        audience = values["access_token", "audience"]
        at_jwt = values["access_token", "require_at_jwt"]
        client_ids = values["legacy_id_token", "client_ids"]
        legacy_algs = values["legacy_id_token", "algorithms"]
        self._check_required(data, provider, issuer, audience, values["", "phase"], client_ids)
        self._check_secret(legacy, legacy_algs, values["legacy_id_token", "secret_env"])
        self._check_legacy_issuer(
            legacy,
            provider,
            issuer,
            values["legacy_id_token", "provider"],
            values["legacy_id_token", "issuer"],
            hs_only=bool(legacy_algs) and all(a in HMAC_ALGORITHMS for a in legacy_algs),
        )
        if at_jwt:
            self._check_at_jwt(at, provider)
        self._check_discriminator(
            data,
            provider,
            audience,
            client_ids,
            at_jwt,
            values["access_token", "required_scopes"],
            values["access_token", "required_claims"],
        )
        self._check_env_names(data, at, legacy, sections["window"])

    # -- readers of one key with a check of their own (see _FIELDS) --

    def version(self, data: dict[Any, Any], key: str, path: tuple[str, ...]) -> int | None:
        value = self.integer(data, key, path)
        if value is not None and value != 1:
            raise self._fail(data, key, path, f"unsupported version {value} (only 1)")
        return value

    def leeway(self, data: dict[Any, Any], key: str, path: tuple[str, ...]) -> int | None:
        value = self.integer(data, key, path)
        if value is not None and not 0 <= value <= MAX_LEEWAY_SECONDS:
            raise self._fail(data, key, path, f"must be between 0 and {MAX_LEEWAY_SECONDS} seconds")
        return value

    def module_path(self, data: dict[Any, Any], key: str, path: tuple[str, ...]) -> str | None:
        value = self.string(data, key, path)
        if value is not None and (
            value.startswith(("/", "\\"))
            or re.match(r"^[A-Za-z]:", value)
            or ".." in re.split(r"[/\\]", value)
        ):
            raise self._fail(
                data, key, path, "must be a path inside the project, relative to its root"
            )
        return value

    def env_file(self, verifier: dict[Any, Any], key: str, path: tuple[str, ...]) -> str | None:
        """verifier.env_file: a path the verifier opens as it is written (never expanded)."""
        value = self.string(verifier, key, path)
        if value is None:
            return None
        if not value.isprintable() or "$" in value or "%" in value:
            raise self._fail(
                verifier, key, path, f"{value!r}: a plain path (nothing in it is expanded)"
            )
        if value.startswith("~") and not value.startswith("~/"):
            raise self._fail(verifier, key, path, f"{value!r}: only ~/ (your home) is understood")
        if value.endswith(("/", "\\")) or value in (".", ".."):
            raise self._fail(verifier, key, path, f"{value!r} is a folder, not a file")
        return value

    def _check_env_names(
        self,
        data: dict[Any, Any],
        at: dict[Any, Any],
        legacy: dict[Any, Any],
        window: dict[Any, Any],
    ) -> None:
        """One variable, one meaning: an issuer, audience or client-id variable that is also the
        kill switch, the secret or the issuer's would be read as two things (the audience and
        the client ids may share one: Cognito's app client id is both)."""
        kill = window.get("kill_switch_env") or WindowConfig().kill_switch_env
        seen: dict[str, str] = {str(kill).strip(): "window.kill_switch_env"}
        named = (
            (legacy, "secret_env", ("legacy_id_token", "secret_env")),
            (data, "issuer_env", ("issuer_env",)),
            (at, "audience_env", ("access_token", "audience_env")),
            (legacy, "client_ids_env", ("legacy_id_token", "client_ids_env")),
        )
        for container, key, path in named:
            value = container.get(key)
            if not isinstance(value, str):
                continue
            value = value.strip()
            shared = {seen.get(value), ".".join(path)} == {
                "access_token.audience_env",
                "legacy_id_token.client_ids_env",
            }  # a Cognito app client id is both: access tokens' client_id, ID tokens' aud
            if value in seen and not shared:
                self.problem(
                    container,
                    key,
                    path,
                    f"{value} is already {seen[value]}: one variable per value",
                )
            seen.setdefault(value, ".".join(path))

    def _check_required(
        self,
        data: dict[Any, Any],
        provider: str | None,
        issuer: str | None,
        audience: tuple[str, ...] | None,
        phase: str | None,
        client_ids: tuple[str, ...] | None,
    ) -> None:
        if provider is None:  # without a provider the config only tunes the scan and the gate
            return
        if issuer is None:
            self.problem(
                data, "provider", ("issuer",), f"required when provider is set ({provider})"
            )
        at = data.get("access_token") or {}
        if not audience and provider != "google":
            self.problem(
                at if at else data,
                "audience" if at else "provider",
                ("access_token", "audience"),
                "required when provider is set: the API's audience (Cognito: the app client ids)",
            )
        legacy = data.get("legacy_id_token") or {}
        if (phase or Config().phase) == "dual" and not client_ids:
            self.problem(
                legacy if legacy else data,
                "client_ids" if legacy else "provider",
                ("legacy_id_token", "client_ids"),
                "required in the dual phase: the client ids the legacy ID tokens are issued to",
            )

    def _check_at_jwt(self, at: dict[Any, Any], provider: str | None) -> None:
        from idtoken_migrate.config.providers import ProviderProfileError, load_provider

        try:
            emits = provider is None or load_provider(provider).emits_at_jwt
        except ProviderProfileError:
            return  # the renderer names a broken profile
        if not emits:
            self.problem(
                at,
                "require_at_jwt",
                ("access_token", "require_at_jwt"),
                f"{provider} access tokens are never typed at+jwt; leave it false",
            )

    def required_claims(
        self, at: dict[Any, Any], key: str, path: tuple[str, ...]
    ) -> tuple[tuple[str, str | None], ...]:
        """`access_token.required_claims`: `name` (must be present) or `name=value` (must equal)."""
        out: list[tuple[str, str | None]] = []
        for index, item in enumerate(self.strings(at, "required_claims", path) or ()):
            name, equals, value = item.partition("=")
            name, value = name.strip(), value.strip()
            if not re.fullmatch(r"[A-Za-z0-9_.:/#@$-]{1,200}", name) or (equals and not value):
                container = at["required_claims"]
                where = (index,) if isinstance(container, list) else ()
                raise self._fail(
                    container if where else at,
                    index if where else "required_claims",
                    path + where,
                    f"expected a claim name or name=value, not {item!r}",
                )
            out.append((name, value if equals else None))
        return tuple(out)

    def _check_discriminator(
        self,
        data: dict[Any, Any],
        provider: str | None,
        audience: tuple[str, ...] | None,
        client_ids: tuple[str, ...] | None,
        at_jwt: bool | None,
        scopes: tuple[str, ...] | None,
        required_claims: tuple[tuple[str, str | None], ...],
    ) -> None:
        """RFC 8725 3.12: refuse a config whose access and ID-token rules cannot be told apart."""
        if provider is None or not set(audience or ()) & set(client_ids or ()):
            return  # no shared audience: the profile is not even read (fast path)
        from idtoken_migrate.config.providers import (
            ProviderProfileError,
            load_provider,
            shared_audience_problem,
        )

        try:
            profile = load_provider(provider)
        except ProviderProfileError:
            return  # the renderer names a broken profile
        problem = shared_audience_problem(
            profile,
            audience,
            client_ids,
            require_at_jwt=bool(at_jwt),
            required_scopes=scopes or (),
            required_claims=required_claims,
        )
        if problem:
            at = data.get("access_token") or {}
            self.problem(at, "audience", ("access_token", "audience"), problem)

    def introspection(
        self, at: dict[Any, Any], validation_key: str, _path: tuple[str, ...]
    ) -> dict[str, Any]:
        """`access_token.validation` and the introspection keys (RFC 7662), all or none."""

        def path(key: str) -> tuple[str, ...]:
            return ("access_token", key)

        validation = self.choice(at, validation_key, path(validation_key), VALIDATIONS) or "jwt"
        keys = (
            "introspection_endpoint",
            "introspection_client_id_env",
            "introspection_client_secret_env",
            "introspection_cache_seconds",
        )
        if validation == "jwt":
            extra = [key for key in keys if at.get(key) is not None]
            if extra:
                raise self._fail(
                    at, extra[0], path(extra[0]), "only with validation: introspection"
                )
            return {}
        out: dict[str, Any] = {"validation": validation}
        out["introspection_endpoint"] = self.url(at, keys[0], path(keys[0]))
        for key in keys[1:3]:
            out[key] = self.env_name(at, key, path(key))
        for key in keys[:3]:
            if out[key] is None:
                what = "its URL" if key == keys[0] else "the NAME of the environment variable"
                raise self._fail(
                    at, "validation", path(key), f"required with introspection: {what}"
                )
        seconds = self.integer(at, keys[3], path(keys[3]))
        if seconds is not None and not 0 <= seconds <= MAX_INTROSPECTION_CACHE_SECONDS:
            raise self._fail(
                at, keys[3], path(keys[3]), f"must be 0 to {MAX_INTROSPECTION_CACHE_SECONDS}"
            )
        if seconds is not None:
            out[keys[3]] = seconds
        if at.get("require_at_jwt"):
            raise self._fail(
                at, "require_at_jwt", path("require_at_jwt"), "opaque tokens have no JWT header"
            )
        return out

    def _check_legacy_issuer(
        self,
        legacy: dict[Any, Any],
        provider: str | None,
        issuer: str | None,
        legacy_provider: str | None,
        legacy_issuer: str | None,
        *,
        hs_only: bool,
    ) -> None:
        """One issuer has one provider and one JWKS: a legacy provider or JWKS of its own needs
        a legacy issuer of its own, and that issuer's keys must be known."""
        path = ("legacy_id_token", "issuer")
        if legacy_issuer is None or legacy_issuer == issuer:
            for key in ("provider", "jwks_uri"):
                differs = key == "jwks_uri" or (legacy_provider or provider) != provider
                if legacy.get(key) is not None and differs:
                    self.problem(
                        legacy,
                        key,
                        ("legacy_id_token", key),
                        "only for legacy ID tokens of another issuer: set legacy_id_token.issuer",
                    )
            return
        if legacy.get("jwks_uri") is not None or (legacy_provider or provider) is None or hs_only:
            return
        from idtoken_migrate.config.providers import (
            ProviderProfileError,
            jwks_uri_for,
            load_provider,
        )

        try:
            jwks_uri_for(load_provider(legacy_provider or provider or ""), legacy_issuer)
        except ProviderProfileError:
            self.problem(
                legacy,
                "issuer",
                path,
                f"cannot derive the JWKS of {legacy_issuer}: set legacy_id_token.jwks_uri",
            )

    def _check_secret(
        self,
        legacy: dict[Any, Any],
        algorithms: tuple[str, ...] | None,
        secret_env: str | None,
    ) -> None:
        hmac = any(a in HMAC_ALGORITHMS for a in algorithms or ())
        if hmac and secret_env is None:
            self.problem(
                legacy,
                "algorithms",
                ("legacy_id_token", "secret_env"),
                "required with HS* algorithms: the environment variable that holds the key",
            )
        if secret_env is not None and algorithms is not None and not hmac:
            self.problem(
                legacy,
                "secret_env",
                ("legacy_id_token", "secret_env"),
                "only used with HS* algorithms (legacy_id_token.algorithms has none)",
            )

    def claim_map(
        self, data: dict[Any, Any], key: str, path: tuple[str, ...]
    ) -> tuple[tuple[str, str], ...]:
        """`claims:`: each legacy claim -> the access-token claim that carries it."""
        value = data.get(key)
        if value is None:
            return ()
        if not isinstance(value, dict):
            raise self._fail(
                data, key, path, f"must be a mapping of claim names, not {_type_name(value)}"
            )
        out: list[tuple[str, str]] = []
        for key, target in value.items():
            if not isinstance(key, str) or not key:
                raise self._fail(value, key, ("claims", str(key)), "claim names must be strings")
            if not isinstance(target, str) or not target.strip():
                raise self._fail(
                    value,
                    key,
                    ("claims", key),
                    f"must be the access-token claim that carries it, not {_type_name(target)}",
                )
            out.append((key, target.strip()))
        return tuple(out)


# The keys read one by one, in this order: (section, key, the _Validator method that reads and
# checks it, its options); "" is the top level. A key that fails is None (its default).
_FIELDS: tuple[tuple[str, str, Callable[..., Any], dict[str, Any]], ...] = (
    ("", "version", _Validator.version, {}),
    ("", "provider", _Validator.choice, {"choices": PROVIDERS}),
    ("", "issuer", _Validator.url, {}),
    ("", "jwks_uri", _Validator.url, {}),
    ("", "issuer_env", _Validator.env_name, {}),
    ("", "phase", _Validator.choice, {"choices": PHASES}),
    ("", "leeway", _Validator.leeway, {}),
    ("access_token", "audience", _Validator.strings, {}),
    ("access_token", "algorithms", _Validator.algorithms, {"allow_hmac": False}),
    ("access_token", "required_scopes", _Validator.strings, {"split": True}),
    ("access_token", "require_at_jwt", _Validator.boolean, {}),
    ("access_token", "required_claims", _Validator.required_claims, {}),
    ("access_token", "audience_env", _Validator.env_name, {}),
    # validation and the introspection_* keys, read together: a mapping of them
    ("access_token", "validation", _Validator.introspection, {}),
    ("legacy_id_token", "provider", _Validator.choice, {"choices": PROVIDERS}),
    ("legacy_id_token", "issuer", _Validator.url, {}),
    ("legacy_id_token", "jwks_uri", _Validator.url, {}),
    ("legacy_id_token", "client_ids", _Validator.strings, {}),
    ("legacy_id_token", "algorithms", _Validator.algorithms, {"allow_hmac": True}),
    ("legacy_id_token", "secret_env", _Validator.env_name, {}),
    ("legacy_id_token", "authorized_parties", _Validator.strings, {}),
    ("legacy_id_token", "secret_encoding", _Validator.choice, {"choices": SECRET_ENCODINGS}),
    ("legacy_id_token", "client_ids_env", _Validator.env_name, {}),
    ("window", "sunset", _Validator.date, {}),
    ("window", "kill_switch_env", _Validator.env_name, {}),
    ("", "claims", _Validator.claim_map, {}),
    ("output", "module", _Validator.module_path, {}),
    ("verifier", "env_file", _Validator.env_file, {}),
    ("scan", "exclude", _Validator.strings, {}),
    ("gate", "parse_errors", _Validator.choice, {"choices": GATE_PARSE_ERRORS}),
    ("gate", "ambiguous", _Validator.choice, {"choices": GATE_AMBIGUOUS}),
)
# The typed value each section becomes; the top level's keys are Config's own.
_SECTION_TYPES: dict[str, Callable[..., Any]] = {
    "access_token": AccessTokenConfig,
    "legacy_id_token": LegacyIdTokenConfig,
    "window": WindowConfig,
    "output": OutputConfig,
    "verifier": VerifierConfig,
    "scan": ScanConfig,
    "gate": GateConfig,
}


def _config(values: dict[tuple[str, str], Any], source: str) -> Config:
    """The Config of a document's checked values; a key absent (None) keeps its default."""
    given: dict[str, dict[str, Any]] = {"": {}, **{name: {} for name in _SECTION_TYPES}}
    for (section, key), value in values.items():
        if value is not None:
            given[section][key] = value
    given["access_token"].update(given["access_token"].pop("validation", {}))
    sections = {name: kind(**given[name]) for name, kind in _SECTION_TYPES.items()}
    return Config(**given[""], **sections, source=source)


def _unknown_key(name: str, known: tuple[str, ...], path: tuple[str, ...]) -> str:
    if yamlfile.did_you_mean(name, known):
        return yamlfile.unknown_key(name, known)
    # A key written at the wrong level, e.g. `audience` at the top: point to where it belongs.
    here = ".".join(path)
    for full in _ALL_KEY_PATHS:
        parent, _, leaf = full.rpartition(".")
        if leaf == name and parent != here:
            return f"unknown key (did you mean {full!r}?)"
    return yamlfile.unknown_key(name, known)


def parse_date(text: str) -> dt.date | None:
    """A YYYY-MM-DD date, or None when the text is not one (2027-02-30 included)."""
    found = re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*", text)
    if not found:
        return None
    try:
        return dt.date(*(int(g) for g in found.groups()))
    except ValueError:
        return None
