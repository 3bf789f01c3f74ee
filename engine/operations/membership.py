"""The group is the group: who is in it, how they get in, how they leave or are removed.

Residents join at once only where the initiators chose "open"; otherwise they ask and an
initiator decides (:mod:`engine.operations.join_requests`), or they accept an invitation sent to
their own address (:mod:`engine.operations.invitations`). Staff never become members. An
initiative a process coach started on behalf of residents gets its first initiator when the
first resident comes in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput, NotFound, PermissionDenied, Refused
from engine.i18n import msg
from engine.models import Event, Initiative, JoinRequest, Membership, Person, Step
from engine.notifications import events as notifications
from engine.operations.common import check_version, get_initiative, member_role, record
from engine.permissions import (
    RESIDENT_ROLES,
    can_manage_members,
    can_view,
    may_take_part,
    stands_in,
)
from engine.reminders.planner import PLAN_SOURCES, plan_for

#: a removal's reason, a declined request's reason, a requester's message
MAX_REASON = 1000


def resident_count(session: Session, initiative_id: int) -> int:
    """How many residents (initiators, members, partners) the group has."""
    return session.execute(
        select(func.count()).where(
            Membership.initiative_id == initiative_id,
            Membership.role.in_(sorted(RESIDENT_ROLES)),
        )
    ).scalar_one()


def initiator_count(session: Session, initiative_id: int) -> int:
    return session.execute(
        select(func.count()).where(
            Membership.initiative_id == initiative_id, Membership.role == "initiator"
        )
    ).scalar_one()


def stands_in_for(session: Session, initiative: Initiative, person: Person | None) -> bool:
    """Whether ``person`` is the coach who started the initiative and no resident joined yet."""
    if person is None or not initiative.is_on_behalf or initiative.created_by_id != person.id:
        return False
    return stands_in(initiative, person, resident_count(session, initiative.id))


def waits_for_residents(session: Session, initiative: Initiative) -> bool:
    """Started on behalf of residents, and none has come in yet."""
    return initiative.is_on_behalf and resident_count(session, initiative.id) == 0


def refuse_staff(person: Person) -> None:
    if not may_take_part(person):
        raise PermissionDenied(
            msg("Staff support initiatives; they do not join them as residents.")
        )


def refuse_while_waiting(session: Session, initiative: Initiative) -> None:
    if waits_for_residents(session, initiative):
        raise Refused(
            msg(
                "A process coach started this initiative on behalf of residents and invites "
                "its first members. Ask the coach for an invitation."
            )
        )


def get_visible(session: Session, initiative_id: int, person: Person) -> Initiative:
    """The initiative, unless it is hidden from ``person`` (then it does not exist for them)."""
    initiative = get_initiative(session, initiative_id)
    if not can_view(initiative, person, member_role(session, initiative.id, person.id)):
        raise NotFound(msg("This initiative does not exist."))
    return initiative


def was_removed(session: Session, initiative_id: int, person_id: int) -> bool:
    """Whether the person's last way out of the group was a removal (not followed by a
    return): they come back only through an initiator's yes or an invitation."""
    removed = False
    for kind, actor_id, data in session.execute(
        select(Event.kind, Event.actor_id, Event.data)
        .where(
            Event.initiative_id == initiative_id,
            Event.kind.in_(("member.removed", "joined", "join.approved")),
        )
        .order_by(Event.created_dt, Event.id)
    ):
        subject = actor_id if kind == "joined" else (data or {}).get("person")
        if subject == person_id:
            removed = kind == "member.removed"
    return removed


def _membership(session: Session, initiative_id: int, person_id: int) -> Membership | None:
    return session.scalar(
        select(Membership).where(
            Membership.initiative_id == initiative_id, Membership.person_id == person_id
        )
    )


def _settle_pending(
    session: Session, initiative_id: int, person_id: int, now: datetime
) -> int | None:
    """A pending request of someone who came in another way is settled by their coming in."""
    pending = session.scalar(
        select(JoinRequest).where(
            JoinRequest.initiative_id == initiative_id,
            JoinRequest.person_id == person_id,
            JoinRequest.status == "pending",
        )
    )
    if pending is None:
        return None
    pending.status, pending.decided_dt = "approved", now
    return pending.id


def admit(
    session: Session,
    initiative: Initiative,
    person: Person,
    role: str,
    now: datetime,
    *,
    organisation: str | None = None,
    actor: Person | None = None,
    **data: Any,
) -> Membership:
    """Make ``person`` a resident member of the group: the one way in for every path.

    Without ``actor`` the person came in themselves (``joined``), else ``actor`` — an
    initiator — let them in (``join.approved``). The first resident of an initiative started
    on behalf of residents becomes its initiator, whatever role they were asked in with.
    """
    refuse_staff(person)
    if member_role(session, initiative.id, person.id) is not None:
        raise Refused(msg("You are already a member of this initiative."))
    if waits_for_residents(session, initiative):
        role, organisation, data["handover"] = "initiator", None, True
    request_id = _settle_pending(session, initiative.id, person.id, now)
    if request_id is not None and "request" not in data:
        data["request"] = request_id
    membership = Membership(
        initiative_id=initiative.id,
        person_id=person.id,
        role=role,
        organisation=organisation if role == "partner" else None,
        joined_dt=now,
    )
    session.add(membership)
    if actor is None:
        record(session, initiative, person, now, "joined", role=role, **data)
    else:
        record(
            session, initiative, actor, now, "join.approved", person=person.id, role=role, **data
        )
    session.flush()
    notifications.member_joined(session, membership, person, actor, now)
    return membership


