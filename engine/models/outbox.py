"""The outbox: every mail is a row first, written in the transaction that caused it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime

OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


class OutboxBody(Base):
    """A mail text shared by many messages: one event's mail in one language, with stand-ins
    for each reader's name and token (engine.mail.outbox.contents fills them in)."""

    __tablename__ = "outbox_bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)


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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: one message per key, however often it is queued (e.g. ``reset:17:…``)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    #: stable Message-ID derived from the key, so a retry is recognisably the same mail
    message_id: Mapped[str] = mapped_column(String(250))
    to_addr: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str | None] = mapped_column(String(200))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
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
    #: what this reader's copy of the shared text puts in for the token stand-in
    fill: Mapped[str | None] = mapped_column(String(60))
    body: Mapped[OutboxBody | None] = relationship(lazy="joined")


class PasswordReset(Base):
    """A password-reset link: only its hash is stored; it works once, for a short time."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    used_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
