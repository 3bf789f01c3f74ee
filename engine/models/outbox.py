"""The outbox: every mail is a row first, written in the transaction that caused it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime

if TYPE_CHECKING:
    from engine.models.notifications import Notification

OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")
#: in a shared text's Message-ID: the id of the notification each message tells about
NOTIFICATION = "\ue000id\ue000"


class OutboxBody(Base):
    """A mail text shared by many messages: one event's mail in one language, with stand-ins
    for each reader's name and token (engine.mail.outbox.contents fills them in)."""

    __tablename__ = "outbox_bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the subject in this text's language, for every message that points here
    subject: Mapped[str | None] = mapped_column(String(300))
    #: the Message-ID of each message that points here, with a stand-in for its notification's
    #: id (engine.mail.outbox.NOTIFICATION)
    message_id: Mapped[str | None] = mapped_column(String(250))


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
        # what the dispatcher looks for: due and not yet sent
        Index(
            "ix_outbox_due",
            "next_attempt_dt",
            sqlite_where=text("status IN ('pending', 'sending')"),
            postgresql_where=text("status IN ('pending', 'sending')"),
        ),
        # one message per key; a notification's mail has none (its notification is mailed
        # once, and its row is made with it), so a thousand readers add nothing to this index
        Index(
            "uq_outbox_idempotency_key",
            "idempotency_key",
            unique=True,
            sqlite_where=text("idempotency_key IS NOT NULL"),
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: one message per key, however often it is queued (e.g. ``reset:17:…``); none for a
    #: notification's mail (``notification_id``)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    #: stable Message-ID derived from the key, so a retry is recognisably the same mail; a
    #: notification's mail takes its shared text's, with its notification's id
    #: (engine.mail.outbox.message_id_of)
    message_id: Mapped[str | None] = mapped_column(String(250))
    to_addr: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str | None] = mapped_column(String(200))
    #: no index: nothing looks a person's mail up by it (erasure scans the outbox, which the
    #: retention sweep keeps short, for their addresses too)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    #: none for a notification's mail: its shared text's (engine.mail.outbox.subject_of)
    subject: Mapped[str | None] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    #: extra headers, e.g. List-Unsubscribe
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: pending → sending → sent, or back to pending for a retry, or failed
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: while sending: when the claim lapses (a dispatcher that died lets go)
    lease_until_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the body holds a one-time link (password reset, address confirmation): it is wiped
    #: once the message is sent or has failed for good
    is_secret: Mapped[bool] = mapped_column(default=False)
    #: a text shared with other readers (then ``body_text`` is empty): a notification fanned
    #: out to many, whose rows are made by one ``INSERT … SELECT``
    body_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_bodies.id"))
    #: what this reader's copy of the shared text puts in for the token stand-in (rows queued
    #: before 0032; since, the token is the notification's, read when the mail is sent)
    fill: Mapped[str | None] = mapped_column(String(60))
    #: the notification this mail tells its reader about (a shared text's message): its id
    #: makes the Message-ID and its token the unsubscribe link, when the mail is sent. No
    #: foreign key: a reader's notifications and mail are erased together
    notification_id: Mapped[int | None]
    body: Mapped[OutboxBody | None] = relationship(lazy="joined")
    notification: Mapped[Notification | None] = relationship(
        primaryjoin="foreign(OutboxMessage.notification_id) == Notification.id",
        lazy="joined",
        viewonly=True,
    )

    @property
    def mail_subject(self) -> str:
        """The subject: the row's own, or its shared text's."""
        if self.subject is not None or self.body is None:
            return self.subject or ""
        return self.body.subject or ""

    @property
    def mail_message_id(self) -> str:
        """The Message-ID: the row's own, or its shared text's with its notification's id
        (the same on every attempt, one per notification)."""
        if self.message_id is not None or self.body is None:
            return self.message_id or ""
        return (self.body.message_id or "").replace(NOTIFICATION, str(self.notification_id))


class PasswordReset(Base):
    """A password-reset link: only its hash is stored; it works once, for a short time."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    used_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
