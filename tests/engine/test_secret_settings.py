"""Secrets for a site that runs for real: read from mounted files, and never made up on the spot
where a restart would lose them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.config import SECRET_SETTINGS, ConfigError, load_config
from engine.reminders.tokens import read_unsubscribe_token, unsubscribe_token, verifying_secrets

SECRETS = {
    "DATABASE_URL": "postgresql+psycopg://verbinding:pw@db/verbinding",
    "SECRET_KEY": "uit-een-bestand",
    "SECRET_KEY_FALLBACKS": "oud-1, oud-2",
    "SMTP_URL": "smtps://wijken:wachtwoord@mail.example:465",
    "METRICS_TOKEN": "meet-token",
    "S3_ACCESS_KEY_ID": "sleutel-id",
    "S3_SECRET_ACCESS_KEY": "geheime-sleutel",
}


def test_every_secret_setting_is_listed():
    assert set(SECRET_SETTINGS) == set(SECRETS)


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_every_secret_setting_reads_from_a_file(name, tmp_path):
    path = tmp_path / name.lower()
    path.write_text(SECRETS[name] + "\n")  # an editor's line end is not part of the secret
    from_file = load_config({"VERBINDING_INSTANCE_PATH": str(tmp_path),
                             f"VERBINDING_{name}_FILE": str(path)})  # fmt: skip
    direct = load_config({"VERBINDING_INSTANCE_PATH": str(tmp_path),
                          f"VERBINDING_{name}": SECRETS[name]})  # fmt: skip
    assert getattr(from_file, name.lower()) == getattr(direct, name.lower())
    assert getattr(from_file, name.lower()) != getattr(load_config({}), name.lower())


def test_fallbacks_are_a_list():
    assert load_config({"VERBINDING_SECRET_KEY_FALLBACKS": "a, b,,c"}).secret_key_fallbacks == (
        "a", "b", "c",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("write", "says"),
    [
        (None, "cannot read"),
        ("", "is empty"),
        ("\n", "is empty"),
    ],
)
def test_an_unusable_secret_file_is_refused_naming_it(tmp_path, write, says):
    path = tmp_path / "secret"
    if write is not None:
        path.write_text(write)
    with pytest.raises(ConfigError, match=f"VERBINDING_SECRET_KEY_FILE.*{says}"):
        load_config({"VERBINDING_SECRET_KEY_FILE": str(path)})


def test_a_secret_set_twice_is_refused(tmp_path):
    path = tmp_path / "secret"
    path.write_text("een")
    with pytest.raises(ConfigError, match="VERBINDING_SECRET_KEY and VERBINDING_SECRET_KEY_FILE"):
        load_config({"VERBINDING_SECRET_KEY": "twee", "VERBINDING_SECRET_KEY_FILE": str(path)})


def test_links_signed_with_a_former_key_are_read():
    config = load_config({"VERBINDING_SECRET_KEY": "nieuw",
                          "VERBINDING_SECRET_KEY_FALLBACKS": "oud"})  # fmt: skip
    keys = verifying_secrets(config)
    assert keys == ["nieuw", "oud"]
    assert read_unsubscribe_token(keys, unsubscribe_token("oud", 7, ["step_due"])) == (
        7, ["step_due"],
    )  # fmt: skip
    assert read_unsubscribe_token(keys, unsubscribe_token("nieuw", 7, ["step_due"]))
    assert read_unsubscribe_token(keys, unsubscribe_token("vreemd", 7, ["step_due"])) is None


@pytest.mark.parametrize(
    ("env", "why"),
    [
        ({"VERBINDING_ENV": "production"}, "VERBINDING_ENV=production"),
        ({"VERBINDING_BASE_URL": "https://wijken.groningen.example"}, "an https BASE_URL"),
    ],
)
@pytest.mark.parametrize(
    "command", [["scheduler"], ["reminders", "tick", "--dry-run"], ["serve", "--no-scheduler"]]
)
def test_a_production_process_refuses_to_start_without_a_secret_key(tmp_path, env, why,
                                                                      command):  # fmt: skip
    env = {"VERBINDING_INSTANCE_PATH": str(tmp_path), "VERBINDING_SECRET_KEY": "", **env}
    result = CliRunner().invoke(main, command, env=env)
    assert result.exit_code == 1
    assert f"VERBINDING_SECRET_KEY is not set, and {why}" in result.stderr
    assert not (tmp_path / "secret_key").exists()  # no key made up on a throw-away disk


def test_the_web_app_refuses_to_start_without_a_secret_key_in_production(tmp_path):
    from web import create_app

    base = {"VERBINDING_INSTANCE_PATH": str(tmp_path), "VERBINDING_SECRET_KEY": ""}
    with pytest.raises(ConfigError, match="VERBINDING_SECRET_KEY is not set"):
        create_app({**base, "VERBINDING_ENV": "production"})
    with pytest.raises(ConfigError, match="an https BASE_URL"):
        create_app({**base, "VERBINDING_BASE_URL": "https://wijken.groningen.example"})
    assert not (tmp_path / "secret_key").exists()
    key = tmp_path / "key"
    key.write_text("een-lang-geheim\n")
    app = create_app({**base, "VERBINDING_ENV": "production",
                      "VERBINDING_SECRET_KEY_FILE": str(key)})  # fmt: skip
    assert app.secret_key == "een-lang-geheim"
    app.extensions["verbinding"].close()
    # development as before: a key made once and kept in the instance folder
    dev = create_app(base)
    assert dev.secret_key == (tmp_path / "secret_key").read_text()
    dev.extensions["verbinding"].close()
