"""Who manages zelfbeheer, read from the database: the rules themselves are engine.permissions.

A person's standing is two facts read in one query: their role in the initiative's group and
their place on the association's board (if any). The association must always keep someone who
can manage it: :func:`managers_after` tells an operation who would be left.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import PermissionDenied
from engine.i18n import msg
from engine.models import Association, AssociationMember, Initiative, Membership, Person
from engine.permissions import (
    RESIDENT_ROLES,
    can_ask_swap,
    can_found_association,
    can_handle_turn,
    can_manage_maintenance,
)


@dataclass(frozen=True, slots=True)
class Standing:
    """A person's role in the group and their place on the association's board."""

    member_role: str | None = None
    board_role: str | None = None

    @property
    def manages(self) -> bool:
        return can_manage_maintenance(self.member_role, self.board_role)

    def handles_turn(self, own: bool) -> bool:
        return can_handle_turn(self.member_role, self.board_role, own)

    def asks_swap(self, own: bool) -> bool:
        return can_ask_swap(self.member_role, own)


def _board_place(initiative_id: int, person_id: int):
    return (
        select(AssociationMember.board_role)
        .join(Association, Association.id == AssociationMember.association_id)
        .where(Association.initiative_id == initiative_id, AssociationMember.person_id == person_id)
        .scalar_subquery()
    )


def standing(session: Session, initiative_id: int, person: Person | None) -> Standing:
    """A person's standing in an initiative's zelfbeheer (nobody's, for a visitor)."""
    if person is None:
        return Standing()
    row = session.execute(
        select(Membership.role, _board_place(initiative_id, person.id)).where(
            Membership.initiative_id == initiative_id, Membership.person_id == person.id
        )
    ).first()
    return Standing(row[0], row[1]) if row is not None else Standing()


def may_manage(session: Session, initiative: Initiative, person: Person | None) -> bool:
    return standing(session, initiative.id, person).manages


# the refusals, shown by the engine's operations and by the pages that check first
MANAGERS_ONLY = msg(
    "Only the association's board and the initiators manage the association, the agreement, "
    "the tasks and the rota."
)
NOT_YOUR_TURN = msg(
    "This is not your turn. The one whose turn it is records it, or the association's board "
    "or an initiator."
)
OWN_ROTA_PLACE = msg(
    "You can step out of a rota yourself; only the association's board and the initiators "
    "take someone else off it."
)
OWN_TURN_SWAP = msg(
    "You can only ask to swap your own turn. The association's board and the initiators "
    "change other turns."
)


def require_manager(session: Session, initiative: Initiative, actor: Person) -> Standing:
    """The actor's standing, or a refusal if they do not manage zelfbeheer."""
    found = standing(session, initiative.id, actor)
    if not found.manages:
        raise PermissionDenied(MANAGERS_ONLY)
    return found


FOUNDERS_ONLY = msg(
    "Only the initiators register the residents' association and choose its first board."
)


def require_founder(session: Session, initiative: Initiative, actor: Person) -> Standing:
    """Registering the association (and its first board) is for the initiators."""
    found = standing(session, initiative.id, actor)
    if not can_found_association(found.member_role):
        raise PermissionDenied(FOUNDERS_ONLY)
    return found


def initiators_of(session: Session, initiative_id: int) -> set[int]:
    return set(
        session.scalars(
            select(Membership.person_id).where(
                Membership.initiative_id == initiative_id, Membership.role == "initiator"
            )
        )
    )


def managers_after(session: Session, initiative_id: int, board: Collection[int]) -> set[int]:
    """Who could manage the association with this board: the initiators and the board members
    who are still in the resident group."""
    residents = set(
        session.scalars(
            select(Membership.person_id).where(
                Membership.initiative_id == initiative_id,
                Membership.person_id.in_(list(board)),
                Membership.role.in_(sorted(RESIDENT_ROLES)),
            )
        )
    )
    return initiators_of(session, initiative_id) | residents


def managers_of(session: Session, initiative_id: int) -> set[int]:
    """Who manages the association now (for another operation that would remove someone)."""
    board = session.scalars(
        select(AssociationMember.person_id)
        .join(Association, Association.id == AssociationMember.association_id)
        .where(
            Association.initiative_id == initiative_id, AssociationMember.board_role.is_not(None)
        )
    )
    return managers_after(session, initiative_id, list(board))