def join_initiative(
    session: Session,
    actor: Person,
    initiative_id: int,
    now: datetime,
    *,
    expected_version: int | None = None,
) -> Membership:
    """Join a group that lets everyone in at once (join policy "open") as a member."""
    initiative = get_visible(session, initiative_id, actor)
    refuse_staff(actor)
    if member_role(session, initiative.id, actor.id) is not None:
        raise Refused(msg("You are already a member of this initiative."))
    check_version(initiative, expected_version)
    refuse_while_waiting(session, initiative)
    if initiative.join_policy != "open":
        raise Refused(msg("The initiators of this group decide who joins. Ask to join instead."))
    if was_removed(session, initiative.id, actor.id):
        raise Refused(
            msg("You were removed from this group. Ask to join again: an initiator decides.")
        )
    return admit(session, initiative, actor, "member", now)


def _unown_open_steps(session: Session, initiative: Initiative, person_id: int) -> list[int]:
    """Open steps of someone leaving the group lose their owner (the group sees them again)."""
    steps = list(
        session.scalars(
            select(Step)
            .where(
                Step.initiative_id == initiative.id,
                Step.owner_id == person_id,
                Step.is_done.is_(False),
            )
            .order_by(Step.id)
        )
    )
    for step in steps:
        step.owner_id = None
    return [step.id for step in steps]


def _take_out(
    session: Session,
    initiative: Initiative,
    membership: Membership,
    actor: Person,
    now: datetime,
    kind: str,
    *,
    note: str | None = None,
    **data: Any,
) -> None:
    """Delete a membership, free the person's open steps, and say both in the history."""
    person_id = membership.person_id
    steps = _unown_open_steps(session, initiative, person_id)
    session.delete(membership)
    record(session, initiative, actor, now, kind, note=note, **data)
    notifications.member_left(session, initiative.id, person_id, actor, now)
    if steps:
        record(session, initiative, actor, now, "steps.unowned", person=person_id, steps=steps)
    session.flush()
    if steps:  # reminders of those steps go to the whole group now
        plan_for(session, initiative.id, now, sources=PLAN_SOURCES)


def leave_initiative(
    session: Session,
    actor: Person,
    initiative_id: int,
    now: datetime,
    *,
    expected_version: int | None = None,
) -> None:
    """Leave the group; the only initiator first hands over to another member."""
    initiative = get_initiative(session, initiative_id)
    membership = _membership(session, initiative.id, actor.id)
    if membership is None or membership.role not in RESIDENT_ROLES:
        raise Refused(msg("You are not a member of this initiative."))
    check_version(initiative, expected_version)
    if membership.role == "initiator" and initiator_count(session, initiative.id) == 1:
        raise Refused(
            msg("You are the only initiator. Make another member initiator before you leave.")
        )
    _take_out(session, initiative, membership, actor, now, "left", role=membership.role)


def remove_member(
    session: Session,
    actor: Person,
    initiative_id: int,
    person_id: int,
    now: datetime,
    *,
    reason: str,
    expected_version: int | None = None,
) -> None:
    """An initiator takes someone out of the group, saying why (the history keeps it)."""
    initiative = get_initiative(session, initiative_id)
    if not can_manage_members(member_role(session, initiative.id, actor.id)):
        raise PermissionDenied(msg("Only initiators can remove someone from the group."))
    membership = _membership(session, initiative.id, person_id)
    if membership is None or membership.role not in RESIDENT_ROLES:
        raise NotFound(msg("This person is not a member of this initiative."))
    if person_id == actor.id:
        raise Refused(msg("You cannot remove yourself. Leave the group instead."))
    reason = " ".join((reason or "").split())
    if len(reason) < 3:
        raise InvalidInput(
            msg("Say in a few words why, for the person and the group's history."),
            field="reason",
        )
    if len(reason) > MAX_REASON:
        raise InvalidInput(msg("Write at most 1,000 characters."), field="reason")
    check_version(initiative, expected_version)
    if membership.role == "initiator" and initiator_count(session, initiative.id) == 1:
        raise Refused(msg("An initiative keeps at least one initiator."))
    _take_out(
        session, initiative, membership, actor, now, "member.removed",
        note=reason, person=person_id, role=membership.role,
    )  # fmt: skip


def change_member_role(
    session: Session,
    actor: Person,
    initiative_id: int,
    person_id: int,
    role: str,
    now: datetime,
    *,
    organisation: str | None = None,
    expected_version: int | None = None,
) -> Membership:
    """Initiators give members another role in the group (a partner stands for an organisation)."""
    initiative = get_initiative(session, initiative_id)
    if not can_manage_members(member_role(session, initiative.id, actor.id)):
        raise PermissionDenied(msg("Only initiators can change the roles in the group."))
    check_version(initiative, expected_version)
    if role not in RESIDENT_ROLES:
        raise InvalidInput(msg("Choose a role: initiator, member or partner."), field="role")
    membership = _membership(session, initiative.id, person_id)
    if membership is None or membership.role not in RESIDENT_ROLES:
        raise NotFound(msg("This person is not a member of this initiative."))
    if membership.role == "initiator" and role != "initiator":
        if initiator_count(session, initiative.id) == 1:
            raise Refused(msg("An initiative keeps at least one initiator."))
    if role == "partner":
        organisation = (organisation or membership.organisation or "").strip()
        if not organisation:
            raise InvalidInput(
                msg("Say which organisation the partner stands for."), field="organisation"
            )
        membership.organisation = organisation[:200]
    else:
        membership.organisation = None
    old, membership.role = membership.role, role
    record(session, initiative, actor, now, "role", person=person_id, old=old, new=role)
    session.flush()
    return membership
