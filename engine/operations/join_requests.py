"""Asking to join: a resident asks, an initiator approves or declines, or the resident withdraws.

One pending request per person per initiative (a partial unique index holds it, also against
two clicks at once). Someone declined or removed may ask again. Every step is in the history;
the requester's own message is for the initiators only and stays out of it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.errors import InvalidInput, NotFound, PermissionDenied, Refused, lost_race
from engine.i18n import msg
from engine.models import Initiative, JoinRequest, Membership, Person
from engine.models.initiatives import REQUESTABLE_ROLES
from engine.notifications import events as notifications
from engine.operations.common import check_version, get_initiative, member_role, record
from engine.operations.membership import (
    MAX_REASON,
    admit,
    get_visible,
    refuse_staff,
    refuse_while_waiting,
)
from engine.permissions import can_manage_members


def pending_request(session: Session, initiative_id: int, person_id: int) -> JoinRequest | None:
    return session.scalar(
        select(JoinRequest).where(
            JoinRequest.initiative_id == initiative_id,
            JoinRequest.person_id == person_id,
            JoinRequest.status == "pending",
        )
    )


def _clean_text(text: str | None, field: str) -> str | None:
    text = (text or "").strip()
    if len(text) > MAX_REASON:
        raise InvalidInput(msg("Write at most 1,000 characters."), field=field)
    return text or None


def request_to_join(
    session: Session,
    actor: Person,
    initiative_id: int,
    now: datetime,
    *,
    role: str = "member",
    organisation: str | None = None,
    message: str | None = None,
) -> JoinRequest:
    """Ask the initiators to let you into the group, as a member or as a partner."""
    initiative = get_visible(session, initiative_id, actor)
    refuse_staff(actor)
    if member_role(session, initiative.id, actor.id) is not None:
        raise Refused(msg("You are already a member of this initiative."))
    refuse_while_waiting(session, initiative)
    if role not in REQUESTABLE_ROLES:
        raise InvalidInput(msg("Choose a role: member or partner."), field="role")
    organisation = " ".join((organisation or "").split())[:200] or None
    if role == "partner" and organisation is None:
        raise InvalidInput(
            msg("Say which organisation the partner stands for."), field="organisation"
        )
    message = _clean_text(message, "message")
    if pending_request(session, initiative.id, actor.id) is not None:
        raise Refused(msg("You already asked to join this initiative. An initiator will answer."))
    request = JoinRequest(
        initiative_id=initiative.id,
        person_id=actor.id,
        role=role,
        organisation=organisation if role == "partner" else None,
        message=message,
        status="pending",
        created_dt=now,
    )
    try:
        with session.begin_nested():
            session.add(request)
            session.flush()
    except IntegrityError as exc:  # the same person asked at the same moment, in another tab
        raise lost_race() from exc
    record(session, initiative, actor, now, "join.requested", request=request.id, role=role)
    notifications.join_requested(session, request, actor, now)
    session.flush()
    return request


def _decidable(
    session: Session, actor: Person, initiative_id: int, request_id: int
) -> tuple[Initiative, JoinRequest]:
    initiative = get_initiative(session, initiative_id)
    if not can_manage_members(member_role(session, initiative.id, actor.id)):
        raise PermissionDenied(msg("Only initiators decide who joins the group."))
    request = session.get(JoinRequest, request_id)
    # a request of another initiative does not exist here
    if request is None or request.initiative_id != initiative.id:
        raise NotFound(msg("This request to join does not exist."))
    if request.status != "pending":
        raise Refused(msg("This request has been answered or withdrawn already."))
    return initiative, request


def approve_join_request(
    session: Session,
    actor: Person,
    initiative_id: int,
    request_id: int,
    now: datetime,
    *,
    expected_version: int | None = None,
) -> Membership:
    """Let the requester in, in the role they asked for."""
    initiative, request = _decidable(session, actor, initiative_id, request_id)
    check_version(initiative, expected_version)
    refuse_staff(request.person)  # an account can become staff while its request waits
    if member_role(session, initiative.id, request.person_id) is not None:
        raise Refused(msg("This person is already a member of this initiative."))
    request.status, request.decided_dt, request.decided_by_id = "approved", now, actor.id
    membership = admit(
        session, initiative, request.person, request.role, now,
        organisation=request.organisation, actor=actor, request=request.id,
    )  # fmt: skip
    notifications.join_answered(session, request, actor, now)
    return membership


def decline_join_request(
    session: Session,
    actor: Person,
    initiative_id: int,
    request_id: int,
    now: datetime,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
) -> JoinRequest:
    """Say no to a request, with a reason if you like; the requester may ask again later."""
    initiative, request = _decidable(session, actor, initiative_id, request_id)
    reason = _clean_text(reason, "reason")
    check_version(initiative, expected_version)
    request.status, request.decided_dt, request.decided_by_id = "declined", now, actor.id
    request.reason = reason
    record(
        session, initiative, actor, now, "join.declined",
        note=reason, person=request.person_id, request=request.id,
    )  # fmt: skip
    notifications.join_answered(session, request, actor, now)
    session.flush()
    return request


def withdraw_join_request(
    session: Session, actor: Person, initiative_id: int, now: datetime
) -> JoinRequest:
    """Take back your own pending request."""
    initiative = get_initiative(session, initiative_id)
    request = pending_request(session, initiative.id, actor.id)
    if request is None:
        raise Refused(msg("You have no open request to join this initiative."))
    request.status, request.decided_dt = "withdrawn", now
    record(session, initiative, actor, now, "join.withdrawn", request=request.id)
    session.flush()
    return request
