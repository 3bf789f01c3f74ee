"""Who is told: each a SELECT of one column of person ids, used inside the fan-out's INSERT."""

from __future__ import annotations

from sqlalchemy import Select, false, literal, or_, select, union_all

from engine.models import (
    CoachAssignment,
    Elector,
    Initiative,
    Membership,
    Neighbourhood,
    Person,
    Vote,
)


def person(person_id: int | None) -> Select:
    if person_id is None:
        return nobody()
    return select(literal(person_id))


def nobody() -> Select:
    return select(Person.id).where(false())


def group(initiative_id: int) -> Select:
    """Everyone in the group (initiators, members, partners)."""
    return select(Membership.person_id).where(Membership.initiative_id == initiative_id)


def initiators(initiative_id: int) -> Select:
    return group(initiative_id).where(Membership.role == "initiator")


def electorate(decision_id: int) -> Select:
    """The people who decide, as fixed when the decision opened."""
    return select(Elector.person_id).where(Elector.decision_id == decision_id)


def not_voted(decision_id: int) -> Select:
    """The electorate who have not voted and have not left."""
    voted = select(Vote.person_id).where(Vote.decision_id == decision_id)
    return electorate(decision_id).where(
        Elector.dropped_dt.is_(None), Elector.person_id.not_in(voted)
    )


def coaches(initiative_id: int) -> Select:
    """The coaches looking after the initiative: directly, or for its whole stadsdeel."""
    district = (
        select(Neighbourhood.district_id)
        .join(Initiative, Initiative.neighbourhood_id == Neighbourhood.id)
        .where(Initiative.id == initiative_id)
        .scalar_subquery()
    )
    return (
        select(CoachAssignment.coach_id)
        .join(Person, Person.id == CoachAssignment.coach_id)
        .where(
            or_(
                CoachAssignment.initiative_id == initiative_id,
                CoachAssignment.district_id == district,
            ),
            Person.is_active.is_(True),
        )
    )


def coaches_or_admins(initiative_id: int) -> Select:
    """The area's coaches; when it has none, the admins (someone must hear of it)."""
    admins = select(Person.id).where(Person.role == "admin", ~coaches(initiative_id).exists())
    return select(union_all(coaches(initiative_id), admins).subquery().c[0])
