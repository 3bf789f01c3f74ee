"""One loader reads the environment; every documented setting is read, and used, somewhere."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from engine.cli import main
from engine.config import (
    DEFAULTS,
    SETTINGS,
    Config,
    ConfigError,
    config_of,
    default_config,
    load_config,
)
from engine.models.support import CoachAssignment
from engine.reminders.municipal import stalled_source
from tests import factories
from tests.conftest import NOW

ROOT = Path(__file__).parents[2]
DAY = timedelta(days=1)

#: a value other than the default for every setting
OTHER_VALUES = {
    "INSTANCE_PATH": "/srv/verbinding",
    "DATABASE_URL": "postgresql+psycopg://verbinding@db/verbinding",
    "SECRET_KEY": "een-geheim",
    "SMTP_URL": "smtps://mail.groningen.example:465",
    "MAIL_FROM": "Gemeente Groningen <wijken@groningen.example>",
    "BASE_URL": "https://wijken.groningen.example",
    "WORKFLOW_MAX_BYTES": "2097152",
    "TIMEZONE": "UTC",
    "WORKFLOWS_DIR": "/srv/verbinding/sjablonen",
    "MACHINE_CACHE_SIZE": "16",
    "UPLOAD_DIR": "/srv/verbinding/bestanden",
    "SUPPORT_RESPOND_DAYS": "5",
    "STALLED_DAYS": "14",
    "FEED_DAYS_BACK": "30",
    "FEED_DAYS_AHEAD": "180",
    "REMINDER_HOUR": "7",
    "DIGEST_HOUR": "17",
    "DIGEST_WEEKDAY": "5",
    "SWEEP_SECONDS": "60",
    "MAIL_LEASE_SECONDS": "120",
    "MUNICIPALITY_NAME": "Gemeente Westerkwartier",
    "CONTACT_EMAIL": "loket@westerkwartier.example",
    "CONTACT_PHONE": "0594 123 456",
    "CONTACT_ADDRESS": "Hooiweg 8, Zuidhorn",
    "PRIVACY_CONTACT": "fg@westerkwartier.example",
    "RETENTION_YEARS": "10",
    "MAIL_RETENTION_DAYS": "14",
    "LINK_RETENTION_DAYS": "3",
    "NOTIFICATION_RETENTION_DAYS": "90",
    "ACCESSIBILITY_STATUS": "full",
    "ACCESSIBILITY_CHECKED": "2027-02-01",
    "THEME_CSS": str(ROOT / "web" / "static" / "css" / "verbinding.css"),
    "THEME_CLASS": "groningen-theme",
    "REMEMBER_DAYS": "7",
    "TRUSTED_PROXIES": "1",
    "RATE_LIMIT_LOGIN": "5/600",
    "RATE_LIMIT_MAIL": "10/86400",
    "RATE_LIMIT_POST": "60/600",
    "RATE_LIMIT_CONSULTATION": "5/600",
    "RATE_LIMIT_ADDRESS_FACTOR": "20",
    "SECRET_KEY_FALLBACKS": "het-oude-geheim,een-nog-ouder",
    "ENV": "production",
    "LOG_FORMAT": "json",
    "LOG_LEVEL": "INFO",
    "METRICS_TOKEN": "meet-token",
    "READY_OUTBOX_BACKLOG": "100",
    "READY_OUTBOX_FAILED": "5",
    "READY_SCHEDULER": "off",
    "STORAGE": "s3",
    "S3_BUCKET": "verbinding-bestanden",
    "S3_ENDPOINT_URL": "https://s3.groningen.example",
    "S3_REGION": "eu-central-1",
    "S3_PREFIX": "wijken/",
    "S3_ACCESS_KEY_ID": "sleutel",
    "S3_SECRET_ACCESS_KEY": "geheime-sleutel",
}


def test_every_setting_is_a_field_of_the_configuration():
    names = {s.name.lower() for s in SETTINGS}
    assert names == {f.name for f in fields(Config)}
    assert set(OTHER_VALUES) == {s.name for s in SETTINGS}, "give each new setting a value here"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_changes_the_configuration(setting, tmp_path):
    base = {"VERBINDING_INSTANCE_PATH": str(tmp_path)} if setting.name != "INSTANCE_PATH" else {}
    default = load_config(base)
    changed = load_config({**base, f"VERBINDING_{setting.name}": OTHER_VALUES[setting.name]})
    field = setting.name.lower()
    assert getattr(changed, field) != getattr(default, field)


def _python_sources() -> dict[Path, str]:
    """The code and the templates (the statement pages read the settings as ``site.*``)."""
    found = {}
    for folder, pattern in (("engine", "*.py"), ("web", "*.py"), ("web", "*.html")):
        for path in (ROOT / folder).rglob(pattern):
            if path != ROOT / "engine" / "config.py":
                found[path] = path.read_text(encoding="utf-8")
    return found


def test_every_setting_is_used_outside_the_loader():
    sources = _python_sources()
    unused = [
        s.name
        for s in SETTINGS
        if not any(re.search(rf"\.{s.name.lower()}\b", text) for text in sources.values())
    ]
    assert not unused, f"settings that nothing reads: {unused}"


def test_the_engine_does_not_read_the_environment():
    readers = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "engine").rglob("*.py"))
        if path != ROOT / "engine" / "config.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"os\.environ|getenv|from os import", line)
    ]
    assert not readers, f"read settings through engine.config instead: {readers}"


def test_the_defaults_are_the_documented_ones(tmp_path):
    config = load_config({"VERBINDING_INSTANCE_PATH": str(tmp_path)})
    assert config.instance_path == tmp_path.resolve()
    assert config.database_url == f"sqlite:///{tmp_path.resolve()}/verbinding.db"
    assert config.upload_dir == tmp_path.resolve() / "uploads"
    assert config.secret_key is None and config.workflows_dir is None
    for name in ("SMTP_URL", "MAIL_FROM", "BASE_URL", "TIMEZONE"):
        assert getattr(config, name.lower()) == DEFAULTS[name]
    for name in ("MACHINE_CACHE_SIZE", "SUPPORT_RESPOND_DAYS", "STALLED_DAYS", "REMINDER_HOUR",
                 "DIGEST_HOUR", "DIGEST_WEEKDAY", "SWEEP_SECONDS"):  # fmt: skip
        assert getattr(config, name.lower()) == int(DEFAULTS[name])
    assert load_config({"VERBINDING_SMTP_URL": ""}).smtp_url == DEFAULTS["SMTP_URL"]


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("STALLED_DAYS", "dertig", "whole number"),
        ("REMINDER_HOUR", "24", "from 0 to 23"),
        ("DIGEST_WEEKDAY", "0", "from 1 to 7"),
        ("SWEEP_SECONDS", "0", "at least 1"),
        ("TIMEZONE", "Europe/Groningen", "unknown time zone"),
        ("ACCESSIBILITY_STATUS", "prima", "one of full, partial"),
        ("ACCESSIBILITY_CHECKED", "30-11-2026", "a date"),
        ("RETENTION_YEARS", "-1", "from 0 to 100"),
        ("MAIL_RETENTION_DAYS", "0", "from 1 to 36500"),
        ("THEME_CSS", "/nowhere/theme.css", "no CSS file"),
        ("THEME_CLASS", "a b", "one CSS class name"),
        ("RATE_LIMIT_LOGIN", "10", "COUNT/SECONDS"),
        ("RATE_LIMIT_MAIL", "0/60", "COUNT/SECONDS"),
        ("RATE_LIMIT_POST", "²/60", "COUNT/SECONDS"),
        ("TRUSTED_PROXIES", "-1", "from 0 to 10"),
        ("ENV", "prod", "one of development, production"),
        ("LOG_FORMAT", "xml", "one of text, json"),
        ("LOG_LEVEL", "loud", "one of DEBUG, INFO"),
        ("READY_SCHEDULER", "yes", "one of on, off"),
        ("READY_OUTBOX_BACKLOG", "-1", "at least 0"),
    ],
)
def test_an_unusable_value_is_refused_naming_the_setting(name, value, says):
    with pytest.raises(ConfigError, match=f"VERBINDING_{name}.*{says}"):
        load_config({f"VERBINDING_{name}": value})


def test_a_session_made_without_a_configuration_has_the_defaults():
    assert config_of(Session()) is default_config()
    assert default_config().timezone == DEFAULTS["TIMEZONE"]


def test_the_stalled_reminder_follows_the_sessions_configuration(session):
    """An initiative idle for 10 days is stalled for coaches with STALLED_DAYS=5, not by default."""
    coach = factories.staff(session, NOW)
    item = factories.initiative(session, NOW - 10 * DAY, title="Stille tuin")
    session.add(CoachAssignment(coach_id=coach.id, initiative_id=item.id, created_dt=NOW))
    session.flush()
    assert [d for d in stalled_source(session, [item.id], NOW)] == []
    session.info["config"] = load_config({"VERBINDING_STALLED_DAYS": "5"})
    (found,) = stalled_source(session, [item.id], NOW)
    assert found.person_ids == (coach.id,)
    assert found.date == (NOW - 10 * DAY + 5 * DAY).date()


def test_the_cli_stops_on_an_unusable_value_naming_the_setting(tmp_path):
    env = {"VERBINDING_INSTANCE_PATH": str(tmp_path), "VERBINDING_REMINDER_HOUR": "25"}
    result = CliRunner().invoke(main, ["init"], env=env)
    assert result.exit_code == 1
    assert "error: VERBINDING_REMINDER_HOUR must be from 0 to 23, not 25" in result.stderr
    assert not (tmp_path / "verbinding.db").exists()
