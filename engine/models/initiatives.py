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
    and_,
    event,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from engine.db import Base, UTCDateTime
from engine.models.people import Neighbourhood, Person
from engine.models.workflows import WorkflowVersion

MEMBER_ROLES = ("initiator", "member", "partner", "coach")
VISIBILITIES = ("public", "members")
#: open: a resident joins at once; approval: a resident asks and an initiator decides
JOIN_POLICIES = ("open", "approval")
#: the roles a resident may ask for in a join request (initiators are made, not asked for)
REQUESTABLE_ROLES = ("member", "partner")
JOIN_REQUEST_STATUSES = ("pending", "approved", "declined", "withdrawn")

#: :attr:`Initiative.earliest_open_due` when no open step has a due date (sorts after any date)
NO_OPEN_DUE = date(9999, 12, 31)
#: :attr:`Initiative.earliest_respond_by` when no support request waits (sorts after any date)
NO_RESPOND_BY = date(9999, 12, 31)


class Initiative(Base):
    """One resident-led process, e.g. "Wijkvisie Paddepoel"."""

    __tablename__ = "initiatives"
    __table_args__ = (
        CheckConstraint("visibility IN ('public', 'members')", name="visibility"),
        CheckConstraint("join_policy IN ('open', 'approval')", name="join_policy"),
        CheckConstraint("language IN ('nl', 'en')", name="language"),
        # the caseload's "overdue" order and its stalled filter walk these (migration 0018)
        Index("ix_initiatives_open_due", "earliest_open_due", "id"),
        # with the stage (migration 0025): the stalled count reads the index alone
        Index(
            "ix_initiatives_paused_activity",
            "is_paused",
            "last_activity_dt",
            "id",
            "workflow_version_id",
            "state",
        ),  # fmt: skip
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: the language the group writes its title, description, steps and messages in ('nl',
    #: 'en'): pages in the other language mark that content with ``lang``
    language: Mapped[str] = mapped_column(String(5), default="nl", server_default="nl")
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhoods.id"), index=True)
    #: the template version the initiative started on; it never changes
    workflow_version_id: Mapped[int] = mapped_column(ForeignKey("workflow_versions.id"))
    #: the current stage id (the machine's state)
    state: Mapped[str] = mapped_column(String(100))
    #: the residents' changes to the stage graph, canonical JSON ('' = the template's graph)
    graph_key: Mapped[str] = mapped_column(Text, default="")
    #: public (default) or members (hidden until the group is ready to show it)
    visibility: Mapped[str] = mapped_column(String(10), default="public")
    #: approval (default): an initiator decides on each join request; open: join at once
    join_policy: Mapped[str] = mapped_column(String(20), default="approval")
    #: started by a process coach on behalf of residents (the coach is ``created_by``, never a
    #: member); the first resident to accept an invitation becomes its initiator
    is_on_behalf: Mapped[bool] = mapped_column(default=False)
    is_paused: Mapped[bool] = mapped_column(default=False)
    paused_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pause_reason: Mapped[str | None] = mapped_column(Text)
    #: when the current stage was entered
    stage_entered_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: last change of any kind, for stall detection
    last_activity_dt: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: the earliest due date of the open steps (not done, not closed), NO_OPEN_DUE when none
    #: has one: "overdue today" is ``earliest_open_due < today``. Kept by the database itself
    #: (a trigger on steps, migration 0018) at every change of a step; never written here.
    earliest_open_due: Mapped[date] = mapped_column(Date, server_default=NO_OPEN_DUE.isoformat())
    #: the support requests waiting for the municipality's answer, and the earliest respond-by
    #: date among them (NO_RESPOND_BY when none waits): kept by the database (triggers on
    #: support_requests, migration 0025); never written here
    waiting_requests: Mapped[int] = mapped_column(server_default="0")
    earliest_respond_by: Mapped[date] = mapped_column(
        Date, server_default=NO_RESPOND_BY.isoformat()
    )
    #: the names of the initiative's stadsdeel and wijk, kept by the database (migration
    #: 0034's triggers, at every move of the initiative and every rename or move of its wijk or
    #: stadsdeel; never written from Python, and not refreshed on a loaded object): the
    #: caseload's sort by place walks an index on them
    place_district: Mapped[str | None] = mapped_column(String(100))
    place_neighbourhood: Mapped[str | None] = mapped_column(String(100))
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


class JoinRequest(Base):
    """A resident asks to join an initiative's group; an initiator approves or declines."""

    __tablename__ = "join_requests"
    __table_args__ = (
        CheckConstraint("role IN ('member', 'partner')", name="role"),
        CheckConstraint(
            "status IN ('pending', 'approved', 'declined', 'withdrawn')", name="status"
        ),
        # one pending request per person per initiative
        Index(
            "uq_join_requests_pending",
            "initiative_id",
            "person_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    #: the role asked for: member, or partner (for an organisation)
    role: Mapped[str] = mapped_column(String(20))
    organisation: Mapped[str | None] = mapped_column(String(200))
    #: the requester's few words to the initiators (not in the public history)
    message: Mapped[str | None] = mapped_column(Text)
    #: pending → approved, declined or withdrawn
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the initiator who approved or declined (null when withdrawn, or settled by joining)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    #: why it was declined, in the initiator's words
    reason: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])


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
    """A resident-defined task inside a stage: open, done, or closed without being done."""

    __tablename__ = "steps"
    __table_args__ = (
        Index("ix_steps_initiative_stage", "initiative_id", "stage_key"),
        # done and closed-not-done exclude each other
        CheckConstraint("NOT (is_done AND closed_dt IS NOT NULL)", name="done_or_closed"),
    )

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
    #: closed without being done, when the group left its stage and chose not to take it along
    closed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    #: the stage it was last taken along from when the group moved on (null: planned here)
    carried_from: Mapped[str | None] = mapped_column(String(100))
    #: optimistic-concurrency counter of this step: two edits of it cannot both win
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    owner: Mapped[Person | None] = relationship(foreign_keys=[owner_id])

    @property
    def is_closed(self) -> bool:
        return self.closed_dt is not None

    @hybrid_property
    def is_open(self) -> bool:
        """Neither done nor closed: still to do (what the guards and reminders count)."""
        return not self.is_done and self.closed_dt is None

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls) -> ColumnElement[bool]:
        return and_(cls.is_done.is_(False), cls.closed_dt.is_(None))


#: a decision still in play: being voted on, or taken and not yet used by its move
LIVE_DECISION_STATUSES = ("open", "approved")


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
    #: consent: the moment the objection period ends; majority: the moment the vote closes
    #: (both move on by the paused time when the group resumes)
    closes_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: majority: the share of the electorate (percent) that must vote; null: more than half
    quorum: Mapped[int | None]

    votes: Mapped[list[Vote]] = relationship(back_populates="decision", order_by="Vote.id")


class Elector(Base):
    """Someone who decides on a decision: the group as it stood when the decision opened.

    Who joins later is not an elector. An elector who leaves keeps a vote already cast; one
    who left without voting is not counted, and is marked so when the decision closes.
    """

    __tablename__ = "electors"

    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True, index=True)
    #: set when the decision closed while they had left the group without voting
    dropped_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)


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
