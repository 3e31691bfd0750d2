"""Values the generated verifier reads from the app's own environment variables at start-up
(`issuer_env`, `access_token.audience_env`, `legacy_id_token.client_ids_env`), the config's values
being the defaults. One list, used by the renderer (what the module reads) and the plan (what it
tells the user), so the two cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass

from idtoken_migrate.config import Config


@dataclass(frozen=True)
class EnvSetting:
    """One value the verifier takes from `env` when it is set and not empty."""

    key: str  # the config key whose value is the default
    constant: str  # the verifier's constant that holds it
    env: str
    default: tuple[str, ...]

    def describe(self) -> str:
        shown = ", ".join(self.default) or "(none)"
        many = "" if self.key == "issuer" else " (comma or space separated)"
        return f"{self.key} read at start-up{many}; unset or empty: {shown}"


def env_settings(config: Config, phase: str) -> tuple[EnvSetting, ...]:
    """What the verifier of `phase` reads from the environment, in the order it reads it."""
    out = []
    if config.issuer_env:
        out.append(EnvSetting("issuer", "ISSUER", config.issuer_env, (config.issuer,)))
    access = config.access_token
    if access.audience_env:
        out.append(
            EnvSetting(
                "access_token.audience", "ACCESS_AUDIENCES", access.audience_env, access.audience
            )
        )
    legacy = config.legacy_id_token
    if phase == "dual" and legacy.client_ids_env:
        out.append(
            EnvSetting(
                "legacy_id_token.client_ids",
                "LEGACY_CLIENT_IDS",
                legacy.client_ids_env,
                legacy.client_ids,
            )
        )
    return tuple(out)


def jwks_suffix(issuer: str, jwks_uri: str) -> str | None:
    """The path the JWKS URL adds to the issuer (`/.well-known/jwks.json`), so that an issuer
    read at start-up gets its own keys; None when the JWKS URL is not under the issuer."""
    base = issuer.rstrip("/")
    if jwks_uri.startswith(base + "/") and len(jwks_uri) > len(base) + 1:
        return jwks_uri[len(base) :]
    return None
