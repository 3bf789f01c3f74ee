"""Zelfbeheer: an association, a recurring task with its rota."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import (
    Initiative,
    MaintenanceAgreement,
    MaintenanceTask,
    Occurrence,
    Person,
)


def complete_association(
    session: Session,
    item: Initiative,
    now: datetime,
    *,
    name: str = "Bewonersvereniging Voermanhaven",
    kvk_number: str | None = "41012345",
    members: dict[int, str] | None = None,
):
    """A complete residents' association: every resident member of the initiative joins it,
    the first initiator chairs it and is its contact person."""
    from engine.maintenance.association import save_association
    from engine.models import Membership

    group = session.scalars(
        select(Membership)
        .where(Membership.initiative_id == item.id, Membership.role != "coach")
        .order_by(Membership.id)
    ).all()
    initiator = next(m.person for m in group if m.role == "initiator")
    if members is None:
        members = {m.person_id: "member" for m in group}
        members[initiator.id] = "chair"
    return save_association(
        session, initiator, item.id, name=name, kvk_number=kvk_number,
        contact_person_id=initiator.id, members=members, now=now,
    )  # fmt: skip


def recurring_task(
    session: Session,
    item: Initiative,
    actor: Person,
    now: datetime,
    *,
    title: str = "Plantenbakken water geven",
    rule: str = "FREQ=WEEKLY;BYDAY=SA",
    volunteers: list[int] | None = None,
    starts_on=None,
):
    """A recurring task with a rota (by default everyone in the association, in joining order)."""
    from engine.maintenance.tasks import create_task
    from engine.models import AssociationMember
    from engine.timeutil import local_date

    if volunteers is None:
        volunteers = list(
            session.scalars(
                select(AssociationMember.person_id)
                .join(AssociationMember.person)
                .where(AssociationMember.association_id == _association_id(session, item))
                .order_by(AssociationMember.id)
            )
        )
    return create_task(
        session, actor, item.id, title=title, rule=rule,
        starts_on=starts_on or local_date(now), volunteer_ids=volunteers, now=now,
    )  # fmt: skip


def _association_id(session: Session, item: Initiative) -> int:
    from engine.models import Association

    return session.scalar(select(Association.id).where(Association.initiative_id == item.id))


@dataclass
class MaintenanceGroup:
    """Zelfbeheer with someone in every standing towards it (see :func:`maintenance_group`)."""

    item: Initiative
    #: Anna: started the initiative and chairs the association
    initiator: Person
    #: Bram: the association's secretary, not an initiator
    board: Person
    #: Cor: a plain member of the initiative and of the association
    member: Person
    #: Kees: a resident outside the group
    outsider: Person
    #: Sanne: the municipality's coach of this initiative
    coach: Person
    #: every day from today; the turns go Anna, Bram, Cor, Anna…
    task: MaintenanceTask
    agreement: MaintenanceAgreement

    def turn_of(self, session: Session, who: Person, nth: int = 0) -> Occurrence:
        """Someone's ``nth`` turn still to do (0: the first)."""
        return session.scalars(
            select(Occurrence)
            .where(
                Occurrence.task_id == self.task.id,
                Occurrence.assignee_id == who.id,
                Occurrence.status == "planned",
            )
            .order_by(Occurrence.due_date)
            .offset(nth)
            .limit(1)
        ).one()


def maintenance_group(session: Session, now: datetime) -> MaintenanceGroup:
    """An initiative with a complete association (Anna chair, Bram secretary, Cor member), its
    agreement and a daily task whose rota is Anna, Bram, Cor; Kees outside, Sanne its coach.

    E-mail addresses are unique per call, so it also serves tests that commit."""
    import uuid

    from engine.coach.actions import assign_coach
    from engine.maintenance.agreement import save_agreement
    from engine.operations import join_initiative
    from engine.timeutil import local_date
    from tests.factories.initiatives import initiative
    from tests.factories.people import person

    tag = uuid.uuid4().hex[:8]

    def someone(name: str, role: str = "resident") -> Person:
        email = f"{name.split()[0].lower()}-{tag}@example.nl"
        return person(session, now, name, role=role, email=email)

    anna, bram, cor = someone("Anna de Vries"), someone("Bram Bos"), someone("Cor Dijk")
    kees, sanne = someone("Kees Buiten"), someone("Sanne Visser", "coach")
    item = initiative(session, now, initiator=anna)
    for resident in (bram, cor):
        join_initiative(session, resident, item.id, now)
    assign_coach(session, sanne, coach_id=sanne.id, initiative_id=item.id, now=now)
    complete_association(
        session, item, now, members={anna.id: "chair", bram.id: "secretary", cor.id: "member"}
    )
    agreement = save_agreement(
        session, anna, item.id, association_duties="Water geven en vegen.",
        municipality_duties="Snoeien en bankjes vervangen.", start_date=local_date(now), now=now,
    )  # fmt: skip
    task = recurring_task(
        session, item, anna, now, title="Kade vegen", rule="FREQ=DAILY",
        volunteers=[anna.id, bram.id, cor.id],
    )  # fmt: skip
    return MaintenanceGroup(item, anna, bram, cor, kees, sanne, task, agreement)


def maintenance_state(session: Session, initiative_id: int) -> dict:
    """Everything zelfbeheer holds for an initiative: to check that a refusal changed nothing."""
    from engine.models import (
        Association,
        AssociationMember,
        RotaMember,
        SwapProposal,
    )

    def rows(*columns, where, order) -> list[tuple]:
        return [tuple(r) for r in session.execute(select(*columns).where(where).order_by(order))]

    association = rows(
        Association.name, Association.kvk_number, Association.contact_person_id,
        where=Association.initiative_id == initiative_id, order=Association.id,
    )  # fmt: skip
    tasks = select(MaintenanceTask.id).where(MaintenanceTask.initiative_id == initiative_id)
    return {
        "association": association,
        "members": rows(
            AssociationMember.person_id,
            AssociationMember.board_role,
            where=AssociationMember.association_id.in_(
                select(Association.id).where(Association.initiative_id == initiative_id)
            ),
            order=AssociationMember.person_id,
        ),  # fmt: skip
        "agreements": rows(
            MaintenanceAgreement.association_duties,
            MaintenanceAgreement.municipality_duties,
            MaintenanceAgreement.review_date,
            MaintenanceAgreement.status,
            MaintenanceAgreement.confirmed_dt,
            where=MaintenanceAgreement.initiative_id == initiative_id,
            order=MaintenanceAgreement.id,
        ),  # fmt: skip
        "tasks": rows(
            MaintenanceTask.id,
            MaintenanceTask.title,
            MaintenanceTask.rrule,
            MaintenanceTask.is_active,
            where=MaintenanceTask.initiative_id == initiative_id,
            order=MaintenanceTask.id,
        ),  # fmt: skip
        "rota": rows(
            RotaMember.task_id,
            RotaMember.person_id,
            RotaMember.position,
            RotaMember.is_active,
            where=RotaMember.task_id.in_(tasks),
            order=RotaMember.id,
        ),  # fmt: skip
        "turns": rows(
            Occurrence.id,
            Occurrence.assignee_id,
            Occurrence.status,
            Occurrence.note,
            where=Occurrence.initiative_id == initiative_id,
            order=Occurrence.id,
        ),  # fmt: skip
        "swaps": rows(
            SwapProposal.id,
            SwapProposal.status,
            where=SwapProposal.initiative_id == initiative_id,
            order=SwapProposal.id,
        ),  # fmt: skip
    }
