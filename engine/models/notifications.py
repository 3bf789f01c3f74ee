"""Notifications: something happened (an event), and each person told about it has a row.

An event is stored once with what is needed to say it in any language; the people told about
it get one small row each, made by one ``INSERT … SELECT`` (engine.notifications.fanout). A row
is read on the notifications page and mailed by the reader's choice for its kind: at once, in
a daily or weekly overview, or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

MAIL_STATUSES = ("pending", "sent", "skipped")


class NotificationEvent(Base):
    """Something that happened that people are told about: a decision opened, a request answered."""

    __tablename__ = "notification_events"
    __table_args__ = (
        # the decision-closing sweep asks whether a thing was already announced
        Index("ix_notification_events_kind_subject", "kind", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what happened (engine.notifications.kinds.EVENTS): decision_opened, support_filed, …
    kind: Mapped[str] = mapped_column(String(30))
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id"), index=True)
    #: who acted (never told about it); null for the sweep
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    #: the id of the thing it is about (a decision, a request, a step…), by kind
    subject_id: Mapped[int | None]
    #: the words to fill in, in no language: titles, names, the outcome
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: path in the site, e.g. ``/initiatives/4/decisions/2``
    link: Mapped[str] = mapped_column(String(500))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)


class Notification(Base):
    """One person told about one event: read or not, and how it is mailed."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("event_id", "person_id"),
        CheckConstraint("mail_status IN ('pending', 'sent', 'skipped')", name="mail_status"),
        CheckConstraint("mail_mode IN ('immediate', 'daily', 'weekly', 'off')", name="mail_mode"),
        # the page: a person's newest first
        Index("ix_notifications_person", "person_id", "id"),
        # the header's count: a person's unread ones
        Index(
            "ix_notifications_unread",
            "person_id",
            sqlite_where=text("read_dt IS NULL"),
            postgresql_where=text("read_dt IS NULL"),
        ),
        # the digest sweep: mail still to send
        Index(
            "ix_notifications_mail_due",
            "mail_due_dt",
            sqlite_where=text("mail_status = 'pending'"),
            postgresql_where=text("mail_status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("notification_events.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: when the person marked it read (or opened it from the page)
    read_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the reader's choice for its kind when it was made: immediate, daily, weekly or off
    mail_mode: Mapped[str] = mapped_column(String(10))
    #: pending (to mail at ``mail_due_dt``), sent (in the outbox) or skipped (off)
    mail_status: Mapped[str] = mapped_column(String(10))
    mail_due_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when it went into the outbox, alone or in an overview
    mailed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: mailed at once: the random part of the mail's unsubscribe link (engine.notifications.tokens)
    mail_token: Mapped[str | None] = mapped_column(String(32))
