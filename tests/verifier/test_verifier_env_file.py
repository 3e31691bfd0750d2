"""verifier.env_file: an app that reads `.env` into a dict (dotenv_values, the old Dotenv,
pydantic-settings env_file, decouple) exports nothing, so the verifier reads its own variables
from that file once at start-up, os.environ winning. Its parser is strict and small: KEY=VALUE,
`export `, quotes, comments, blank lines; nothing executed or expanded; a missing file is none, a
line it cannot read stops the start-up with file:line. Real RSA keys and a JWKS on 127.0.0.1,
HS256 ID tokens signed with the client secret."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from types import ModuleType

import pytest
from verifier_kit import (
    HS_SECRET,
    HS_SECRET_ENV,
    KILL_SWITCH_ENV,
    NOW,
    SCENARIOS,
    SUB_HASH_KEY_ENV,
    Keys,
    fast_tuning,
    hmac_sign,
    load_module,
    reject_reason,
    sign,
)

from idtoken_migrate.config import Config, VerifierConfig
from idtoken_migrate.verifier.render import render_verifier

MODULE = "api/token_verifier.py"  # where apply puts it, relative to the project root


def config(provider_routes: dict[str, str], env_file: str | None = ".env") -> Config:
    base = SCENARIOS["auth0"].config(jwks_uri=provider_routes["auth0"], legacy_alg="HS256")
    return dataclasses.replace(base, verifier=VerifierConfig(env_file=env_file))


def project(
    root: Path, cfg: Config, env: str | None, phase: str = "dual", module: str = MODULE
) -> ModuleType:
    """The project at `root` with `.env` holding `env` (None: no file), its verifier imported."""
    root.mkdir(parents=True, exist_ok=True)
    if env is not None:
        (root / ".env").write_text(env, encoding="utf-8")
    source = render_verifier(cfg, phase, tuning=fast_tuning(), module_path=module)
    folder = (root / module).parent
    folder.mkdir(parents=True, exist_ok=True)
    return load_module(source, folder)


def id_token(secret: str = HS_SECRET) -> str:
    claims = SCENARIOS["auth0"].id_claims()
    return hmac_sign({"alg": "HS256", "typ": "JWT"}, claims, secret.encode())


def access_token(keys: Keys) -> str:
    scenario = SCENARIOS["auth0"]
    return sign(scenario.access_header(keys.rsa), scenario.access_claims(), keys.rsa)


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's variables only in its .env: none in os.environ."""
    for name in (HS_SECRET_ENV, KILL_SWITCH_ENV, SUB_HASH_KEY_ENV):
        monkeypatch.delenv(name, raising=False)


def test_the_legacy_secret_in_the_env_file_verifies_id_tokens(
    tmp_path: Path, provider_routes: dict[str, str], keys: Keys, app_env: None
) -> None:
    module = project(tmp_path, config(provider_routes), f"{HS_SECRET_ENV}={HS_SECRET}\n")
    assert module.verify(id_token(), now=NOW).kind == "legacy_id_token"
    assert module.verify(access_token(keys), now=NOW).kind == "access_token"
    assert reject_reason(module, id_token("another-secret-" + "x" * 40)) == "bad_signature"
    without = project(tmp_path / "other", config(provider_routes, None), None)
    assert reject_reason(without, id_token()) == "legacy_secret_unavailable"


def test_a_kill_switch_in_the_env_file_refuses_id_tokens(
    tmp_path: Path, provider_routes: dict[str, str], keys: Keys, app_env: None
) -> None:
    env = f"{HS_SECRET_ENV}={HS_SECRET}\n{KILL_SWITCH_ENV}=1\n"
    module = project(tmp_path, config(provider_routes), env)
    assert reject_reason(module, id_token()) == "id_token_disabled"
    assert module.verify(access_token(keys), now=NOW).kind == "access_token"


def test_os_environ_wins_over_the_file(
    tmp_path: Path, provider_routes: dict[str, str], app_env: None, monkeypatch
) -> None:
    env = f"{HS_SECRET_ENV}=the-file-secret-{'f' * 40}\n{KILL_SWITCH_ENV}=1\n"
    monkeypatch.setenv(HS_SECRET_ENV, HS_SECRET)
    monkeypatch.setenv(KILL_SWITCH_ENV, "")  # set, if empty: the file's 1 does not apply
    module = project(tmp_path, config(provider_routes), env)
    assert module.verify(id_token(), now=NOW).kind == "legacy_id_token"
    assert reject_reason(module, id_token(f"the-file-secret-{'f' * 40}")) == "bad_signature"


