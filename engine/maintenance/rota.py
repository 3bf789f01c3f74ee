"""The rota: the association's volunteers take turns at a task.

Each new occurrence goes to the volunteer after the one who had the turn before it, in rota
order. A change to who is on the rota deals the open turns from today on again (a swap made
earlier is then undone: the new order is the fair one); skipping a date does not move anyone's
turn.

The association's board and the initiators manage the rota: who is on it, and any turn they
give to someone else directly (:func:`swap_turns`, :func:`reassign_turn`). A volunteer may step
out themselves; to hand a turn to someone else they ask (engine.maintenance.swaps).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.errors import InvalidInput, NotFound, PermissionDenied, Refused
from engine.i18n import Msg, msg
from engine.maintenance.reminders import replan
from engine.maintenance.roles import OWN_ROTA_PLACE, require_manager, standing
from engine.models import Association, AssociationMember, Occurrence, Person, RotaMember
from engine.models.maintenance import MaintenanceTask
from engine.notifications import events as notifications
from engine.operations.common import (
    bump_version,
    check_row_version,
    lock_initiative,
    record_detail,
)
from engine.timeutil import local_date


def active_volunteers(session: Session, task_id: int) -> list[RotaMember]:
    return list(
        session.scalars(
            select(RotaMember)
            .where(RotaMember.task_id == task_id, RotaMember.is_active.is_(True))
            .order_by(RotaMember.position, RotaMember.id)
        )
    )


def _previous_position(session: Session, task: MaintenanceTask, before: date) -> int | None:
    """The rota position of whoever had the last turn before ``before``."""
    last = session.scalar(
        select(Occurrence.assignee_id)
        .where(
            Occurrence.task_id == task.id,
            Occurrence.due_date < before,
            Occurrence.assignee_id.is_not(None),
        )
        .order_by(Occurrence.due_date.desc())
        .limit(1)
    )
    if last is None:
        return None
    return session.scalar(
        select(RotaMember.position).where(
            RotaMember.task_id == task.id, RotaMember.person_id == last
        )
    )


def next_assignees(session: Session, task: MaintenanceTask, before: date, count: int) -> list:
    """Who gets the next ``count`` turns from ``before`` on (None for each if nobody is on it)."""
    volunteers = active_volunteers(session, task.id)
    if not volunteers:
        return [None] * count
    previous = _previous_position(session, task, before)
    start = 0
    if previous is not None:
        later = [i for i, v in enumerate(volunteers) if v.position > previous]
        start = later[0] if later else 0
    return [volunteers[(start + i) % len(volunteers)].person_id for i in range(count)]


def deal_again(session: Session, task: MaintenanceTask, now: datetime) -> int:
    """Give the open turns from today on to the volunteers in rota order; return how many."""
    today = local_date(now, config_of(session).timezone)
    open_turns = list(
        session.scalars(
            select(Occurrence)
            .where(
                Occurrence.task_id == task.id,
                Occurrence.status == "planned",
                Occurrence.due_date >= today,
            )
            .order_by(Occurrence.due_date)
        )
    )
    for turn, person_id in zip(
        open_turns, next_assignees(session, task, today, len(open_turns)), strict=True
    ):
        turn.assignee_id = person_id
    session.flush()
    return len(open_turns)


def check_volunteers(session: Session, initiative_id: int, person_ids: Sequence[int]) -> list[int]:
    """The volunteers in order, each once; all of them members of the association."""
    ordered = list(dict.fromkeys(person_ids))
    if not ordered:
        raise InvalidInput(msg("A rota needs at least one volunteer."), field="volunteer_ids")
    known = set(
        session.scalars(
            select(AssociationMember.person_id)
            .join(Association, Association.id == AssociationMember.association_id)
            .where(
                Association.initiative_id == initiative_id,
                AssociationMember.person_id.in_(ordered),
            )
        )
    )
    if set(ordered) - known:
        raise InvalidInput(
            msg("Only members of the residents' association can be on a rota."),
            field="volunteer_ids",
        )
    return ordered


def put_on_rota(
    session: Session, task: MaintenanceTask, person_ids: Sequence[int], now: datetime
) -> None:
    """Make exactly these people the rota, in this order (no checks, no history)."""
    rows = {
        r.person_id: r
        for r in session.scalars(select(RotaMember).where(RotaMember.task_id == task.id))
    }
    base = (
        session.scalar(select(func.max(RotaMember.position)).where(RotaMember.task_id == task.id))
        or 0
    ) + 1
    for offset, person_id in enumerate(person_ids):
        row = rows.get(person_id)
        if row is None:
            row = RotaMember(task_id=task.id, person_id=person_id, joined_dt=now, position=0)
            session.add(row)
        elif not row.is_active:
            row.joined_dt = now
        row.position, row.is_active, row.left_dt = base + offset, True, None
    for person_id, row in rows.items():
        if person_id not in person_ids and row.is_active:
            row.is_active, row.left_dt = False, now
    session.flush()


def task_changed(task: MaintenanceTask) -> Msg:
    """What a stale form for the task is told."""
    return msg(
        "Someone else changed the task “%(title)s” or its rota in the meantime. Nothing was "
        "saved; look at the task as it is now and try again.",
        title=task.title,
    )


def _task(
    session: Session, initiative_id: int, task_id: int, expected_version: int | None
) -> MaintenanceTask:
    task = session.get(MaintenanceTask, task_id, populate_existing=True)
    if task is None or task.initiative_id != initiative_id:
        raise NotFound(msg("This maintenance task does not exist."))
    check_row_version(task, expected_version, task_changed(task))
    return task


def set_rota(
    session: Session,
    actor: Person,
    initiative_id: int,
    task_id: int,
    person_ids: Sequence[int],
    *,
    now: datetime,
    expected_version: int | None = None,
) -> list[RotaMember]:
    """Set who is on the rota and in which order; the open turns are dealt again
    (``expected_version``: the task's, as the page showed)."""
    initiative = lock_initiative(session, initiative_id)
    require_manager(session, initiative, actor)
    task = _task(session, initiative.id, task_id, expected_version)
    ordered = check_volunteers(session, initiative.id, person_ids)
    bump_version(task, "title")  # the rota is part of the task: a stale form of it is refused
    put_on_rota(session, task, ordered, now)
    deal_again(session, task, now)
    record_detail(
        session, initiative, actor, now, "maintenance.rota", task=task.id, volunteers=ordered
    )
    session.flush()
    replan(session, {initiative.id}, now)
    return active_volunteers(session, task.id)


def step_out(
    session: Session,
    actor: Person,
    initiative_id: int,
    task_id: int,
    person_id: int,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> None:
    """A volunteer steps out of the rota (or the board takes them off it, e.g. after a move);
    ``expected_version``: the task's, as the page showed."""
    initiative = lock_initiative(session, initiative_id)
    if not standing(session, initiative.id, actor).handles_turn(own=person_id == actor.id):
        raise PermissionDenied(OWN_ROTA_PLACE)
    task = _task(session, initiative.id, task_id, expected_version)
    volunteers = active_volunteers(session, task.id)
    place = next((v for v in volunteers if v.person_id == person_id), None)
    if place is None:
        raise NotFound(msg("This person is not on the rota."))
    if len(volunteers) == 1:
        raise Refused(
            msg(
                "%(name)s is the only volunteer on this rota. Add someone else first.",
                name=place.person.name,
            )
        )
    place.is_active, place.left_dt = False, now
    bump_version(task, "title")  # the rota is part of the task: a stale form of it is refused
    session.flush()
    deal_again(session, task, now)
    record_detail(
        session, initiative, actor, now, "maintenance.stepped_out", task=task.id, person=person_id
    )
    session.flush()
    replan(session, {initiative.id}, now)


def _get_turn(session: Session, initiative_id: int, occurrence_id: int) -> Occurrence:
    turn = session.get(Occurrence, occurrence_id, populate_existing=True)
    if turn is None or turn.initiative_id != initiative_id:
        raise NotFound(msg("This turn does not exist."))
    return turn


def _still_to_come(session: Session, now: datetime, *turns: Occurrence) -> None:
    today = local_date(now, config_of(session).timezone)
    if any(t.status != "planned" or t.due_date < today for t in turns):
        raise Refused(msg("Only turns that are still to come can be swapped."))


def swap_turns(
    session: Session,
    actor: Person,
    initiative_id: int,
    occurrence_id: int,
    other_id: int,
    *,
    now: datetime,
) -> tuple[Occurrence, Occurrence]:
    """The board (or an initiator) trades two turns of the same task between their volunteers.

    Volunteers themselves ask each other instead (engine.maintenance.swaps).
    """
    initiative = lock_initiative(session, initiative_id)
    require_manager(session, initiative, actor)
    one = _get_turn(session, initiative.id, occurrence_id)
    other = session.get(Occurrence, other_id, populate_existing=True)
    if other is None or other.task_id != one.task_id or other.id == one.id:
        raise InvalidInput(
            msg("Choose another turn of the same task to swap with."), field="other_id"
        )
    _still_to_come(session, now, one, other)
    one.assignee_id, other.assignee_id = other.assignee_id, one.assignee_id
    record_detail(
        session, initiative, actor, now, "maintenance.swapped", task=one.task_id,
        turns=[one.id, other.id], task_title=one.task.title,
    )  # fmt: skip
    notifications.turns_swapped(session, (one, other), actor, now)
    session.flush()
    replan(session, {initiative.id}, now)
    return one, other


def reassign_turn(
    session: Session,
    actor: Person,
    initiative_id: int,
    occurrence_id: int,
    person_id: int,
    *,
    now: datetime,
) -> Occurrence:
    """The board (or an initiator) gives a turn to another member of the association."""
    initiative = lock_initiative(session, initiative_id)
    require_manager(session, initiative, actor)
    turn = _get_turn(session, initiative.id, occurrence_id)
    _still_to_come(session, now, turn)
    try:
        (new,) = check_volunteers(session, initiative.id, [person_id])
    except InvalidInput as error:
        raise InvalidInput(error.message, field="person_id") from error
    if turn.assignee_id == new:
        raise InvalidInput(msg("It is already their turn."), field="person_id")
    old, turn.assignee_id = turn.assignee_id, new
    record_detail(
        session, initiative, actor, now, "maintenance.reassigned", task=turn.task_id,
        task_title=turn.task.title, turn=turn.id, date=turn.due_date.isoformat(), person=new,
        old=old,
    )  # fmt: skip
    notifications.turn_assigned(session, turn, actor, now)
    session.flush()
    replan(session, {initiative.id}, now)
    return turn
