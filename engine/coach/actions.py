"""What coaches and admins do besides answering requests: assignments, notes, concerns, roles.

Coaches support, they never steer: nothing here changes a group's stages, plan or dates. Notes
and concerns are open to the group and land in the initiative's history.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.coach.common import MAX_TEXT, record_staff_event, require_staff
from engine.coach.common import load_initiative as get_initiative
from engine.errors import InvalidInput, NotFound, PermissionDenied, Refused
from engine.i18n import msg, nmsg
from engine.models import CoachAssignment, CoachNote, Concern, District, Membership, Person
from engine.models.people import STAFF_ROLES as ROLES
from engine.notifications import events as notifications
from engine.permissions import STAFF_ROLES, is_staff

log = logging.getLogger(__name__)


def _text(text: str | None, required) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(required)
    if len(text) > MAX_TEXT:
        raise InvalidInput(msg("Write at most 5,000 characters."))
    return text


def _coach(session: Session, coach_id: int) -> Person:
    coach = session.get(Person, coach_id)
    if coach is None or not is_staff(coach) or not coach.is_active:
        raise InvalidInput(msg("Choose a process coach from the list."), field="coach_id")
    return coach


def assign_coach(
    session: Session,
    actor: Person,
    *,
    coach_id: int,
    now: datetime,
    initiative_id: int | None = None,
    district_id: int | None = None,
) -> CoachAssignment:
    """Make a coach responsible for one initiative or for a whole stadsdeel."""
    require_staff(actor, msg("Only process coaches and admins can assign coaches."))
    if (initiative_id is None) == (district_id is None):
        raise InvalidInput(msg("Choose either an initiative or a district."))
    coach = _coach(session, coach_id)
    if initiative_id is not None:
        get_initiative(session, initiative_id)
    elif session.get(District, district_id) is None:
        raise InvalidInput(msg("Choose a district from the list."), field="district_id")
    assignment = CoachAssignment(
        coach_id=coach.id,
        initiative_id=initiative_id,
        district_id=district_id,
        created_dt=now,
        created_by_id=actor.id,
    )
    try:
        with session.begin_nested():
            session.add(assignment)
            session.flush()
    except IntegrityError as exc:
        raise Refused(msg("%(name)s is already assigned here.", name=coach.name)) from exc
    if initiative_id is not None:
        record_staff_event(
            session, initiative_id, actor, now, "coach.assigned", coach=coach.id, name=coach.name
        )
    log.info("coach %s assigned to %s by %s", coach.id, initiative_id or district_id, actor.id)
    session.flush()
    return assignment


def unassign_coach(session: Session, actor: Person, assignment_id: int, now: datetime) -> None:
    require_staff(actor, msg("Only process coaches and admins can assign coaches."))
    assignment = session.get(CoachAssignment, assignment_id)
    if assignment is None:
        raise NotFound(msg("This assignment does not exist."))
    if assignment.initiative_id is not None:
        record_staff_event(
            session, assignment.initiative_id, actor, now, "coach.unassigned",
            coach=assignment.coach_id, name=assignment.coach.name,
        )  # fmt: skip
    session.delete(assignment)
    session.flush()


def add_coach_note(
    session: Session, actor: Person, initiative_id: int, *, body: str, now: datetime
) -> CoachNote:
    """A coach writes a note on an initiative; the group reads it too."""
    require_staff(actor, msg("Only process coaches write coach notes."))
    initiative = get_initiative(session, initiative_id)
    body = _text(body, msg("Write the note."))
    note = CoachNote(initiative_id=initiative.id, author_id=actor.id, body=body, created_dt=now)
    session.add(note)
    session.flush()
    record_staff_event(session, initiative.id, actor, now, "coach.note", note=body, id=note.id)
    session.flush()
    return note


def live_concern(session: Session, initiative_id: int) -> Concern | None:
    return session.scalar(
        select(Concern).where(Concern.initiative_id == initiative_id, Concern.cleared_dt.is_(None))
    )


def raise_concern(
    session: Session, actor: Person, initiative_id: int, *, reason: str, now: datetime
) -> Concern:
    """Flag that an initiative may need a hand, and say why (the group sees it)."""
    require_staff(actor, msg("Only process coaches can flag a concern."))
    initiative = get_initiative(session, initiative_id)
    reason = _text(reason, msg("Say what worries you, so the group and colleagues understand."))
    if live_concern(session, initiative.id) is not None:
        raise Refused(msg("A concern is already flagged for this initiative."))
    concern = Concern(
        initiative_id=initiative.id, raised_by_id=actor.id, reason=reason, raised_dt=now
    )
    try:
        with session.begin_nested():
            session.add(concern)
            session.flush()
    except IntegrityError as exc:  # a colleague flagged it at the same moment
        raise Refused(msg("A concern is already flagged for this initiative.")) from exc
    record_staff_event(session, initiative.id, actor, now, "coach.concern", note=reason)
    notifications.concern_changed(session, concern, actor, now)
    session.flush()
    return concern


def clear_concern(
    session: Session, actor: Person, initiative_id: int, *, now: datetime, note: str | None = None
) -> Concern:
    require_staff(actor, msg("Only process coaches can flag a concern."))
    initiative = get_initiative(session, initiative_id)
    concern = live_concern(session, initiative.id)
    if concern is None:
        raise Refused(msg("No concern is flagged for this initiative."))
    note = (note or "").strip()[:MAX_TEXT] or None
    concern.cleared_dt, concern.cleared_by_id, concern.clear_note = now, actor.id, note
    record_staff_event(session, initiative.id, actor, now, "coach.concern_cleared", note=note)
    notifications.concern_changed(session, concern, actor, now)
    session.flush()
    return concern


def change_role(
    session: Session, actor: Person, person_id: int, role: str, now: datetime
) -> Person:
    """An admin makes someone a resident, coach or admin."""
    if actor.role != "admin":
        raise PermissionDenied(msg("Only admins can change roles."))
    if role not in ROLES:
        raise InvalidInput(msg("Choose a role: resident, coach or admin."), field="role")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(msg("This person does not exist."))
    if person.id == actor.id:
        raise Refused(msg("You cannot change your own role; ask another admin."))
    if person.role == role:
        return person
    if role in STAFF_ROLES:
        groups = session.scalar(
            select(func.count()).where(
                Membership.person_id == person.id, Membership.role != "coach"
            )
        )
        if groups:
            raise Refused(
                nmsg(
                    "%(name)s is a member of an initiative. Staff support initiatives; they do "
                    "not take part as residents. They leave that group first.",
                    "%(name)s is a member of %(num)d initiatives. Staff support initiatives; "
                    "they do not take part as residents. They leave those groups first.",
                    groups,
                    name=person.name,
                )
            )
    else:
        # a resident looks after no initiative as a coach
        session.execute(delete(CoachAssignment).where(CoachAssignment.coach_id == person.id))
    old, person.role = person.role, role
    log.info("person %s: role %s -> %s by %s at %s", person.id, old, role, actor.id, now)
    session.flush()
    return person