def test_the_file_is_found_from_the_module_not_the_working_directory(
    tmp_path: Path, provider_routes: dict[str, str], app_env: None, monkeypatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".env").write_text(f"{KILL_SWITCH_ENV}=1\n")
    monkeypatch.chdir(elsewhere)
    module = project(tmp_path / "app", config(provider_routes), f"{HS_SECRET_ENV}={HS_SECRET}\n")
    assert Path(module.ENV_FILE).resolve() == (tmp_path / "app" / ".env").resolve()
    assert module.verify(id_token(), now=NOW).kind == "legacy_id_token"
    deep = config(provider_routes, "config/app.env")
    (tmp_path / "deep" / "config").mkdir(parents=True)
    (tmp_path / "deep" / "config" / "app.env").write_text(f"{KILL_SWITCH_ENV}=yes\n")
    module = project(tmp_path / "deep", deep, None, module="src/pkg/auth/verifier.py")
    assert reject_reason(module, id_token()) == "id_token_disabled"


def test_a_home_path_is_the_users_home(
    tmp_path: Path, provider_routes: dict[str, str], app_env: None, monkeypatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".auth0.env").write_text(f"{HS_SECRET_ENV}={HS_SECRET}\n")
    module = project(tmp_path / "app", config(provider_routes, "~/.auth0.env"), None)
    assert module.verify(id_token(), now=NOW).kind == "legacy_id_token"
    assert "os.path.expanduser" in Path(module.__file__).read_text()


def test_a_missing_file_is_no_error(
    tmp_path: Path, provider_routes: dict[str, str], app_env: None, monkeypatch
) -> None:
    monkeypatch.setenv(HS_SECRET_ENV, HS_SECRET)
    module = project(tmp_path, config(provider_routes), None)
    assert module._ENV_FILE_VALUES == {}
    assert module.verify(id_token(), now=NOW).kind == "legacy_id_token"


PARSED = """\
# the app's settings
export {secret}='a secret with # and \\' in it'

AUTH0_DOMAIN=tenant.example.com   # not this module's: never read
{kill}="multi
line \\"quoted\\" \\n"
{sub}=  $(touch pwned) `id` #a comment
UNRELATED=${{HOME}} and $(rm -rf /)
"""


def test_the_parser_reads_quotes_export_comments_and_only_its_own_names(
    tmp_path: Path, provider_routes: dict[str, str], app_env: None
) -> None:
    text = PARSED.format(secret=HS_SECRET_ENV, kill=KILL_SWITCH_ENV, sub=SUB_HASH_KEY_ENV)
    module = project(tmp_path, config(provider_routes), text)
    assert module._ENV_FILE_VALUES == {
        HS_SECRET_ENV: "a secret with # and ' in it",
        KILL_SWITCH_ENV: 'multi\nline "quoted" \n',
        SUB_HASH_KEY_ENV: "$(touch pwned) `id`",  # as written: nothing runs
    }
    assert module._getenv("AUTH0_DOMAIN", "unset") == os.environ.get("AUTH0_DOMAIN", "unset")
    with pytest.raises(RuntimeError, match=r"\.env:8: UNRELATED: \$\{\.\.\.\} is not expanded"):
        module._read_env_file(module.ENV_FILE, frozenset({"UNRELATED"}))


def test_windows_line_ends_and_a_byte_order_mark_read_the_same(
    tmp_path: Path, provider_routes: dict[str, str], app_env: None
) -> None:
    text = f"\ufeff# notepad\r\n{HS_SECRET_ENV}={HS_SECRET}\r\n{KILL_SWITCH_ENV}=\r\n"
    (tmp_path / ".env").write_bytes(text.encode("utf-8"))
    module = project(tmp_path, config(provider_routes), None)
    assert module._ENV_FILE_VALUES == {HS_SECRET_ENV: HS_SECRET, KILL_SWITCH_ENV: ""}
    assert module.verify(id_token(), now=NOW).kind == "legacy_id_token"
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / ".env").write_bytes(f"A=1\r\nB=2\r\n{HS_SECRET_ENV}='open\r\n".encode())
    with pytest.raises(RuntimeError, match=r"\.env:3: expected KEY=VALUE"):
        project(tmp_path / "x", config(provider_routes), None, module="v.py")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("A=1\n{secret}='unclosed\nB=2\n", 2),
        ("A=1\n\n# ok\nnot {secret} setting line\n", 4),
        ('{secret}="x" trailing\n', 1),
        ("A='x'\n{secret}=\"two\nlines\" and more\n", 2),
        ('bad line\n{secret}="two\nlines" and more\n', 2),
    ],
)
def test_a_line_it_cannot_read_stops_the_start_up_with_file_and_line(
    text: str, line: int, tmp_path: Path, provider_routes: dict[str, str], app_env: None
) -> None:
    with pytest.raises(RuntimeError) as caught:
        project(tmp_path, config(provider_routes), text.format(secret=HS_SECRET_ENV))
    assert str(caught.value).startswith(f"{tmp_path / '.env'}:{line}: ")


