"""Zelfbeheer: an association, a recurring task with its rota."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Initiative, Person


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
