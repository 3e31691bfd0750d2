"""`init`: writes a commented, valid starter; never overwrites without --force."""

from __future__ import annotations

from pathlib import Path

from idtoken_migrate.config.file import load_config


def test_init_writes_a_prefilled_valid_config(legacy_app: Path, cli) -> None:
    run = cli("init")
    assert run.exit_code == 0, run.stderr
    assert "Wrote idtoken-migrate.yaml: 1 ID-token site, provider auth0" in run.stdout
    text = (legacy_app / "idtoken-migrate.yaml").read_text()
    config = load_config(None, legacy_app)
    assert config.provider == "auth0"
    assert config.legacy_id_token.algorithms == ("HS256",)
    assert config.legacy_id_token.secret_env == "AUTH0_CLIENT_SECRET"
    assert "settings.AUTH0_CLIENT_ID" in text
    assert "app/auth.py:15" in text
    # check reads the file it writes, and refuses the placeholders it could not fill (issue 13)
    run = cli("check")
    assert run.exit_code == 2
    assert run.stderr.startswith("idtoken-migrate: error: ")
    assert (
        "idtoken-migrate.yaml:16: issuer: still the placeholder "
        "'https://YOUR_TENANT.YOUR_REGION.auth0.com/'" in run.stderr
    )
    filled = text.replace(
        "https://YOUR_TENANT.YOUR_REGION.auth0.com/", "https://acme.eu.auth0.com/"
    )
    filled = filled.replace("YOUR_API_AUDIENCE", "https://api.acme.example")
    filled = filled.replace("YOUR_CLIENT_ID", "spa-client")
    (legacy_app / "idtoken-migrate.yaml").write_text(filled)
    assert cli("check").exit_code == 1  # then it fails on the project's findings


def test_init_never_overwrites_without_force(legacy_app: Path, cli) -> None:
    (legacy_app / "idtoken-migrate.yaml").write_text("version: 1\n")
    run = cli("init")
    assert run.exit_code == 2
    assert "idtoken-migrate.yaml already exists; use --force to overwrite it" in run.stderr
    assert (legacy_app / "idtoken-migrate.yaml").read_text() == "version: 1\n"
    assert cli("init", "--force").exit_code == 0
    assert "provider: auth0" in (legacy_app / "idtoken-migrate.yaml").read_text()


def test_init_config_option_names_the_file(legacy_app: Path, cli) -> None:
    assert cli("init", ".", "--config", "conf/migrate.yaml").exit_code == 0
    assert load_config(legacy_app / "conf" / "migrate.yaml", legacy_app).provider == "auth0"


def test_init_missing_path_exits_2(legacy_app: Path, cli) -> None:
    run = cli("init", "nowhere")
    assert run.exit_code == 2
    assert "nowhere: no such file or directory" in run.stderr
