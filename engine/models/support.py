"""Support requests, the residents' association, and the coaches' side of an initiative.

Residents ask the municipality for support (a :class:`SupportRequest`); coaches answer within a
number of working days. Coaches are assigned to initiatives or whole stadsdelen
(:class:`CoachAssignment`), write notes the group can read (:class:`CoachNote`) and may flag a
concern (:class:`Concern`). None of this changes the residents' process.
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
from engine.models.initiatives import Event, Step
from engine.models.people import District, Person

REQUEST_KINDS = ("advice", "permit", "funding", "works", "materials", "right_to_challenge")
REQUEST_STATUSES = ("submitted", "acknowledged", "accepted", "declined", "delivered", "withdrawn")
#: requests the municipality still has to act on: answer, or deliver what it accepted
OPEN_REQUEST_STATUSES = ("submitted", "acknowledged", "accepted")
#: requests still waiting for the municipality's answer (accept or decline) by their respond-by;
#: an accepted or declined request is answered (the guard ``support_requests_answered``)
WAITING_STATUSES = ("submitted", "acknowledged")
#: accepted, and not delivered yet (the guard ``support_delivered``)
PROMISED_STATUSES = ("accepted",)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class SupportRequest(Base):
    """Residents ask the municipality for advice, a permit, funding, works or materials."""

    __tablename__ = "support_requests"
    __table_args__ = (
        CheckConstraint(_in("status", REQUEST_STATUSES), name="status"),
        CheckConstraint(_in("kind", REQUEST_KINDS), name="kind"),
        # the caseload counts waiting requests and their earliest respond-by per initiative
        Index(
            "ix_support_requests_initiative_status", "initiative_id", "status", "respond_by_date"
        ),
        # the coaches' inbox: open requests by respond-by
        Index("ix_support_requests_status_respond", "status", "respond_by_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    #: advice, permit, funding, works, materials, right_to_challenge
    kind: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    #: the stage the request belongs to, or null for the initiative as a whole
    stage_key: Mapped[str | None] = mapped_column(String(100))
    #: submitted → acknowledged → accepted → delivered; or declined; or withdrawn by the group
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the municipality answers by this date (working days after filing; null for old rows)
    respond_by_date: Mapped[date | None] = mapped_column(Date)
    #: the coach who looks after the request
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    #: the municipality's words with its answer: what it will do, or why it declines
    answer: Mapped[str | None] = mapped_column(Text)
    #: what the municipality did, once delivered
    delivered_note: Mapped[str | None] = mapped_column(Text)
    #: the residents' reason for withdrawing
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    acknowledged_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: accepted or declined: the moment that counts for "answered on time"
    answered_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the local date of ``answered_dt`` (set with it): on time when not after respond-by
    #: (the kept ``answer_tallies`` count by it, migration 0031)
    answered_on: Mapped[date | None] = mapped_column(Date)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    delivered_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: optimistic-concurrency counter: two coaches answering at once cannot both win
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    requested_by: Mapped[Person] = relationship(foreign_keys=[requested_by_id])
    assigned_to: Mapped[Person | None] = relationship(foreign_keys=[assigned_to_id])

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING_STATUSES

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES


class Association(Base):
    """The residents' association (bewonersvereniging) that takes over maintenance."""

    __tablename__ = "associations"
    __table_args__ = (
        # the shape is checked by engine.maintenance.association; this is the last line
        CheckConstraint("kvk_number IS NULL OR length(kvk_number) = 8", name="kvk_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Chamber of Commerce number, 8 digits, when registered there
    kvk_number: Mapped[str | None] = mapped_column(String(8))
    #: who the municipality talks to; one of the association's members
    contact_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    #: when the group first registered the association here
    registered_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the last change to its name, number, contact, board or members
    updated_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact_person: Mapped[Person | None] = relationship(foreign_keys=[contact_person_id])


class CoachAssignment(Base):
    """A coach looks after one initiative, or every initiative in a stadsdeel."""

    __tablename__ = "coach_assignments"
    __table_args__ = (
        CheckConstraint(
            "(initiative_id IS NULL AND district_id IS NOT NULL) OR "
            "(initiative_id IS NOT NULL AND district_id IS NULL)",
            name="one_target",
        ),
        UniqueConstraint("coach_id", "initiative_id"),
        UniqueConstraint("coach_id", "district_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    coach: Mapped[Person] = relationship(foreign_keys=[coach_id])
    district: Mapped[District | None] = relationship()


class CoachNote(Base):
    """A coach's note on an initiative; the group reads it too (the process is open)."""

    __tablename__ = "coach_notes"
    __table_args__ = (Index("ix_coach_notes_initiative_created", "initiative_id", "created_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    body: Mapped[str] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)

    author: Mapped[Person] = relationship()


class Concern(Base):
    """A coach's flag that an initiative may need a hand; live until a coach clears it."""

    __tablename__ = "concerns"
    __table_args__ = (
        # at most one live concern per initiative; the caseload joins on it
        Index(
            "uq_concerns_live",
            "initiative_id",
            unique=True,
            sqlite_where=text("cleared_dt IS NULL"),
            postgresql_where=text("cleared_dt IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"))
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    #: why the coach is concerned, in words the group can read
    reason: Mapped[str] = mapped_column(Text)
    raised_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    cleared_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    clear_note: Mapped[str | None] = mapped_column(Text)

    raised_by: Mapped[Person] = relationship(foreign_keys=[raised_by_id])


# Indexes the caseload and the city overview need on other concepts' tables; declared here, next
# to the queries' models, and created by migration 0003.
#: open steps past their due date, per initiative
Index(
    "ix_steps_initiative_open_due",
    Step.__table__.c.initiative_id,
    Step.__table__.c.is_done,
    Step.__table__.c.due_date,
)
#: the stage history (time spent per stage): only transitions are indexed
Index(
    "ix_events_transitions",
    Event.__table__.c.initiative_id,
    Event.__table__.c.created_dt,
    sqlite_where=text("kind = 'transition'"),
    postgresql_where=text("kind = 'transition'"),
)
