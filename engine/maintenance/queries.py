"""What the maintenance pages and the initiative page's panel show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from engine.guards import GUARDS, GuardContext
from engine.i18n import Msg
from engine.maintenance.agreement import active_agreement
from engine.maintenance.association import get_association, members_of
from engine.maintenance.occurrences import upcoming
from engine.maintenance.recurrence import parse_rule
from engine.maintenance.roles import managers_of
from engine.maintenance.rota import active_volunteers
from engine.maintenance.wording import describe
from engine.models import (
    Association,
    AssociationMember,
    Initiative,
    MaintenanceAgreement,
    MaintenanceTask,
    Membership,
    Occurrence,
    Person,
    RotaMember,
)
from engine.operations.common import guard_context, machine_for
from engine.permissions import RESIDENT_ROLES


def rule_in_words(task: MaintenanceTask) -> Msg:
    return describe(parse_rule(task.rrule, task.starts_on), task.starts_on)


@dataclass
class TaskView:
    task: MaintenanceTask
    words: Msg
    volunteers: list[RotaMember]
    next_turn: Occurrence | None = None


@dataclass
class Overview:
    initiative: Initiative
    association: Association | None
    members: list[AssociationMember]
    #: what the association still lacks for the hand-over (None: complete)
    missing: Msg | None
    agreement: MaintenanceAgreement | None
    tasks: list[TaskView] = field(default_factory=list)
    upcoming: list[Occurrence] = field(default_factory=list)

    @property
    def board(self) -> list[AssociationMember]:
        return [m for m in self.members if m.board_role]


def tasks_of(session: Session, initiative_id: int, *, active: bool | None = True) -> list:
    query = select(MaintenanceTask).where(MaintenanceTask.initiative_id == initiative_id)
    if active is not None:
        query = query.where(MaintenanceTask.is_active.is_(active))
    return list(session.scalars(query.order_by(MaintenanceTask.id)))


def task_view(session: Session, task: MaintenanceTask, today: date) -> TaskView:
    next_turn = session.scalar(
        select(Occurrence)
        .where(
            Occurrence.task_id == task.id,
            Occurrence.status == "planned",
            Occurrence.due_date >= today,
        )
        .order_by(Occurrence.due_date)
        .limit(1)
    )
    return TaskView(task, rule_in_words(task), active_volunteers(session, task.id), next_turn)


def overview(session: Session, initiative: Initiative, today: date) -> Overview:
    association = get_association(session, initiative.id)
    members = members_of(session, association.id) if association else []
    missing = GUARDS["association_registered"].check(guard_context(session, initiative))
    return Overview(
        initiative=initiative,
        association=association,
        members=members,
        missing=missing,
        agreement=active_agreement(session, initiative.id),
        tasks=[task_view(session, t, today) for t in tasks_of(session, initiative.id)],
        upcoming=upcoming(session, initiative.id, today),
    )


def panel_overview(
    session: Session, initiative: Initiative, *, guards: GuardContext | None = None
) -> Overview | None:
    """What the initiative page's zelfbeheer panel shows: the association, what it still lacks
    and the agreement (its next turns: ``next_turns``); not the members, tasks and turns
    ``overview`` reads for the maintenance pages (a third of the page's work for a group with a
    rota). None while zelfbeheer does not matter to the group (``maintenance_matters``).
    ``guards``: the guard facts the page already loaded (no association among them: none is
    read), else they are loaded here."""
    # the page's guard facts, read moments before, say whether there is one to read
    association = (
        get_association(session, initiative.id)
        if guards is None or guards.association_exists
        else None
    )
    if association is None and not _matters_without_association(session, initiative):
        return None
    if guards is None:
        guards = guard_context(session, initiative)
    return Overview(
        initiative=initiative,
        association=association,
        members=[],
        missing=GUARDS["association_registered"].check(guards),
        agreement=active_agreement(session, initiative.id),
    )


def maintenance_matters(session: Session, initiative: Initiative) -> bool:
    """Whether the initiative page shows the maintenance panel: the group has an association,
    is in a stage of self-management, or its next move asks for an association."""
    if get_association(session, initiative.id) is not None:
        return True
    return _matters_without_association(session, initiative)


def _matters_without_association(session: Session, initiative: Initiative) -> bool:
    defn, pm = machine_for(session, initiative)
    if initiative.state in pm.graph.finals:
        return True
    return any(
        guard.name == "association_registered"
        for t in pm.graph.outgoing(initiative.state)
        for guard in t.guards
    )


def resident_group(session: Session, initiative_id: int) -> list[Person]:
    """The resident group, by name: who may belong to the association."""
    return list(
        session.scalars(
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(
                Membership.initiative_id == initiative_id,
                Membership.role.in_(sorted(RESIDENT_ROLES)),
            )
            .order_by(Person.name, Person.id)
        )
    )


def swap_candidates(
    session: Session, turn: Occurrence, today: date, *, others_only: bool = False
) -> list[Occurrence]:
    """Turns of the same task still to come that a turn can be swapped with; with
    ``others_only``, only turns of someone else (what a volunteer can ask about)."""
    query = (
        select(Occurrence)
        .options(joinedload(Occurrence.assignee))
        .where(
            Occurrence.task_id == turn.task_id,
            Occurrence.status == "planned",
            Occurrence.due_date >= today,
            Occurrence.id != turn.id,
        )
        .order_by(Occurrence.due_date)
        .limit(20)
    )
    if others_only:
        query = query.where(
            Occurrence.assignee_id.is_not(None),
            Occurrence.assignee_id != turn.assignee_id,
        )
    return list(session.scalars(query))


@dataclass(frozen=True)
class Manager:
    """Someone who manages zelfbeheer: their place on the board, and whether they initiated."""

    person: Person
    board_role: str | None
    is_initiator: bool


def managers(session: Session, initiative_id: int) -> list[Manager]:
    """The association's board and the initiators, by name: who to ask."""
    ids = managers_of(session, initiative_id)
    if not ids:
        return []
    places = dict(
        session.execute(
            select(AssociationMember.person_id, AssociationMember.board_role)
            .join(Association, Association.id == AssociationMember.association_id)
            .where(
                Association.initiative_id == initiative_id,
                AssociationMember.person_id.in_(sorted(ids)),
            )
        ).all()
    )
    rows = session.execute(
        select(Person, Membership.role)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.initiative_id == initiative_id, Person.id.in_(sorted(ids)))
        .order_by(Person.name, Person.id)
    ).all()
    return [Manager(p, places.get(p.id), role == "initiator") for p, role in rows]
