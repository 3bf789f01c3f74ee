"""Conversation: messages and replies on an initiative, on one of its decisions, or between its
initiators and the area's coaches; and reports of messages that should not be there.

A message is never removed: deleting one leaves "deleted" in its place and hiding one leaves
"hidden", so the replies under it keep their context.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime
from engine.models.people import Person

#: group: the initiative's (or a decision's) open discussion; coaches: the private thread of
#: the initiators and the area's process coaches
CHANNELS = ("group", "coaches")


class Message(Base):
    """One message of a discussion, or a reply to one (one level deep)."""

    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint("channel IN ('group', 'coaches')", name="channel"),
        # a decision's discussion is the group's; the coaches' thread hangs from the initiative
        CheckConstraint("channel = 'group' OR decision_id IS NULL", name="coaches_no_decision"),
        # a thread's page: its messages (not replies) in order
        Index("ix_messages_thread", "initiative_id", "channel", "decision_id", "parent_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"))
    #: the decision this message talks about; null for the initiative's own discussion
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    #: group (the open discussion) or coaches (initiators and the area's coaches only)
    channel: Mapped[str] = mapped_column(String(10), default="group")
    #: the message this one replies to (itself never a reply)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    #: written by a process coach, on behalf of the municipality
    is_from_coach: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the last time its author changed it (within the minutes they may)
    edited_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: its author deleted it: the body is gone, "deleted" stays in its place
    deleted_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: an initiator or coach hid it, with a reason the group and coaches can read
    hidden_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    #: optimistic-concurrency counter of this message
    version: Mapped[int] = mapped_column(default=1)

    author: Mapped[Person] = relationship(foreign_keys=[author_id])
    hidden_by: Mapped[Person | None] = relationship(foreign_keys=[hidden_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_gone(self) -> bool:
        """Deleted or hidden: its words are not shown (to most)."""
        return self.deleted_dt is not None or self.hidden_dt is not None


class MessageReport(Base):
    """Someone signed in says a message should not be there; initiators and coaches see it."""

    __tablename__ = "message_reports"
    __table_args__ = (
        UniqueConstraint("message_id", "reporter_id"),
        # the open reports of an initiative, for its initiators and coaches
        Index(
            "ix_message_reports_open",
            "initiative_id",
            sqlite_where=text("closed_dt IS NULL"),
            postgresql_where=text("closed_dt IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    #: the message's initiative, so its open reports are found without a join
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: dealt with: the message was hidden, or an initiator or coach saw no reason to
    closed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    message: Mapped[Message] = relationship()
    reporter: Mapped[Person] = relationship(foreign_keys=[reporter_id])
