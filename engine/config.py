"""Settings from ``VERBINDING_*`` environment variables, each with its default.

This module is the one place where configuration is documented and read; the README's table is
checked against :data:`SETTINGS`, whose defaults :func:`load_config` uses. The engine never reads
the environment itself: a :class:`~engine.runtime.Runtime` puts its :class:`Config` on every
session it makes, and :func:`config_of` gives it back.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Setting:
    name: str
    #: as documented; ``<INSTANCE_PATH>`` stands for the instance folder
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("INSTANCE_PATH", "./instance", "Folder for the SQLite file, uploads and local state."),
    Setting(
        "DATABASE_URL",
        "sqlite:///<INSTANCE_PATH>/verbinding.db",
        "SQLAlchemy URL; PostgreSQL as postgresql+psycopg://user@host/db.",
    ),
    Setting(
        "SECRET_KEY",
        "(made once, kept in <INSTANCE_PATH>/secret_key)",
        "Signs sessions and tokens; set the same value on every web worker.",
    ),
    Setting("SMTP_URL", "smtp://127.0.0.1:25", "Outgoing mail server (smtp:// or smtps://)."),
    Setting("MAIL_FROM", "Verbinding <noreply@localhost>", "Sender of every mail."),
    Setting("BASE_URL", "http://127.0.0.1:5000", "Public address of the site, for links in mail."),
    Setting("TIMEZONE", "Europe/Amsterdam", "Time zone in which times and dates are shown."),
    Setting(
        "WORKFLOWS_DIR",
        "(the shipped templates)",
        "Folder with the process templates (*.yaml).",
    ),
    Setting(
        "WORKFLOW_MAX_BYTES",
        "1048576",
        "Largest template file read (bytes); a bigger one is reported, not loaded.",
    ),
    Setting("MACHINE_CACHE_SIZE", "256", "How many state machines are kept in memory."),
    Setting(
        "UPLOAD_DIR",
        "<INSTANCE_PATH>/uploads",
        "Folder where attached documents and pictures are stored.",
    ),
    Setting(
        "SUPPORT_RESPOND_DAYS",
        "10",
        "Working days the municipality has to answer a support request (weekends and Dutch "
        "public holidays do not count).",
    ),
    Setting(
        "STALLED_DAYS",
        "30",
        "Days without activity after which a coach sees an initiative as stalled (never a "
        "paused one).",
    ),
    Setting("REMINDER_HOUR", "8", "Local hour (0-23) at which a day's reminders go out."),
    Setting("DIGEST_HOUR", "8", "Local hour (0-23) at which daily and weekly digests go out."),
    Setting("DIGEST_WEEKDAY", "1", "Day of the weekly digest: 1 = Monday … 7 = Sunday."),
    Setting("SWEEP_SECONDS", "15", "How often the scheduler sweeps (reminders, mail, timers)."),
    Setting(
        "MAIL_LEASE_SECONDS",
        "60",
        "How long a scheduler holds the mail it is sending before another may take it over; "
        "renewed while it works, so this is how long mail of a scheduler that died waits.",
    ),
)

#: setting name → its documented default
DEFAULTS: dict[str, str] = {s.name: s.default for s in SETTINGS}
#: the city's time zone when nothing else is said (pure functions called without one)
DEFAULT_TIMEZONE = DEFAULTS["TIMEZONE"]


@dataclass(frozen=True)
class Config:
    """Every setting, parsed; each field is its setting's name in lower case."""

    instance_path: Path
    database_url: str
    #: None: the web app makes one and keeps it in the instance folder
    secret_key: str | None
    smtp_url: str
    mail_from: str
    base_url: str
    timezone: str
    #: None: the templates shipped with the package
    workflows_dir: Path | None
    workflow_max_bytes: int
    machine_cache_size: int
    upload_dir: Path
    support_respond_days: int
    stalled_days: int
    reminder_hour: int
    digest_hour: int
    digest_weekday: int
    sweep_seconds: int
    mail_lease_seconds: int


class ConfigError(ValueError):
    """A setting has a value the app cannot use."""


def load_config(env: Mapping[str, str] | None = None) -> Config:
    """Read the configuration from the environment (or a given mapping); unset or empty
    settings take their default from :data:`SETTINGS`."""
    env = os.environ if env is None else env

    def given(name: str) -> str | None:
        return env.get(f"VERBINDING_{name}") or None

    instance = Path(given("INSTANCE_PATH") or DEFAULTS["INSTANCE_PATH"]).resolve()

    def text(name: str) -> str:
        value = given(name)
        if value is None:
            value = DEFAULTS[name].replace("<INSTANCE_PATH>", str(instance))
        return value

    def number(name: str, low: int, high: int | None = None) -> int:
        value = text(name)
        try:
            found = int(value)
        except ValueError:
            raise ConfigError(f"VERBINDING_{name} must be a whole number, not {value!r}") from None
        if found < low or (high is not None and found > high):
            limits = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise ConfigError(f"VERBINDING_{name} must be {limits}, not {found}")
        return found

    workflows = given("WORKFLOWS_DIR")
    return Config(
        instance_path=instance,
        database_url=text("DATABASE_URL"),
        secret_key=given("SECRET_KEY"),
        smtp_url=text("SMTP_URL"),
        mail_from=text("MAIL_FROM"),
        base_url=text("BASE_URL").rstrip("/"),
        timezone=_zone_name(text("TIMEZONE")),
        workflows_dir=Path(workflows) if workflows else None,
        workflow_max_bytes=number("WORKFLOW_MAX_BYTES", 1),
        machine_cache_size=number("MACHINE_CACHE_SIZE", 1),
        upload_dir=Path(text("UPLOAD_DIR")).resolve(),
        support_respond_days=number("SUPPORT_RESPOND_DAYS", 0),
        stalled_days=number("STALLED_DAYS", 0),
        reminder_hour=number("REMINDER_HOUR", 0, 23),
        digest_hour=number("DIGEST_HOUR", 0, 23),
        digest_weekday=number("DIGEST_WEEKDAY", 1, 7),
        sweep_seconds=number("SWEEP_SECONDS", 1),
        mail_lease_seconds=number("MAIL_LEASE_SECONDS", 2),
    )


def _zone_name(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"VERBINDING_TIMEZONE: unknown time zone {name!r}") from None
    return name


@cache
def default_config() -> Config:
    """The configuration with every setting at its default (for sessions made without one)."""
    return load_config({})


def config_of(session: Session) -> Config:
    """The configuration of the process that made ``session`` (see Runtime.sessions)."""
    found = session.info.get("config")
    return found if isinstance(found, Config) else default_config()
