"""The neighbourhood's say on a stage: a consultation the group opens with a question and an
end date, the ideas and reactions of residents outside the group (with replies one level
deep), their supports, what the group did with each idea, and reports of posts that should not
be there.

A post is never removed: hiding one leaves "hidden" in its place (its words and photo are no
longer shown to anyone outside the group and the area's coaches), deleting one's own leaves
"deleted" (its words and photo go), so replies keep their place.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime
from engine.models.people import Person

#: open: residents post and support; closed: the page stays, read only
CONSULTATION_STATUSES = ("open", "closed")
#: idea: a proposal others can support and the group answers; reaction: a remark on the
#: question; reply: an answer under an idea or a reaction (one level)
POST_KINDS = ("idea", "reaction", "reply")
#: what the group did with an idea
OUTCOMES = ("adopted", "not_adopted")


class Consultation(Base):
    """The neighbourhood's consultation on one stage of an initiative (one per stage)."""

    __tablename__ = "consultations"
    __table_args__ = (
        UniqueConstraint("initiative_id", "stage_key"),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        # the sweep's question: which open consultations have reached their end
        Index(
            "ix_consultations_open_closes",
            "closes_dt",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"))
    #: the stage it belongs to
    stage_key: Mapped[str] = mapped_column(String(100))
    #: what the group asks the neighbourhood
    question: Mapped[str] = mapped_column(Text)
    #: the last day residents can post (local date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: the moment it closes by itself: the end of ``ends_on``, local time, in UTC
    closes_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="open")
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    opened_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: who closed it; null when it closed by itself at its end
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    #: optimistic-concurrency counter
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class ConsultationPost(Base):
    """An idea, a reaction, or a reply under one of them."""

    __tablename__ = "consultation_posts"
    __table_args__ = (
        CheckConstraint("kind IN ('idea', 'reaction', 'reply')", name="kind"),
        CheckConstraint("(kind = 'reply') = (parent_id IS NOT NULL)", name="reply_has_parent"),
        CheckConstraint("outcome IS NULL OR outcome IN ('adopted', 'not_adopted')", name="outcome"),
        # a page of the consultation: its posts (not replies) newest first, by keyset
        Index("ix_consultation_posts_page", "consultation_id", "parent_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    #: the consultation's initiative, for its history and reports without a join
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"))
    kind: Mapped[str] = mapped_column(String(10))
    #: the idea or reaction this replies to (itself never a reply)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_posts.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    #: written by someone of the group (a reply on the group's behalf)
    is_from_group: Mapped[bool] = mapped_column(default=False)
    #: written by a process coach, on behalf of the municipality
    is_from_coach: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)
    #: a photo in the upload folder (engine.storage), and its content type
    photo_name: Mapped[str | None] = mapped_column(String(255), unique=True)
    photo_type: Mapped[str | None] = mapped_column(String(40))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: its author changed it (within 15 minutes of writing it)
    edited_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: its author deleted it: its words and photo are gone, "deleted" stays in its place
    deleted_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: an initiator or area coach hid it, with a reason the group and coaches read
    hidden_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    #: what the group did with an idea, why (when not adopted), who said so and when
    outcome: Mapped[str | None] = mapped_column(String(12))
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    outcome_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: optimistic-concurrency counter
    version: Mapped[int] = mapped_column(default=1)

    author: Mapped[Person] = relationship(foreign_keys=[author_id])
    hidden_by: Mapped[Person | None] = relationship(foreign_keys=[hidden_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_gone(self) -> bool:
        """Hidden by the group or a coach, or deleted by its author: nothing of it shows."""
        return self.hidden_dt is not None or self.deleted_dt is not None


class ConsultationSupport(Base):
    """A resident supports someone else's idea (once; withdrawing deletes the row)."""

    __tablename__ = "consultation_supports"

    post_id: Mapped[int] = mapped_column(ForeignKey("consultation_posts.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)


class ConsultationReport(Base):
    """Someone signed in says a post should not be there; initiators and coaches see it."""

    __tablename__ = "consultation_reports"
    __table_args__ = (
        UniqueConstraint("post_id", "reporter_id"),
        Index(
            "ix_consultation_reports_open",
            "initiative_id",
            sqlite_where=text("closed_dt IS NULL"),
            postgresql_where=text("closed_dt IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("consultation_posts.id"))
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: dealt with: the post was hidden, or an initiator or coach saw no reason to
    closed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    post: Mapped[ConsultationPost] = relationship()
    reporter: Mapped[Person] = relationship(foreign_keys=[reporter_id])
