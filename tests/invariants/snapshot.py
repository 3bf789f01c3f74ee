"""What the database holds about the initiative, read after every operation.

``recorded`` is what a member sees change and the history must explain; ``stored`` adds what
the sweep derives. :func:`row_counts` counts the rows of every table (an insert or delete
anywhere, for the check that a refusal wrote nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.db import Base
from engine.guards import GuardContext
from engine.models import (
    Association,
    AssociationMember,
    Decision,
    Document,
    Event,
    Initiative,
    Invitation,
    MaintenanceAgreement,
    MaintenanceTask,
    Membership,
    Occurrence,
    RotaMember,
    StagePlan,
    Step,
    SupportRequest,
    Vote,
)
from engine.operations.common import load_facts


@dataclass(frozen=True)
class EventRow:
    id: int
    kind: str
    actor_id: int | None
    created_dt: datetime
    from_stage: str | None
    to_stage: str | None
    data: dict[str, Any]

    def mentions(self, key: str, value: int) -> bool:
        """The event names this step, document, person… (``key``) by its id."""
        found = self.data.get(key)
        many = self.data.get(key + "s")
        return found == value or (isinstance(many, list | tuple) and value in many)


@dataclass(frozen=True)
class DecisionRow:
    trigger: str
    rule: str
    status: str
    stage_key: str
    opened_dt: datetime
    closes_dt: datetime | None
    closed_dt: datetime | None

    @property
    def period(self) -> timedelta | None:
        return self.closes_dt - self.opened_dt if self.closes_dt is not None else None


@dataclass
class Snapshot:
    state: str
    graph_key: str
    is_paused: bool
    content_hash: str
    context: GuardContext
    initiative: tuple
    members: dict[int, str]
    steps: dict[int, tuple]
    documents: dict[int, tuple]
    decisions: dict[int, DecisionRow]
    #: vote id → (decision id, person id, choice)
    votes: dict[int, tuple[int, int, str]]
    requests: dict[int, str]
    plans: dict[str, tuple]
    invitations: dict[int, tuple]
    maintenance: dict[str, Any]
    occurrences: dict[int, tuple]
    #: the events written since the snapshot before (read from ``since`` on)
    events: list[EventRow] = field(default_factory=list)
    last_event_id: int = 0

    def recorded(self) -> tuple:
        """What the group's history must explain when it changes (maintenance turns the sweep
        plans and settles are derived, reminders and mail are not the group's facts)."""
        return (
            self.initiative, self.members, self.steps, self.documents,
            {k: (d.status, d.closes_dt) for k, d in self.decisions.items()}, self.votes,
            self.requests, self.plans, self.invitations, self.maintenance,
        )  # fmt: skip

    def stored(self) -> tuple:
        """Everything, for the check that a refused operation changed nothing."""
        return (*self.recorded(), self.occurrences, self.last_event_id)

    def votes_on(self, decision_id: int) -> dict[int, str]:
        return {p: c for d, p, c in self.votes.values() if d == decision_id}

    def residents(self) -> set[int]:
        from engine.permissions import RESIDENT_ROLES

        return {p for p, role in self.members.items() if role in RESIDENT_ROLES}


def _map(session: Session, model: type, *fields: str, where) -> dict:
    """``{first field: (the other fields…)}`` for the rows of ``model`` that match."""
    columns = [getattr(model, f) for f in fields]
    return {r[0]: tuple(r[1:]) for r in session.execute(select(*columns).where(where))}


