"""Settings from ``VERBINDING_*`` environment variables, each with its default.

This module is the one place where configuration is documented and read; the README's table is
checked against :data:`SETTINGS`, whose defaults :func:`load_config` uses. The engine never reads
the environment itself: a :class:`~engine.runtime.Runtime` puts its :class:`Config` on every
session it makes, and :func:`config_of` gives it back.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
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
    #: a secret: may also be read from the file named by ``VERBINDING_<NAME>_FILE``
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("INSTANCE_PATH", "./instance", "Folder for the SQLite file, uploads and local state."),
    Setting(
        "DATABASE_URL",
        "sqlite:///<INSTANCE_PATH>/verbinding.db",
        "SQLAlchemy URL; PostgreSQL as postgresql+psycopg://user@host/db.",
        secret=True,
    ),
    Setting(
        "SECRET_KEY",
        "(made once, kept in <INSTANCE_PATH>/secret_key)",
        "Signs sessions and tokens; set the same value on every web worker.",
        secret=True,
    ),
    Setting(
        "SECRET_KEY_FALLBACKS",
        "(none)",
        "Former secret keys, separated by commas: what they signed (sessions, remember "
        "cookies, form tokens, unsubscribe links) still holds; new signatures use SECRET_KEY.",
        secret=True,
    ),
    Setting(
        "ENV",
        "development",
        "development or production; production (or an https BASE_URL) refuses to start "
        "without SECRET_KEY.",
    ),
    Setting(
        "SMTP_URL",
        "smtp://127.0.0.1:25",
        "Outgoing mail server (smtp:// or smtps://).",
        secret=True,
    ),
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
        "STORAGE",
        "local",
        "Where uploaded files are kept: local (UPLOAD_DIR) or s3 (an S3-compatible bucket, "
        "S3_BUCKET; needs `pip install 'verbinding[s3]'`), so several hosts serve the same files.",
    ),
    Setting("S3_BUCKET", "(none)", "The bucket for uploaded files when STORAGE is s3."),
    Setting(
        "S3_ENDPOINT_URL",
        "(AWS S3)",
        "Address of an S3-compatible service (MinIO, Ceph, a cloud's object storage), e.g. "
        "https://s3.example.nl.",
    ),
    Setting("S3_REGION", "(boto3's default)", "The bucket's region, e.g. eu-central-1."),
    Setting(
        "S3_PREFIX",
        "(none)",
        "Key prefix (a folder in the bucket) under which files are kept, e.g. verbinding/.",
    ),
    Setting(
        "S3_ACCESS_KEY_ID",
        "(boto3's own: AWS_* variables, ~/.aws, an instance role)",
        "Access key for the bucket.",
        secret=True,
    ),
    Setting(
        "S3_SECRET_ACCESS_KEY",
        "(boto3's own: AWS_* variables, ~/.aws, an instance role)",
        "Secret key for the bucket.",
        secret=True,
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
    Setting(
        "FEED_DAYS_BACK",
        "90",
        "Days into the past a calendar feed reaches (older deadlines are left out).",
    ),
    Setting(
        "FEED_DAYS_AHEAD",
        "366",
        "Days into the future a calendar feed reaches (later deadlines are left out).",
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
    Setting(
        "MUNICIPALITY_NAME",
        "Gemeente Groningen",
        "Whose site this is: shown in the footer and on the accessibility, privacy and contact "
        "pages.",
    ),
    Setting(
        "CONTACT_EMAIL",
        "verbinding@groningen.nl",
        "E-mail address for questions about the site, on the contact and accessibility pages.",
    ),
    Setting("CONTACT_PHONE", "14 050", "Telephone number for questions, on the contact page."),
    Setting(
        "CONTACT_ADDRESS",
        "Kreupelstraat 1, 9712 HW Groningen",
        "Postal or visiting address, on the contact page.",
    ),
    Setting(
        "PRIVACY_CONTACT",
        "privacy@groningen.nl",
        "E-mail address of the data protection officer, on the privacy page.",
    ),
    Setting(
        "RETENTION_YEARS",
        "7",
        "Years an initiative's history is kept after it ended, as the privacy page says.",
    ),
    Setting(
        "MAIL_RETENTION_DAYS",
        "30",
        "Days the text of a sent mail is kept in the outbox; then only who and when remain.",
    ),
    Setting(
        "LINK_RETENTION_DAYS",
        "7",
        "Days a used or expired password-reset link or invitation is kept.",
    ),
    Setting(
        "NOTIFICATION_RETENTION_DAYS",
        "365",
        "Days a notification is kept (one still to be mailed waits for its mail).",
    ),
    Setting(
        "ACCESSIBILITY_STATUS",
        "partial",
        "Status in the accessibility statement: full, partial, first-steps or none.",
    ),
    Setting(
        "ACCESSIBILITY_CHECKED",
        "2026-11-30",
        "Date (YYYY-MM-DD) of the last accessibility check, in the accessibility statement.",
    ),
    Setting(
        "THEME_CSS",
        "(the NL Design System example theme)",
        "CSS file with the NL Design System design tokens (colours, fonts, focus) for the site.",
    ),
    Setting(
        "THEME_CLASS",
        "voorbeeld-theme",
        "Class on <body> under which the theme file defines its tokens.",
    ),
    Setting("REMEMBER_DAYS", "30", 'How long "stay logged in" lasts, in days.'),
    Setting(
        "TRUSTED_PROXIES",
        "0",
        "How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host; the "
        "client address and https come from them. 0: the app faces the clients itself.",
    ),
    Setting(
        "RATE_LIMIT_LOGIN",
        "10/900",
        "Sign-in attempts per account per window (COUNT/SECONDS); then the form answers 429.",
    ),
    Setting(
        "RATE_LIMIT_MAIL",
        "20/3600",
        "Forms that send mail (register, password reset, invitations, join and support "
        "requests) per account or typed address per window (COUNT/SECONDS).",
    ),
    Setting(
        "RATE_LIMIT_POST",
        "120/600",
        "Any other form sent, per account per window (COUNT/SECONDS).",
    ),
    Setting(
        "RATE_LIMIT_CONSULTATION",
        "10/3600",
        "Ideas, reactions and replies posted in a consultation, per account per window "
        "(COUNT/SECONDS).",
    ),
    Setting(
        "RATE_LIMIT_ADDRESS_FACTOR",
        "5",
        "Each limit holds per account and, this many times higher, per client address (many "
        "people may share one address).",
    ),
    Setting("LOG_FORMAT", "text", "text or json: JSON gives one object per line."),
    Setting(
        "LOG_LEVEL",
        "WARNING",
        "DEBUG, INFO, WARNING or ERROR; INFO (or `verbinding -v`) adds a line per request, "
        "per transition and per mail delivery.",
    ),
    Setting(
        "METRICS_TOKEN",
        "(none: /metrics is off)",
        "Bearer token that /metrics asks for (Authorization: Bearer …); unset, /metrics "
        "answers 404.",
        secret=True,
    ),
    Setting(
        "READY_OUTBOX_BACKLOG",
        "1000",
        "/readyz answers 503 when more mails than this are due and not yet sent.",
    ),
    Setting(
        "READY_OUTBOX_FAILED",
        "50",
        "/readyz answers 503 when more mails than this failed for good in the last 24 hours.",
    ),
    Setting(
        "READY_SCHEDULER",
        "on",
        "on or off: whether /readyz asks for a scheduler heartbeat younger than 3 sweeps "
        "(off where no `verbinding scheduler` runs).",
    ),
)

#: the settings that may be read from a file (``VERBINDING_<NAME>_FILE``)
SECRET_SETTINGS: tuple[str, ...] = tuple(s.name for s in SETTINGS if s.secret)

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
    feed_days_back: int
    feed_days_ahead: int
    reminder_hour: int
    digest_hour: int
    digest_weekday: int
    sweep_seconds: int
    mail_lease_seconds: int
    municipality_name: str
    contact_email: str
    contact_phone: str
    contact_address: str
    privacy_contact: str
    retention_years: int
    mail_retention_days: int
    link_retention_days: int
    notification_retention_days: int
    #: full, partial, first-steps or none (the Dutch model statement's A, B, C, D)
    accessibility_status: str
    accessibility_checked: date
    #: None: the example theme shipped with the package
    theme_css: Path | None
    theme_class: str
    remember_days: int
    trusted_proxies: int
    #: (count, seconds) per limit
    rate_limit_login: tuple[int, int]
    rate_limit_mail: tuple[int, int]
    rate_limit_post: tuple[int, int]
    rate_limit_consultation: tuple[int, int]
    rate_limit_address_factor: int
    #: former secret keys, newest first: they verify, never sign
    secret_key_fallbacks: tuple[str, ...] = ()
    #: development or production
    env: str = "development"
    #: text or json
    log_format: str = "text"
    log_level: str = "WARNING"
    #: None: /metrics is off
    metrics_token: str | None = None
    ready_outbox_backlog: int = 1000
    ready_outbox_failed: int = 50
    ready_scheduler: bool = True
    #: local or s3 (engine.storage_setup.storage_for)
    storage: str = "local"
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_prefix: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None

    @property
    def production(self) -> bool:
        """Run for real: ``VERBINDING_ENV=production`` or an https base URL."""
        return self.env == "production" or self.base_url.startswith("https://")


class ConfigError(ValueError):
    """A setting has a value the app cannot use."""


def load_config(env: Mapping[str, str] | None = None) -> Config:
    """Read the configuration from the environment (or a given mapping); unset or empty
    settings take their default from :data:`SETTINGS`."""
    env = os.environ if env is None else env

    def given(name: str) -> str | None:
        value = env.get(f"VERBINDING_{name}") or None
        if name in SECRET_SETTINGS:
            return _secret(env, name, value)
        return value

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

    def rate(name: str) -> tuple[int, int]:
        value = text(name)
        count, _, seconds = value.partition("/")
        if not (
            count.strip().isascii()
            and count.strip().isdigit()
            and seconds.strip().isascii()
            and seconds.strip().isdigit()
            and int(count) >= 1
            and int(seconds) >= 1
        ):
            raise ConfigError(
                f"VERBINDING_{name} must be COUNT/SECONDS (e.g. 10/900), not {value!r}"
            )  # fmt: skip
        return int(count), int(seconds)

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
        feed_days_back=number("FEED_DAYS_BACK", 0, 3660),
        feed_days_ahead=number("FEED_DAYS_AHEAD", 1, 3660),
        reminder_hour=number("REMINDER_HOUR", 0, 23),
        digest_hour=number("DIGEST_HOUR", 0, 23),
        digest_weekday=number("DIGEST_WEEKDAY", 1, 7),
        sweep_seconds=number("SWEEP_SECONDS", 1),
        mail_lease_seconds=number("MAIL_LEASE_SECONDS", 2),
        municipality_name=text("MUNICIPALITY_NAME"),
        contact_email=text("CONTACT_EMAIL"),
        contact_phone=text("CONTACT_PHONE"),
        contact_address=text("CONTACT_ADDRESS"),
        privacy_contact=text("PRIVACY_CONTACT"),
        retention_years=number("RETENTION_YEARS", 0, 100),
        mail_retention_days=number("MAIL_RETENTION_DAYS", 1, 36500),
        link_retention_days=number("LINK_RETENTION_DAYS", 1, 36500),
        notification_retention_days=number("NOTIFICATION_RETENTION_DAYS", 1, 36500),
        accessibility_status=_status(text("ACCESSIBILITY_STATUS")),
        accessibility_checked=_day(text("ACCESSIBILITY_CHECKED")),
        theme_css=_theme_file(given("THEME_CSS")),
        theme_class=_theme_class(text("THEME_CLASS")),
        remember_days=number("REMEMBER_DAYS", 1, 3650),
        trusted_proxies=number("TRUSTED_PROXIES", 0, 10),
        rate_limit_login=rate("RATE_LIMIT_LOGIN"),
        rate_limit_mail=rate("RATE_LIMIT_MAIL"),
        rate_limit_post=rate("RATE_LIMIT_POST"),
        rate_limit_consultation=rate("RATE_LIMIT_CONSULTATION"),
        rate_limit_address_factor=number("RATE_LIMIT_ADDRESS_FACTOR", 1),
        secret_key_fallbacks=tuple(
            k.strip() for k in (given("SECRET_KEY_FALLBACKS") or "").split(",") if k.strip()
        ),
        env=_choice("ENV", text("ENV"), ENVIRONMENTS),
        log_format=_choice("LOG_FORMAT", text("LOG_FORMAT"), LOG_FORMATS),
        log_level=_choice("LOG_LEVEL", text("LOG_LEVEL").upper(), LOG_LEVELS),
        metrics_token=given("METRICS_TOKEN"),
        ready_outbox_backlog=number("READY_OUTBOX_BACKLOG", 0),
        ready_outbox_failed=number("READY_OUTBOX_FAILED", 0),
        ready_scheduler=_choice("READY_SCHEDULER", text("READY_SCHEDULER"), ("on", "off")) == "on",
        storage=_choice("STORAGE", text("STORAGE"), ("local", "s3")),
        s3_bucket=given("S3_BUCKET"),
        s3_endpoint_url=given("S3_ENDPOINT_URL"),
        s3_region=given("S3_REGION"),
        s3_prefix=given("S3_PREFIX"),
        s3_access_key_id=given("S3_ACCESS_KEY_ID"),
        s3_secret_access_key=given("S3_SECRET_ACCESS_KEY"),
    )


ENVIRONMENTS = ("development", "production")
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(f"VERBINDING_{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _secret(env: Mapping[str, str], name: str, value: str | None) -> str | None:
    """A secret setting's value, or the content of the file ``VERBINDING_<NAME>_FILE`` names
    (a container's mounted secret), without the line end that editors add."""
    path = env.get(f"VERBINDING_{name}_FILE") or None
    if path is None:
        return value
    if value is not None:
        raise ConfigError(f"VERBINDING_{name} and VERBINDING_{name}_FILE are both set; set one")
    try:
        content = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"VERBINDING_{name}_FILE: cannot read {path!r} ({exc.__class__.__name__})"
        ) from None
    if not content:
        raise ConfigError(f"VERBINDING_{name}_FILE: the file {path!r} is empty")
    return content


