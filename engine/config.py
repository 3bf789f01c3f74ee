"""Settings from ``VERBINDING_*`` environment variables, each with its default.

This module is the one place where configuration is documented; the README's table is made
from :data:`SETTINGS`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
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
    Setting("WORKFLOWS_DIR", "<repo>/workflows", "Folder with the process templates (*.yaml)."),
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
)


@dataclass(frozen=True)
class Config:
    instance_path: Path
    database_url: str
    secret_key: str | None
    smtp_url: str
    mail_from: str
    base_url: str
    timezone: str
    machine_cache_size: int
    upload_dir: Path
    support_respond_days: int
    stalled_days: int
    reminder_hour: int = 8
    digest_hour: int = 8
    digest_weekday: int = 1
    sweep_seconds: int = 15


def load_config(env: Mapping[str, str] | None = None) -> Config:
    """Read the configuration from the environment (or a given mapping)."""
    env = os.environ if env is None else env

    def get(name: str, default: str) -> str:
        return env.get(f"VERBINDING_{name}", default)

    instance = Path(get("INSTANCE_PATH", "instance")).resolve()
    return Config(
        instance_path=instance,
        database_url=get("DATABASE_URL", f"sqlite:///{instance / 'verbinding.db'}"),
        secret_key=env.get("VERBINDING_SECRET_KEY"),
        smtp_url=get("SMTP_URL", "smtp://127.0.0.1:25"),
        mail_from=get("MAIL_FROM", "Verbinding <noreply@localhost>"),
        base_url=get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        timezone=get("TIMEZONE", "Europe/Amsterdam"),
        machine_cache_size=int(get("MACHINE_CACHE_SIZE", "256")),
        upload_dir=Path(get("UPLOAD_DIR", str(instance / "uploads"))).resolve(),
        support_respond_days=int(get("SUPPORT_RESPOND_DAYS", "10")),
        stalled_days=int(get("STALLED_DAYS", "30")),
        reminder_hour=int(get("REMINDER_HOUR", "8")),
        digest_hour=int(get("DIGEST_HOUR", "8")),
        digest_weekday=int(get("DIGEST_WEEKDAY", "1")),
        sweep_seconds=int(get("SWEEP_SECONDS", "15")),
    )
