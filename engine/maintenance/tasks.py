"""Recurring maintenance tasks and their occurrences, materialised ahead of time.

An occurrence is a row with a due date, unique per (task, date). :func:`materialise` adds the
rows for the coming :data:`HORIZON_DAYS` and never duplicates one, so the sweeper, a page and a
second scheduler may all call it; each new row goes to the next volunteer on the rota.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.config import config_of
from engine.errors import InvalidInput, NotFound, Refused
from engine.i18n import msg
from engine.maintenance.association import get_association
from engine.maintenance.recurrence import dates_between, parse_rule
from engine.maintenance.reminders import replan
from engine.maintenance.roles import require_manager
from engine.maintenance.rota import (
    check_volunteers,
    deal_again,
    next_assignees,
    put_on_rota,
    task_changed,
)
from engine.models import MaintenanceTask, Occurrence, Person
from engine.notifications import events as notifications
from engine.operations.common import (
    check_row_version,
    lock_initiative,
    record_detail,
)
from engine.timeutil import local_date

#: occurrences exist this many days ahead
HORIZON_DAYS = 90
MAX_TITLE = 200
MAX_DESCRIPTION = 2000


def get_task(
    session: Session, initiative_id: int, task_id: int, expected_version: int | None = None
) -> MaintenanceTask:
    """The task as it is now; with ``expected_version`` (the task's, as a page showed it), a
    task someone else changed meanwhile is a plain :class:`~engine.errors.Conflict`."""
    task = session.get(MaintenanceTask, task_id, populate_existing=True)
    if task is None or task.initiative_id != initiative_id:
        raise NotFound(msg("This maintenance task does not exist."))
    check_row_version(task, expected_version, task_changed(task))
    return task


def _clean(title: str, description: str) -> tuple[str, str]:
    title = " ".join((title or "").split())
    if not 2 <= len(title) <= MAX_TITLE:
        raise InvalidInput(msg("A task needs a name of 2 to 200 characters."), field="title")
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(
            msg("A task description has at most 2,000 characters."), field="description"
        )
    return title, description


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(Occurrence.__table__)


def materialise(
    session: Session,
    task: MaintenanceTask,
    now: datetime,
    *,
    since: date | None = None,
    tell: bool = False,
) -> int:
    """Add the task's missing occurrences up to today + the horizon; return how many.

    From today on, or from ``since`` (the demo's history); never before the task starts.
    With ``tell`` (the sweep dealing turns nobody asked for), each volunteer who gets one of
    the new turns is told about it.
    """
    if not task.is_active:
        return 0
    today = local_date(now, config_of(session).timezone)
    first = max(task.starts_on, since or today)
    last = today + timedelta(days=HORIZON_DAYS)
    if task.ended_on is not None:
        last = min(last, task.ended_on)
    dates = dates_between(task.rrule, task.starts_on, first, last) if first <= last else []
    existing = set(
        session.scalars(
            select(Occurrence.due_date).where(
                Occurrence.task_id == task.id, Occurrence.due_date.between(first, last)
            )
        )
    )
    new = [d for d in dates if d not in existing]
    if new:
        session.flush()
        assignees = next_assignees(session, task, new[0], len(new))
        rows = [
            {
                "task_id": task.id,
                "initiative_id": task.initiative_id,
                "due_date": due,
                "assignee_id": person_id,
                "status": "planned",
                "created_dt": now,
            }
            for due, person_id in zip(new, assignees, strict=True)
        ]
        statement = _insert(session).on_conflict_do_nothing(index_elements=["task_id", "due_date"])
        if tell:
            # only the turns this call added (another sweep may have added some of them)
            dealt = session.execute(
                statement.returning(Occurrence.id, Occurrence.assignee_id, Occurrence.due_date),
                rows,
            ).all()
            notifications.turns_dealt(session, task, dealt, now)
        else:
            session.execute(statement, rows)
    _bookmark(session, task, max(task.materialised_until or last, last))
    session.flush()
    return len(new)


_BOOKMARK = (
    update(MaintenanceTask.__table__)
    .where(MaintenanceTask.__table__.c.id == bindparam("tid"))
    .values(materialised_until=bindparam("until"))
)


def _bookmark(session: Session, task: MaintenanceTask, until: date | None) -> None:
    """Move the sweeper's bookmark, around the task's version: planning ahead is not a change
    of the task, so nobody's form for it goes stale by it."""
    if until != task.materialised_until:
        session.connection().execute(_BOOKMARK, {"tid": task.id, "until": until})
        set_committed_value(task, "materialised_until", until)


def _clear_open(session: Session, task: MaintenanceTask, today: date) -> None:
    """Forget the turns still to come (they are derived; done and missed ones stay)."""
    session.execute(
        delete(Occurrence)
        .where(
            Occurrence.task_id == task.id,
            Occurrence.status == "planned",
            Occurrence.due_date >= today,
        )
        .execution_options(synchronize_session="fetch")
    )
    _bookmark(session, task, None)


def create_task(
    session: Session,
    actor: Person,
    initiative_id: int,
    *,
    title: str,
    rule: str,
    starts_on: date,
    volunteer_ids: Sequence[int],
    now: datetime,
    description: str = "",
) -> MaintenanceTask:
    """Add a recurring task with its rota; its first occurrences are planned at once (adding
    needs no version: it collides with nothing).

    Tasks are the association's to manage: its board and the initiators (engine.permissions).
    """
    initiative = lock_initiative(session, initiative_id)
    require_manager(session, initiative, actor)
    title, description = _clean(title, description)
    if get_association(session, initiative.id) is None:
        raise Refused(msg("Register the residents' association first: the tasks are its work."))
    checked = parse_rule(rule, starts_on)
    volunteers = check_volunteers(session, initiative.id, volunteer_ids)
    task = MaintenanceTask(
        initiative_id=initiative.id,
        title=title,
        description=description,
        rrule=checked.text,
        starts_on=starts_on,
        is_active=True,
        created_dt=now,
        created_by_id=actor.id,
    )
    session.add(task)
    session.flush()
    put_on_rota(session, task, volunteers, now)
    record_detail(
        session, initiative, actor, now, "maintenance.task_added", task=task.id, title=title,
        rule=checked.text,
    )  # fmt: skip
    if not initiative.is_paused:
        materialise(session, task, now)
    session.flush()
    replan(session, {initiative.id}, now)
    return task


def update_task(
    session: Session,
    actor: Person,
    initiative_id: int,
    task_id: int,
    *,
    title: str,
    rule: str,
    starts_on: date,
    now: datetime,
    description: str = "",
    expected_version: int | None = None,
) -> MaintenanceTask:
    """Change a task; a new rule or start date plans the turns to come again
    (``expected_version``: the task's, as the page showed)."""
    initiative = lock_initiative(session, initiative_id)
    require_manager(session, initiative, actor)
    task = get_task(session, initiative.id, task_id, expected_version)
    if not task.is_active:
        raise Refused(msg("This task has ended; add a new one instead."))
    title, description = _clean(title, description)
    checked = parse_rule(rule, starts_on)
    replanned = (checked.text, starts_on) != (task.rrule, task.starts_on)
    task.title, task.description = title, description
    if replanned:
        task.rrule, task.starts_on = checked.text, starts_on
        _clear_open(session, task, local_date(now, config_of(session).timezone))
        if not initiative.is_paused:
            materialise(session, task, now)
        deal_again(session, task, now)
    record_detail(
        session, initiative, actor, now, "maintenance.task_changed", task=task.id, title=title,
        rule=task.rrule,
    )  # fmt: skip
    session.flush()
    replan(session, {initiative.id}, now)
    return task


def end_task(
    session: Session,
    actor: Person,
    initiative_id: int,
    task_id: int,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> MaintenanceTask:
    """Stop a task: no more turns; the log of what was done stays
    (``expected_version``: the task's, as the page showed)."""
    initiative = lock_initiative(session, initiative_id)
    require_manager(session, initiative, actor)
    task = get_task(session, initiative.id, task_id, expected_version)
    if not task.is_active:
        raise Refused(msg("This task has already ended."))
    stop(session, task, local_date(now, config_of(session).timezone))
    record_detail(session, initiative, actor, now, "maintenance.task_ended", task=task.id)
    session.flush()
    replan(session, {initiative.id}, now)
    return task


def stop(session: Session, task: MaintenanceTask, today: date) -> None:
    """End a task today and cancel its turns still to come."""
    task.is_active, task.ended_on = False, today
    session.execute(
        update(Occurrence)
        .where(
            Occurrence.task_id == task.id,
            Occurrence.status == "planned",
            Occurrence.due_date >= today,
        )
        .values(status="cancelled")
    )
    session.flush()