def log_settings(env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """``VERBINDING_LOG_FORMAT`` and ``VERBINDING_LOG_LEVEL`` alone (logging is set up before
    any other setting is read)."""
    env = os.environ if env is None else env
    log_format = env.get("VERBINDING_LOG_FORMAT") or DEFAULTS["LOG_FORMAT"]
    level = (env.get("VERBINDING_LOG_LEVEL") or DEFAULTS["LOG_LEVEL"]).upper()
    return _choice("LOG_FORMAT", log_format, LOG_FORMATS), _choice("LOG_LEVEL", level, LOG_LEVELS)


#: the statuses of the Dutch model accessibility statement
ACCESSIBILITY_STATUSES = ("full", "partial", "first-steps", "none")


def _status(value: str) -> str:
    if value not in ACCESSIBILITY_STATUSES:
        raise ConfigError(
            f"VERBINDING_ACCESSIBILITY_STATUS must be one of {', '.join(ACCESSIBILITY_STATUSES)},"
            f" not {value!r}"
        )
    return value


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"VERBINDING_ACCESSIBILITY_CHECKED must be a date (YYYY-MM-DD), not {value!r}"
        ) from None


def _theme_file(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value).resolve()
    if path.suffix != ".css" or not path.is_file():
        raise ConfigError(f"VERBINDING_THEME_CSS: no CSS file at {value!r}")
    return path


def _theme_class(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", value):
        raise ConfigError(f"VERBINDING_THEME_CLASS must be one CSS class name, not {value!r}")
    return value


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
