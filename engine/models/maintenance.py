"""Zelfbeheer: the association's members, the agreement, tasks, rota and log.

The association itself (name, KvK number, contact person) lives in ``engine.models.support``
because guards have read it since the start; everything that keeps the result maintained is
here. Occurrences are rows with a due date, materialised ahead by the sweeper.
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

#: roles on the association's board; a plain member has none
BOARD_ROLES = ("chair", "secretary", "treasurer", "board")
AGREEMENT_STATUSES = ("active", "ended")
#: planned → done, missed or skipped; cancelled when the task or agreement ended first
OCCURRENCE_STATUSES = ("planned", "done", "missed", "skipped", "cancelled")
#: pending → accepted or declined by the one asked, withdrawn by the one who asked, or expired
#: when a turn went by, was recorded or changed hands some other way
SWAP_STATUSES = ("pending", "accepted", "declined", "withdrawn", "expired")


class AssociationMember(Base):
    """A member of the initiative who belongs to the residents' association."""

    __tablename__ = "association_members"
    __table_args__ = (
        UniqueConstraint("association_id", "person_id"),
        CheckConstraint(
            "board_role IS NULL OR board_role IN ('chair', 'secretary', 'treasurer', 'board')",
            name="board_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    #: chair, secretary, treasurer or board (member of the board); null for a plain member
    board_role: Mapped[str | None] = mapped_column(String(20))
    joined_dt: Mapped[datetime] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship(lazy="joined", innerjoin=True)


class MaintenanceAgreement(Base):
    """What the association takes on and what the municipality keeps doing (beheerafspraak)."""

    __tablename__ = "maintenance_agreements"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'ended')", name="status"),
        # at most one agreement in force per initiative; ended ones stay as history
        Index(
            "uq_maintenance_agreements_active",
            "initiative_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"))
    #: what the association takes on, in the residents' own words
    association_duties: Mapped[str] = mapped_column(Text)
    #: what the municipality keeps doing (owner of the land, major maintenance…)
    municipality_duties: Mapped[str] = mapped_column(Text)
    start_date: Mapped[date] = mapped_column(Date)
    #: the next review with the municipality (a year after the start by default)
    review_date: Mapped[date] = mapped_column(Date, index=True)
    #: active or ended
    status: Mapped[str] = mapped_column(String(10), default="active")
    last_reviewed_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    #: a coach confirmed the agreement for the municipality (cleared when the terms change)
    confirmed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime)

    confirmed_by: Mapped[Person | None] = relationship(foreign_keys=[confirmed_by_id])


class MaintenanceTask(Base):
    """A recurring task, e.g. "water the planters every week from May to September"."""

    __tablename__ = "maintenance_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: an RFC 5545 RRULE value without DTSTART, e.g. ``FREQ=MONTHLY;BYDAY=1MO``
    rrule: Mapped[str] = mapped_column(String(500))
    #: the rule's DTSTART: occurrences are counted from this date
    starts_on: Mapped[date] = mapped_column(Date)
    is_active: Mapped[bool] = mapped_column(default=True)
    ended_on: Mapped[date | None] = mapped_column(Date)
    #: occurrences exist up to and including this date (the sweeper's bookmark)
    materialised_until: Mapped[date | None] = mapped_column(Date, index=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    #: optimistic-concurrency counter of the task and its rota: two edits cannot both win
    #: (the sweeper's bookmark ``materialised_until`` is written around it)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    rota: Mapped[list[RotaMember]] = relationship(
        back_populates="task", order_by="RotaMember.position"
    )


class RotaMember(Base):
    """A volunteer on a task's rota; turns go round in ``position`` order."""

    __tablename__ = "maintenance_rota_members"
    __table_args__ = (UniqueConstraint("task_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("maintenance_tasks.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    #: order of the turns (never renumbered: a volunteer who returns goes to the end)
    position: Mapped[int]
    #: false once the volunteer stepped out (the row stays for the log)
    is_active: Mapped[bool] = mapped_column(default=True)
    joined_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    left_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    task: Mapped[MaintenanceTask] = relationship(back_populates="rota")
    person: Mapped[Person] = relationship(lazy="joined", innerjoin=True)


class Occurrence(Base):
    """One turn of a task on one date, assigned to a volunteer; the log is made of these."""

    __tablename__ = "maintenance_occurrences"
    __table_args__ = (
        UniqueConstraint("task_id", "due_date"),
        CheckConstraint(
            "status IN ('planned', 'done', 'missed', 'skipped', 'cancelled')", name="status"
        ),
        Index("ix_maintenance_occurrences_initiative_due", "initiative_id", "due_date"),
        # the sweeper and the reminders look only at open turns
        Index(
            "ix_maintenance_occurrences_planned",
            "due_date",
            sqlite_where=text("status = 'planned'"),
            postgresql_where=text("status = 'planned'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("maintenance_tasks.id"))
    #: the task's initiative, kept here so pages and signals need no join
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"))
    due_date: Mapped[date] = mapped_column(Date)
    #: whose turn it is; null when nobody is on the rota
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="planned")
    #: a short note: what was done, or why not
    note: Mapped[str | None] = mapped_column(Text)
    resolved_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: who recorded the outcome; null when the sweeper marked it missed
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)

    task: Mapped[MaintenanceTask] = relationship()
    assignee: Mapped[Person | None] = relationship(foreign_keys=[assignee_id])
    resolved_by: Mapped[Person | None] = relationship(foreign_keys=[resolved_by_id])


class SwapProposal(Base):
    """A volunteer asks another to swap turns, or to take a turn over; the other answers.

    Nothing changes hands until the one asked accepts. ``other_occurrence_id`` is the turn of
    the one asked that the asker takes in return; empty when they are asked to take the turn
    over.
    """

    __tablename__ = "maintenance_swaps"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'withdrawn', 'expired')", name="status"
        ),
        CheckConstraint("proposer_id <> recipient_id", name="two_people"),
        CheckConstraint(
            "other_occurrence_id IS NULL OR other_occurrence_id <> occurrence_id", name="two_turns"
        ),
        # one open question per turn: the asker withdraws it before asking someone else
        Index(
            "uq_maintenance_swaps_pending",
            "occurrence_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        # the pages and the sweeper look only at open questions
        Index(
            "ix_maintenance_swaps_pending",
            "initiative_id",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"))
    task_id: Mapped[int] = mapped_column(ForeignKey("maintenance_tasks.id"))
    #: the asker's turn
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("maintenance_occurrences.id"))
    #: the turn of the one asked, taken in return; null: they are asked to take the turn over
    other_occurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("maintenance_occurrences.id")
    )
    proposer_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    #: pending, accepted, declined, withdrawn or expired
    status: Mapped[str] = mapped_column(String(10), default="pending")
    #: a short word from the asker ("I am away that weekend")
    note: Mapped[str | None] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: when it was answered, withdrawn or expired
    closed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    task: Mapped[MaintenanceTask] = relationship()
    occurrence: Mapped[Occurrence] = relationship(foreign_keys=[occurrence_id])
    other_occurrence: Mapped[Occurrence | None] = relationship(foreign_keys=[other_occurrence_id])
    proposer: Mapped[Person] = relationship(foreign_keys=[proposer_id])
    recipient: Mapped[Person] = relationship(foreign_keys=[recipient_id])