def test_a_line_of_the_apps_it_cannot_read_is_skipped_with_a_warning(
    tmp_path: Path,
    provider_routes: dict[str, str],
    app_env: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """python-dotenv warns and goes on; the verifier too, unless the line names its variables."""
    text = f'not a setting line\nA="x" trailing\nB=\'open\n{HS_SECRET_ENV}={HS_SECRET}\n'
    with caplog.at_level("WARNING"):
        module = project(tmp_path, config(provider_routes), text)
    assert module._ENV_FILE_VALUES == {HS_SECRET_ENV: HS_SECRET}
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert [m.split(": ")[0].rsplit(":", 1)[1] for m in skipped] == ["1", "2", "3"]
    assert module.verify(id_token(), now=NOW).kind == "legacy_id_token"


def test_an_expansion_in_its_own_variable_stops_the_start_up(
    tmp_path: Path, provider_routes: dict[str, str], app_env: None
) -> None:
    with pytest.raises(RuntimeError, match=rf"\.env:2: {HS_SECRET_ENV}: \$\{{\.\.\.\}}"):
        project(tmp_path, config(provider_routes), f"A=1\n{HS_SECRET_ENV}=pre${{OTHER}}\n")
    literal = project(tmp_path / "b", config(provider_routes), f"{HS_SECRET_ENV}='pre${{X}}'\n")
    assert literal._ENV_FILE_VALUES == {HS_SECRET_ENV: "pre${X}"}  # single quotes: as written


def test_an_unreadable_file_stops_the_start_up(
    tmp_path: Path, provider_routes: dict[str, str], app_env: None
) -> None:
    (tmp_path / ".env").write_bytes(b"A=\xff\xfe\n")
    with pytest.raises(RuntimeError, match=r"\.env: cannot read the env file"):
        project(tmp_path, config(provider_routes), None)
    (tmp_path / "dir" / ".env").mkdir(parents=True)
    with pytest.raises(RuntimeError, match=r"\.env: cannot read the env file"):
        project(tmp_path / "dir", config(provider_routes), None)


def test_without_variables_to_read_or_the_key_nothing_is_rendered(
    tmp_path: Path, provider_routes: dict[str, str], app_env: None
) -> None:
    strict = render_verifier(config(provider_routes), "strict", module_path=MODULE)
    assert "ENV_FILE" not in strict and "environ" not in strict
    dual = render_verifier(config(provider_routes, None), "dual", module_path=MODULE)
    assert "ENV_FILE" not in dual and "os.environ.get(KILL_SWITCH_ENV)" in dual
    module = project(tmp_path, config(provider_routes), None)
    source = Path(module.__file__).read_text()
    assert "os.environ.get(KILL_SWITCH_ENV)" not in source
    assert 'ENV_FILE = _beside_this_module("../.env")' in source
    assert {HS_SECRET_ENV, KILL_SWITCH_ENV, SUB_HASH_KEY_ENV} == module._ENV_FILE_NAMES


def test_without_a_module_path_the_file_is_beside_the_config(
    tmp_path: Path, provider_routes: dict[str, str], app_env: None
) -> None:
    """inspect-token runs the source with no module file: the project's .env all the same."""
    cfg = dataclasses.replace(
        config(provider_routes), source=str(tmp_path / "idtoken-migrate.yaml")
    )
    (tmp_path / ".env").write_text(f"{KILL_SWITCH_ENV}=1\n")
    source = render_verifier(cfg, "dual", tuning=fast_tuning())
    namespace: dict[str, object] = {"__name__": "no_file"}
    exec(compile(source, "<generated>", "exec"), namespace)
    assert namespace["ENV_FILE"] == str(tmp_path / ".env")
    assert namespace["_ENV_FILE_VALUES"] == {KILL_SWITCH_ENV: "1"}
