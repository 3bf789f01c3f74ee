"""Turns are done, missed or skipped, each with a short note: together they are the log.

The volunteer whose turn it is records it; the association's board and the initiators may
record any turn (a neighbour tells the chair the planters were watered). The log keeps who
recorded it. A turn the sweeper marked missed can still be set to done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from engine.config import config_of
from engine.errors import InvalidInput, NotFound, PermissionDenied, Refused
from engine.i18n import msg
from engine.maintenance.reminders import replan
from engine.maintenance.roles import NOT_YOUR_TURN, standing
from engine.models import MaintenanceTask, Occurrence, Person
from engine.operations.common import lock_initiative, record_detail
from engine.timeutil import local_date

MAX_NOTE = 500
#: a turn may be recorded as done this many days before its date (the rain came early…)
EARLY_DAYS = 7
LOGGED = ("done", "missed", "skipped")


def get_occurrence(session: Session, initiative_id: int, occurrence_id: int) -> Occurrence:
    turn = session.get(Occurrence, occurrence_id, populate_existing=True)
    if turn is None or turn.initiative_id != initiative_id:
        raise NotFound(msg("This turn does not exist."))
    return turn


def _clean_note(note: str | None) -> str | None:
    note = " ".join((note or "").split())
    if len(note) > MAX_NOTE:
        raise InvalidInput(
            msg("A note has at most %(max)d characters.", max=MAX_NOTE), field="note"
        )
    return note or None


def _resolve(
    session: Session,
    actor: Person,
    initiative_id: int,
    occurrence_id: int,
    status: str,
    note: str | None,
    now: datetime,
) -> Occurrence:
    initiative = lock_initiative(session, initiative_id)
    turn = get_occurrence(session, initiative.id, occurrence_id)
    if not standing(session, initiative.id, actor).handles_turn(own=turn.assignee_id == actor.id):
        raise PermissionDenied(NOT_YOUR_TURN)
    note = _clean_note(note)
    today = local_date(now, config_of(session).timezone)
    if status == "done":
        if turn.status not in ("planned", "missed"):
            raise Refused(msg("This turn is already recorded."))
        if turn.due_date > today + timedelta(days=EARLY_DAYS):
            raise Refused(msg("This turn is more than a week away; record it when it is done."))
    elif turn.status != "planned":
        raise Refused(msg("This turn is already recorded."))
    elif status == "missed" and turn.due_date > today:
        raise Refused(msg("This turn has not come yet, so it cannot be missed."))
    old = turn.status
    turn.status, turn.note = status, note
    turn.resolved_dt, turn.resolved_by_id = now, actor.id
    record_detail(
        session, initiative, actor, now, f"maintenance.{status}", note=note, task=turn.task_id,
        turn=turn.id, date=turn.due_date.isoformat(), old=old,
    )  # fmt: skip
    session.flush()
    replan(session, {initiative.id}, now)
    return turn


def mark_done(
    session: Session,
    actor: Person,
    initiative_id: int,
    occurrence_id: int,
    *,
    now: datetime,
    note: str | None = None,
) -> Occurrence:
    """Record that a turn was done, with what was done."""
    return _resolve(session, actor, initiative_id, occurrence_id, "done", note, now)


def mark_missed(
    session: Session,
    actor: Person,
    initiative_id: int,
    occurrence_id: int,
    *,
    now: datetime,
    note: str | None = None,
) -> Occurrence:
    """Record that a turn did not happen."""
    return _resolve(session, actor, initiative_id, occurrence_id, "missed", note, now)


def skip_occurrence(
    session: Session,
    actor: Person,
    initiative_id: int,
    occurrence_id: int,
    *,
    now: datetime,
    note: str | None = None,
) -> Occurrence:
    """Leave a date out (it rained, the street party): nobody's turn moves."""
    return _resolve(session, actor, initiative_id, occurrence_id, "skipped", note, now)


def log_of(session: Session, initiative_id: int, *, limit: int = 200) -> list[Occurrence]:
    """What was done, missed or skipped, newest first."""
    return list(
        session.scalars(
            select(Occurrence)
            .options(
                joinedload(Occurrence.task),
                joinedload(Occurrence.assignee),
                joinedload(Occurrence.resolved_by),
            )
            .where(Occurrence.initiative_id == initiative_id, Occurrence.status.in_(LOGGED))
            .order_by(Occurrence.due_date.desc(), Occurrence.id.desc())
            .limit(limit)
        )
    )


def upcoming(
    session: Session,
    initiative_id: int,
    today: date,
    *,
    days: int = 28,
    task_id: int | None = None,
    limit: int | None = None,
) -> list[Occurrence]:
    """Turns still open from a week ago up to ``days`` ahead, soonest first (the first
    ``limit`` of them, when given)."""
    params = {
        "iid": initiative_id,
        "start": today - timedelta(days=EARLY_DAYS),
        "end": today + timedelta(days=days),
    }
    query = _UPCOMING
    if task_id is not None:
        query = query.where(Occurrence.task_id == task_id)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query, params))


#: the planned turns of an initiative between two dates (the parameters iid, start and end):
#: the zelfbeheer overview's objects and the initiative page's panel read the same window
_IN_WINDOW = (
    Occurrence.initiative_id == bindparam("iid"),
    Occurrence.status == "planned",
    Occurrence.due_date.between(bindparam("start"), bindparam("end")),
)

#: built once (the zelfbeheer overview asks for the turns to come on every view)
_UPCOMING = (
    select(Occurrence)
    .options(joinedload(Occurrence.task), joinedload(Occurrence.assignee))
    .where(*_IN_WINDOW)
    .order_by(Occurrence.due_date, Occurrence.id)
)


@dataclass(frozen=True, slots=True)
class NextTurn:
    """A turn as the initiative page's zelfbeheer panel lists it."""

    id: int
    task_id: int
    due_date: date
    task_title: str
    #: the volunteer's name; None when nobody is on the rota for it
    assignee_name: str | None
    has_assignee: bool


#: ``upcoming``'s first turns as columns, task title and volunteer's name joined in (the
#: objects with their task and volunteer loaded cost the page four times as much)
_NEXT_TURNS = (
    select(
        Occurrence.id,
        Occurrence.task_id,
        Occurrence.due_date,
        MaintenanceTask.title,
        Person.id.label("assignee_id"),
        Person.name,
    )
    .outerjoin(MaintenanceTask, MaintenanceTask.id == Occurrence.task_id)
    .outerjoin(Person, Person.id == Occurrence.assignee_id)
    .where(*_IN_WINDOW)
    .order_by(Occurrence.due_date, Occurrence.id)
    .limit(bindparam("limit"))
)


def next_turns(
    session: Session, initiative_id: int, today: date, limit: int, *, days: int = 28
) -> list[NextTurn]:
    """The first ``limit`` turns of ``upcoming`` (same window, same order), as columns."""
    params = {
        "iid": initiative_id,
        "start": today - timedelta(days=EARLY_DAYS),
        "end": today + timedelta(days=days),
        "limit": limit,
    }
    return [
        NextTurn(
            row.id, row.task_id, row.due_date, row.title, row.name, row.assignee_id is not None
        )
        for row in session.execute(_NEXT_TURNS, params)
    ]
