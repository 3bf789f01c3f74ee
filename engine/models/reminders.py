"""Reminders, preferences and calendar feeds.

A reminder is a row with a due time, never a scheduler job: deadlines move, their reminders
follow, and the dispatcher finds what is due through a partial index on pending rows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

REMINDER_STATUSES = ("pending", "sent", "skipped", "cancelled")
DELIVERY_MODES = ("immediate", "daily", "weekly", "off")


class Reminder(Base):
    """One message due at a time for one person, derived from one deadline."""

    __tablename__ = "reminders"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'skipped', 'cancelled')", name="status"),
        # what the dispatcher looks for: due and not yet handled
        Index(
            "ix_reminders_due",
            "due_dt",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``<deadline key>:<date>:<offset>:<person>``: one reminder per moment and person, ever
    key: Mapped[str] = mapped_column(String(250), unique=True)
    #: the deadline source that produced it (steps, stages, support, …)
    source: Mapped[str] = mapped_column(String(30))
    #: the deadline's own key, e.g. ``step:17``
    deadline_key: Mapped[str] = mapped_column(String(150))
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    #: step_due, stage_target, support_due, initiative_stalled, … (see engine.reminders.rules)
    kind: Mapped[str] = mapped_column(String(30))
    #: days before the deadline (negative: days after it, overdue)
    offset_days: Mapped[int]
    deadline_date: Mapped[date] = mapped_column(Date)
    #: what the deadline is about, ``{"nl": …, "en": …}``
    title: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: path in the site, e.g. ``/initiatives/4#step-17``
    link: Mapped[str] = mapped_column(String(500))
    #: when the dispatcher acts on it (moved on to the digest slot for a digest reader)
    due_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: pending → sent (queued in the outbox), skipped (turned off) or cancelled (moved away)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    #: the mail it went out in (a digest carries several reminders)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: when it was sent, skipped or cancelled
    handled_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReminderPreference(Base):
    """How a person wants one kind of reminder: at once, in a digest, or not at all."""

    __tablename__ = "reminder_preferences"
    __table_args__ = (
        CheckConstraint("mode IN ('immediate', 'daily', 'weekly', 'off')", name="mode"),
        Index("uq_reminder_preferences_person_kind", "person_id", "kind", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(30))
    #: immediate, daily (digest), weekly (digest) or off
    mode: Mapped[str] = mapped_column(String(10))
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime)


class CalendarFeed(Base):
    """A secret calendar address: a person's own deadlines, or one initiative's."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        # one live address per person, and per person and initiative
        Index(
            "uq_calendar_feeds_live_person",
            "person_id",
            unique=True,
            sqlite_where=text("initiative_id IS NULL AND revoked_dt IS NULL"),
            postgresql_where=text("initiative_id IS NULL AND revoked_dt IS NULL"),
        ),
        Index(
            "uq_calendar_feeds_live_initiative",
            "person_id",
            "initiative_id",
            unique=True,
            sqlite_where=text("initiative_id IS NOT NULL AND revoked_dt IS NULL"),
            postgresql_where=text("initiative_id IS NOT NULL AND revoked_dt IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the secret in the address; a revoked one answers 404
    token: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    #: null: every initiative of the person; else this one initiative
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CalendarEntry(Base):
    """A deadline as calendars see it: a stable UID and a SEQUENCE that grows on each change."""

    __tablename__ = "calendar_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the deadline key (``step:17``), the stable part of the UID
    key: Mapped[str] = mapped_column(String(150), unique=True)
    source: Mapped[str] = mapped_column(String(30))
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id"), index=True)
    #: the stadsdeel of the initiative's wijk, kept by the database (migration 0033's
    #: triggers; never written from Python, and not refreshed on a loaded object): a district
    #: coach's feed walks its district's entries by date
    district_id: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(30))
    #: ``{"nl": …, "en": …}``
    title: Mapped[dict[str, Any]] = mapped_column(JSON)
    link: Mapped[str] = mapped_column(String(500))
    entry_date: Mapped[date] = mapped_column(Date)
    #: a meeting's start and end (else the entry is all-day on ``entry_date``)
    start_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: where it is (a meeting's place and address)
    location: Mapped[str | None] = mapped_column(String(500))
    #: RFC 5545 SEQUENCE: 0 when made, one more on every change or cancellation
    sequence: Mapped[int] = mapped_column(default=0)
    #: the deadline was removed (or done): shown as STATUS:CANCELLED
    is_cancelled: Mapped[bool] = mapped_column(default=False)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime)