def _maintenance(session: Session, iid: int) -> tuple[dict[str, Any], dict[int, tuple]]:
    """The association, its board, agreements, tasks and rotas; the turns (read only when an
    association exists: the agreement and the tasks need one)."""
    association = session.scalar(select(Association.id).where(Association.initiative_id == iid))
    if association is None:
        return {"association": {}, "board": {}, "agreements": {}, "tasks": {}, "rota": {}}, {}
    task_ids = select(MaintenanceTask.id).where(MaintenanceTask.initiative_id == iid)
    return {
        "association": _map(
            session, Association, "id", "name", "contact_person_id",
            where=Association.id == association,
        ),
        "board": _map(
            session, AssociationMember, "person_id", "board_role",
            where=AssociationMember.association_id == association,
        ),
        "agreements": _map(
            session, MaintenanceAgreement, "id", "status", "confirmed_dt", "review_date",
            "association_duties", where=MaintenanceAgreement.initiative_id == iid,
        ),
        "tasks": _map(
            session, MaintenanceTask, "id", "title", "rrule", "is_active",
            where=MaintenanceTask.initiative_id == iid,
        ),
        "rota": _map(
            session, RotaMember, "id", "person_id", "is_active", "position",
            where=RotaMember.task_id.in_(task_ids),
        ),
    }, _map(
        session, Occurrence, "id", "task_id", "due_date", "assignee_id", "status",
        where=Occurrence.initiative_id == iid,
    )  # fmt: skip


def row_counts(session: Session) -> dict[str, int]:
    """The number of rows of every table (an insert or delete anywhere shows)."""
    tables = list(Base.metadata.sorted_tables)
    counts = [select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables]
    return dict(session.execute(select(*counts)).one()._mapping)


def take(session: Session, iid: int, since: int = 0) -> Snapshot:
    """Read the initiative now; ``since``: events after this id are read (the new ones)."""
    session.flush()
    facts = load_facts(session, iid, None)
    row = session.execute(
        select(
            Initiative.state, Initiative.graph_key, Initiative.is_paused, Initiative.paused_dt,
            Initiative.version, Initiative.title, Initiative.description, Initiative.visibility,
            Initiative.last_activity_dt,
        ).where(Initiative.id == iid)
    ).one()  # fmt: skip
    decisions = {
        r.id: DecisionRow(
            r.trigger, r.rule, r.status, r.stage_key, r.opened_dt, r.closes_dt, r.closed_dt
        )
        for r in session.execute(
            select(
                Decision.id, Decision.trigger, Decision.rule, Decision.status, Decision.stage_key,
                Decision.opened_dt, Decision.closes_dt, Decision.closed_dt,
            ).where(Decision.initiative_id == iid)
        )
    }  # fmt: skip
    votes = {
        r.id: (r.decision_id, r.person_id, r.choice)
        for r in session.execute(
            select(Vote.id, Vote.decision_id, Vote.person_id, Vote.choice)
            .join(Decision)
            .where(Decision.initiative_id == iid)
        )
    }
    events = [
        EventRow(e.id, e.kind, e.actor_id, e.created_dt, e.from_stage, e.to_stage, e.data or {})
        for e in session.execute(
            select(
                Event.id, Event.kind, Event.actor_id, Event.created_dt, Event.from_stage,
                Event.to_stage, Event.data,
            )
            .where(Event.initiative_id == iid, Event.id > since)
            .order_by(Event.id)
        )
    ]  # fmt: skip
    maintenance, occurrences = _maintenance(session, iid)
    return Snapshot(
        state=row.state,
        graph_key=row.graph_key,
        is_paused=bool(row.is_paused),
        content_hash=facts.content_hash,
        context=facts.context,
        initiative=tuple(row),
        members=dict(
            session.execute(
                select(Membership.person_id, Membership.role).where(Membership.initiative_id == iid)
            ).all()
        ),
        steps=_map(
            session,
            Step,
            "id",
            "stage_key",
            "title",
            "is_done",
            "owner_id",
            "due_date",
            "position",
            where=Step.initiative_id == iid,
        ),
        documents=_map(
            session, Document, "id", "stage_key", "filename", where=Document.initiative_id == iid
        ),
        decisions=decisions,
        votes=votes,
        requests=dict(
            session.execute(
                select(SupportRequest.id, SupportRequest.status).where(
                    SupportRequest.initiative_id == iid
                )
            ).all()
        ),
        plans=_map(
            session,
            StagePlan,
            "stage_key",
            "is_skipped",
            "is_custom",
            "target_date",
            "position",
            where=StagePlan.initiative_id == iid,
        ),
        invitations=_map(
            session,
            Invitation,
            "id",
            "email",
            "role",
            "accepted_by_id",
            where=Invitation.initiative_id == iid,
        ),
        maintenance=maintenance,
        occurrences=occurrences,
        events=events,
        last_event_id=events[-1].id if events else since,
    )
