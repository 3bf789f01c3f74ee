"""Initiatives, their members, their process plan, decisions and history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime
from engine.models.people import Neighbourhood, Person
from engine.models.workflows import WorkflowVersion

MEMBER_ROLES = ("initiator", "member", "partner", "coach")
VISIBILITIES = ("public", "members")


class Initiative(Base):
    """One resident-led process, e.g. "Wijkvisie Paddepoel"."""

    __tablename__ = "initiatives"
    __table_args__ = (CheckConstraint("visibility IN ('public', 'members')", name="visibility"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhoods.id"), index=True)
    #: the template version the initiative started on; it never changes
    workflow_version_id: Mapped[int] = mapped_column(ForeignKey("workflow_versions.id"))
    #: the current stage id (the machine's state)
    state: Mapped[str] = mapped_column(String(100))
    #: the residents' changes to the stage graph, canonical JSON ('' = the template's graph)
    graph_key: Mapped[str] = mapped_column(Text, default="")
    #: public (default) or members (hidden until the group is ready to show it)
    visibility: Mapped[str] = mapped_column(String(10), default="public")
    is_paused: Mapped[bool] = mapped_column(default=False)
    paused_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pause_reason: Mapped[str | None] = mapped_column(Text)
    #: when the current stage was entered
    stage_entered_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: last change of any kind, for stall detection
    last_activity_dt: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    #: optimistic-concurrency counter of the initiative's own state (title, stage, stage graph,
    #: pause, group, decisions): each such change bumps it, a stale writer fails. Steps,
    #: documents and maintenance tasks have their own counters and leave this one alone.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    neighbourhood: Mapped[Neighbourhood] = relationship()
    workflow_version: Mapped[WorkflowVersion] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="initiative", order_by="Membership.id"
    )
    stage_plans: Mapped[list[StagePlan]] = relationship(
        back_populates="initiative", order_by="StagePlan.position"
    )

    def __repr__(self) -> str:
        return f"<Initiative {self.id} {self.title!r} @{self.state}>"


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("initiative_id", "person_id"),
        CheckConstraint("role IN ('initiator', 'member', 'partner', 'coach')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    #: initiator, member, partner (a school, a business…) or coach
    role: Mapped[str] = mapped_column(String(20))
    #: for partners: the organisation they stand for
    organisation: Mapped[str | None] = mapped_column(String(200))
    joined_dt: Mapped[datetime] = mapped_column(UTCDateTime)

    initiative: Mapped[Initiative] = relationship(back_populates="memberships")
    person: Mapped[Person] = relationship(lazy="joined", innerjoin=True)


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    organisation: Mapped[str | None] = mapped_column(String(200))
    #: secret in the invitation link
    token: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    initiative: Mapped[Initiative] = relationship()


class StagePlan(Base):
    """An initiative's own plan for one stage: template stage or one the residents inserted."""

    __tablename__ = "stage_plans"
    __table_args__ = (UniqueConstraint("initiative_id", "stage_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    #: the stage id in the (possibly changed) graph
    stage_key: Mapped[str] = mapped_column(String(100))
    #: order on the path, 0-based
    position: Mapped[int]
    #: inserted by the residents (title and description are theirs, not the template's)
    is_custom: Mapped[bool] = mapped_column(default=False)
    custom_title: Mapped[str | None] = mapped_column(String(200))
    custom_description: Mapped[str | None] = mapped_column(Text)
    #: for a custom stage: the stage it follows
    inserted_after: Mapped[str | None] = mapped_column(String(100))
    is_skipped: Mapped[bool] = mapped_column(default=False)
    #: the date the group aims to finish this stage by
    target_date: Mapped[date | None] = mapped_column(Date)

    initiative: Mapped[Initiative] = relationship(back_populates="stage_plans")


class Step(Base):
    """A resident-defined task inside a stage."""

    __tablename__ = "steps"
    __table_args__ = (Index("ix_steps_initiative_stage", "initiative_id", "stage_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"))
    stage_key: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    due_date: Mapped[date | None] = mapped_column(Date)
    position: Mapped[int]
    is_done: Mapped[bool] = mapped_column(default=False)
    done_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: optimistic-concurrency counter of this step: two edits of it cannot both win
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    owner: Mapped[Person | None] = relationship(foreign_keys=[owner_id])


class Decision(Base):
    """A group decision that a transition's rule requires before it may fire."""

    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'approved', 'rejected', 'used', 'cancelled')", name="status"
        ),
        # at most one live decision per transition of an initiative
        Index(
            "uq_decisions_live",
            "initiative_id",
            "trigger",
            unique=True,
            sqlite_where=text("status IN ('open', 'approved')"),
            postgresql_where=text("status IN ('open', 'approved')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    trigger: Mapped[str] = mapped_column(String(100))
    #: the stage the decision was opened in
    stage_key: Mapped[str] = mapped_column(String(100))
    #: initiators, majority or consent
    rule: Mapped[str] = mapped_column(String(20))
    #: open → approved/rejected → used (when the transition fired) or cancelled
    status: Mapped[str] = mapped_column(String(20), default="open")
    question: Mapped[str] = mapped_column(Text, default="")
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    opened_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: consent: the moment the objection period ends
    closes_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    votes: Mapped[list[Vote]] = relationship(back_populates="decision", order_by="Vote.id")


class Vote(Base):
    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("decision_id", "person_id"),
        CheckConstraint("choice IN ('for', 'against', 'object')", name="choice"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    #: for, against, or object (consent)
    choice: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(Text)
    cast_dt: Mapped[datetime] = mapped_column(UTCDateTime)

    decision: Mapped[Decision] = relationship(back_populates="votes")
    person: Mapped[Person] = relationship()


class Document(Base):
    """A file attached to an initiative or one of its stages."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    #: the stage it belongs to, or null for the initiative as a whole
    stage_key: Mapped[str | None] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    #: path relative to the upload folder
    storage_name: Mapped[str] = mapped_column(String(255), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: optimistic-concurrency counter of this document
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Event(Base):
    """One entry of an initiative's append-only history."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_initiative_created", "initiative_id", "created_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"))
    #: who did it; null for the system (e.g. a consent period that ended)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: what happened, e.g. ``transition``, ``step.added``, ``paused``
    kind: Mapped[str] = mapped_column(String(50))
    from_stage: Mapped[str | None] = mapped_column(String(100))
    to_stage: Mapped[str | None] = mapped_column(String(100))
    #: the actor's own words
    note: Mapped[str | None] = mapped_column(Text)
    #: details (ids, old and new values)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[Person | None] = relationship()


@event.listens_for(Event, "before_update")
@event.listens_for(Event, "before_delete")
def _history_is_append_only(_mapper, _connection, target: Event) -> None:
    raise RuntimeError(f"event {target.id} is history: it cannot be changed or deleted")
