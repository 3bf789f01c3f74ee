"""Support requests: the group asks, the municipality answers by a respond-by date.

Members of an initiative file and withdraw requests; coaches (staff) acknowledge, accept or
decline with a reason, assign them to a colleague and mark them delivered. Every change is an
event in the initiative's history, with the reason in the event's note, so the group sees it.

A coach's answer is history, not a change to the residents' process (see
:func:`engine.coach.common.record_staff_event`). Two coaches acting on one request at once are
kept apart by the request's own version.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import overload

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.coach.common import MAX_TEXT, record_staff_event, require_staff
from engine.config import Config, config_of
from engine.errors import Conflict, InvalidInput, NotFound, Refused
from engine.i18n import Msg, msg
from engine.models import Person, StagePlan, SupportRequest
from engine.models.support import OPEN_REQUEST_STATUSES, REQUEST_KINDS, WAITING_STATUSES
from engine.notifications import events as notifications
from engine.operations.common import lock_initiative, record_detail, require_change
from engine.permissions import is_staff
from engine.timeutil import local_date
from engine.wording import SUPPORT_KINDS
from engine.workdays import add_working_days

log = logging.getLogger(__name__)


assert set(SUPPORT_KINDS) == set(REQUEST_KINDS)


def get_support_request(
    session: Session, request_id: int, initiative_id: int | None = None
) -> SupportRequest:
    """The request, or NotFound (also when it belongs to another initiative than given)."""
    request = session.get(SupportRequest, request_id)
    if request is None or (initiative_id is not None and request.initiative_id != initiative_id):
        raise NotFound(msg("This support request does not exist."))
    return request


@overload
def _clean(text: str | None, *, required: Msg, minimum: int = 1) -> str: ...
@overload
def _clean(text: str | None, *, required: None = None, minimum: int = 1) -> str | None: ...
def _clean(text: str | None, *, required: Msg | None = None, minimum: int = 1) -> str | None:
    text = (text or "").strip()
    if not text:
        if required is not None:
            raise InvalidInput(required)
        return None
    if len(text) < minimum or len(text) > MAX_TEXT:
        raise InvalidInput(msg("Write between %(min)d and 5,000 characters.", min=minimum))
    return text


def _check_version(request: SupportRequest, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != request.version:
        raise Conflict(
            msg(
                "Someone else answered this support request at the same moment. "
                "Nothing was saved; look at its current state and try again."
            )
        )


def _touch(request: SupportRequest, status: str, now: datetime) -> str:
    old, request.status, request.updated_dt = request.status, status, now
    return old


def respond_by_date(moment: datetime, config: Config, days: int | None = None) -> date:
    """The day the municipality answers by, for a request filed at ``moment``: ``days`` (the
    configured ``SUPPORT_RESPOND_DAYS`` unless given) working days later, in the city's zone."""
    days = config.support_respond_days if days is None else days
    return add_working_days(local_date(moment, config.timezone), days)


def file_support_request(
    session: Session,
    actor: Person,
    initiative_id: int,
    *,
    kind: str,
    description: str,
    now: datetime,
    stage_key: str | None = None,
    respond_days: int | None = None,
) -> SupportRequest:
    """A member asks the municipality for support; it answers within ``respond_days``
    working days (by default ``VERBINDING_SUPPORT_RESPOND_DAYS``)."""
    config = config_of(session)
    initiative = lock_initiative(session, initiative_id)  # adding: no version, nothing stale
    require_change(session, initiative, actor)
    if kind not in REQUEST_KINDS:
        raise InvalidInput(msg("Choose what kind of support the group asks for."), field="kind")
    description = _clean(
        description,
        required=msg("Describe what the group asks the municipality for."),
        minimum=10,
    )
    stage_key = (stage_key or "").strip() or None
    if stage_key is not None:
        known = session.scalar(
            select(StagePlan.id).where(
                StagePlan.initiative_id == initiative.id, StagePlan.stage_key == stage_key
            )
        )
        if known is None:
            raise InvalidInput(msg("Choose a stage of this initiative's plan."), field="stage_key")
    respond_by = respond_by_date(now, config, respond_days)
    request = SupportRequest(
        initiative_id=initiative.id,
        kind=kind,
        description=description,
        stage_key=stage_key,
        status="submitted",
        requested_by_id=actor.id,
        created_dt=now,
        updated_dt=now,
        respond_by_date=respond_by,
    )
    session.add(request)
    session.flush()
    record_detail(
        session,
        initiative,
        actor,
        now,
        "support.filed",
        note=description,
        request=request.id,
        request_kind=kind,
        stage=stage_key,
        respond_by=respond_by.isoformat(),
    )
    notifications.support_changed(session, request, actor, now)
    session.flush()
    return request


def withdraw_support_request(
    session: Session,
    actor: Person,
    request_id: int,
    *,
    now: datetime,
    reason: str | None = None,
    expected_version: int | None = None,
) -> SupportRequest:
    """The group no longer needs it: an open request is withdrawn, with an optional reason."""
    request = get_support_request(session, request_id)
    initiative = lock_initiative(session, request.initiative_id)
    session.refresh(request)
    require_change(session, initiative, actor)
    _check_version(request, expected_version)
    if request.status not in OPEN_REQUEST_STATUSES:
        raise Refused(msg("This request is closed; it can no longer be withdrawn."))
    reason = _clean(reason)
    old = _touch(request, "withdrawn", now)
    request.withdrawn_dt, request.withdraw_reason = now, reason
    record_detail(
        session, initiative, actor, now, "support.withdrawn", note=reason,
        request=request.id, request_kind=request.kind, old=old, new="withdrawn",
    )  # fmt: skip
    session.flush()
    return request


