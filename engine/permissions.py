"""Who may do what. Every rule about access lives here, for the engine and the web alike."""

from __future__ import annotations

from engine.models import Initiative, Person

#: membership roles that make someone part of the group that runs the initiative
RESIDENT_ROLES = frozenset({"initiator", "member", "partner"})
STAFF_ROLES = frozenset({"coach", "admin"})


def is_staff(person: Person | None) -> bool:
    return person is not None and person.role in STAFF_ROLES


def can_view(initiative: Initiative, person: Person | None, member_role: str | None) -> bool:
    """Public initiatives are open to all; hidden ones to their members and staff."""
    if initiative.visibility == "public":
        return True
    return member_role is not None or is_staff(person)


def can_change(member_role: str | None) -> bool:
    """Only the resident group changes its own process: not coaches, not outsiders."""
    return member_role in RESIDENT_ROLES


def can_manage_members(member_role: str | None) -> bool:
    return member_role == "initiator"


def can_fire(member_role: str | None, allowed_roles: tuple[str, ...]) -> bool:
    return member_role in RESIDENT_ROLES and member_role in allowed_roles


def electorate_roles(rule: str) -> frozenset[str]:
    """The roles in the group that decide by this rule when a decision opens."""
    return frozenset({"initiator"}) if rule == "initiators" else RESIDENT_ROLES


def can_vote(member_role: str | None, is_elector: bool) -> bool:
    """Only someone of the electorate fixed when the decision opened, still in the group."""
    return is_elector and member_role in RESIDENT_ROLES