def _staff_change(
    session: Session,
    actor: Person,
    request_id: int,
    expected_version: int | None,
    allowed: tuple[str, ...],
    refusal: Msg,
) -> SupportRequest:
    require_staff(actor)
    request = get_support_request(session, request_id)
    _check_version(request, expected_version)
    if request.status not in allowed:
        raise Refused(refusal)
    return request


def _answered(session: Session, request: SupportRequest, actor: Person, now: datetime) -> None:
    if request.answered_dt is None:
        request.answered_dt, request.answered_by_id = now, actor.id
        request.answered_on = local_date(now, config_of(session).timezone)


def acknowledge_support_request(
    session: Session,
    actor: Person,
    request_id: int,
    *,
    now: datetime,
    note: str | None = None,
    expected_version: int | None = None,
) -> SupportRequest:
    """A coach lets the group know the request is seen and being looked into."""
    request = _staff_change(
        session, actor, request_id, expected_version, ("submitted",),
        msg("Only a newly filed request can be acknowledged."),
    )  # fmt: skip
    note = _clean(note)
    old = _touch(request, "acknowledged", now)
    request.acknowledged_dt = now
    if note:
        request.answer = note
    record_staff_event(
        session, request.initiative_id, actor, now, "support.acknowledged", note=note,
        request=request.id, request_kind=request.kind, old=old, new="acknowledged",
    )  # fmt: skip
    notifications.support_changed(session, request, actor, now)
    session.flush()
    return request


def accept_support_request(
    session: Session,
    actor: Person,
    request_id: int,
    *,
    now: datetime,
    note: str | None = None,
    expected_version: int | None = None,
) -> SupportRequest:
    """The municipality will do it; the note says what and when, in the group's words."""
    request = _staff_change(
        session, actor, request_id, expected_version, WAITING_STATUSES,
        msg("Only a request that is waiting for an answer can be accepted."),
    )  # fmt: skip
    note = _clean(note)
    old = _touch(request, "accepted", now)
    _answered(session, request, actor, now)
    if note:
        request.answer = note
    record_staff_event(
        session, request.initiative_id, actor, now, "support.accepted", note=note,
        request=request.id, request_kind=request.kind, old=old, new="accepted",
    )  # fmt: skip
    notifications.support_changed(session, request, actor, now)
    session.flush()
    return request


def decline_support_request(
    session: Session,
    actor: Person,
    request_id: int,
    *,
    reason: str,
    now: datetime,
    expected_version: int | None = None,
) -> SupportRequest:
    """The municipality says no, and always says why."""
    request = _staff_change(
        session, actor, request_id, expected_version, OPEN_REQUEST_STATUSES,
        msg("This request is closed; it can no longer be declined."),
    )  # fmt: skip
    reason = _clean(
        reason, required=msg("Say why the municipality declines, so the group understands.")
    )
    old = _touch(request, "declined", now)
    _answered(session, request, actor, now)
    request.answer = reason
    record_staff_event(
        session, request.initiative_id, actor, now, "support.declined", note=reason,
        request=request.id, request_kind=request.kind, old=old, new="declined",
    )  # fmt: skip
    notifications.support_changed(session, request, actor, now)
    session.flush()
    return request


def deliver_support_request(
    session: Session,
    actor: Person,
    request_id: int,
    *,
    note: str,
    now: datetime,
    expected_version: int | None = None,
) -> SupportRequest:
    """The municipality did what it accepted; the note says what was done."""
    request = _staff_change(
        session, actor, request_id, expected_version, ("accepted",),
        msg("Only an accepted request can be marked as delivered."),
    )  # fmt: skip
    note = _clean(note, required=msg("Say what the municipality did."))
    old = _touch(request, "delivered", now)
    request.delivered_dt, request.delivered_note = now, note
    record_staff_event(
        session, request.initiative_id, actor, now, "support.delivered", note=note,
        request=request.id, request_kind=request.kind, old=old, new="delivered",
    )  # fmt: skip
    notifications.support_changed(session, request, actor, now)
    session.flush()
    return request


def assign_support_request(
    session: Session,
    actor: Person,
    request_id: int,
    *,
    coach_id: int | None,
    now: datetime,
    expected_version: int | None = None,
) -> SupportRequest:
    """Give the request to a colleague (or to nobody, with ``coach_id=None``)."""
    request = _staff_change(
        session, actor, request_id, expected_version, OPEN_REQUEST_STATUSES,
        msg("This request is closed; it can no longer be assigned."),
    )  # fmt: skip
    coach = None
    if coach_id is not None:
        coach = session.get(Person, coach_id)
        if coach is None or not is_staff(coach) or not coach.is_active:
            raise InvalidInput(msg("Choose a process coach from the list."), field="coach_id")
    if request.assigned_to_id == coach_id:
        return request
    old_id, request.assigned_to_id, request.updated_dt = request.assigned_to_id, coach_id, now
    record_staff_event(
        session, request.initiative_id, actor, now, "support.assigned",
        request=request.id, request_kind=request.kind, old=old_id, new=coach_id,
        name=coach.name if coach else None,
    )  # fmt: skip
    session.flush()
    return request
