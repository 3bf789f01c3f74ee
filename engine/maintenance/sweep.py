"""The sweeper's ``maintenance`` step: plan turns ahead, and settle the ones that went by.

* turns are materialised :data:`~engine.maintenance.tasks.HORIZON_DAYS` ahead for running
  tasks of initiatives that are not paused (idempotent: unique per task and date);
* a turn still open :data:`GRACE_DAYS` after its date is recorded as missed (by nobody:
  ``resolved_by_id`` stays empty), so a streak shows even when nobody keeps the log;
* a turn that went by while the initiative was paused is skipped: a pause asks nothing;
* a question to swap a turn that went by (or was recorded, or changed hands) expires.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, exists, or_, select, update
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.maintenance.proposals import expire_swaps, stale_swaps
from engine.maintenance.reminders import replan
from engine.maintenance.tasks import HORIZON_DAYS, materialise
from engine.models import Initiative, MaintenanceTask, Occurrence
from engine.timeutil import local_date

log = logging.getLogger(__name__)

GRACE_DAYS = 7
#: tasks planned ahead per sweep (the next sweep, seconds later, takes the rest)
BATCH = 500


def _paused(flag: bool):
    return select(Initiative.id).where(Initiative.is_paused.is_(flag))


def _settle(session: Session, now: datetime, status: str, before, paused: bool) -> int:
    result = session.execute(
        update(Occurrence)
        .where(
            Occurrence.status == "planned",
            Occurrence.due_date < before,
            Occurrence.initiative_id.in_(_paused(paused)),
        )
        .values(status=status, resolved_dt=now)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult, result).rowcount or 0  # an UPDATE's result has a rowcount


def plan_ahead(session: Session, now: datetime) -> tuple[int, set[int]]:
    """Materialise turns for the tasks whose planning does not reach far enough yet.

    Returns how many turns were added, and the initiatives that got them.
    """
    until = local_date(now, config_of(session).timezone) + timedelta(days=HORIZON_DAYS)
    tasks = session.scalars(
        select(MaintenanceTask)
        .join(Initiative, Initiative.id == MaintenanceTask.initiative_id)
        .where(
            MaintenanceTask.is_active.is_(True),
            Initiative.is_paused.is_(False),
            or_(
                MaintenanceTask.materialised_until.is_(None),
                MaintenanceTask.materialised_until < until,
            ),
        )
        .order_by(MaintenanceTask.materialised_until.is_not(None), MaintenanceTask.id)
        .limit(BATCH)
    ).all()
    added, initiatives = 0, set()
    for task in tasks:
        new = materialise(session, task, now, tell=True)
        if new:
            added += new
            initiatives.add(task.initiative_id)
    return added, initiatives


def work_due(now: datetime, tz: str | None = None):
    """A SQL boolean: is anything to plan or to settle? (The sweeper's cheap probe.)"""
    today = local_date(now, tz)
    return or_(
        exists().where(
            Occurrence.status == "planned",
            Occurrence.due_date < today - timedelta(days=GRACE_DAYS),
        ),
        exists().where(
            Occurrence.status == "planned",
            Occurrence.due_date < today,
            Occurrence.initiative_id.in_(_paused(True)),
        ),
        exists().where(
            MaintenanceTask.is_active.is_(True),
            or_(
                MaintenanceTask.materialised_until.is_(None),
                MaintenanceTask.materialised_until < today + timedelta(days=HORIZON_DAYS),
            ),
            MaintenanceTask.initiative_id.in_(_paused(False)),
        ),
        stale_swaps(today),
    )


def sweep_maintenance(session: Session, now: datetime) -> str:
    """Settle the turns that went by, plan the ones ahead; return a short report."""
    today = local_date(now, config_of(session).timezone)
    skipped = _settle(session, now, "skipped", today, paused=True)
    missed = _settle(session, now, "missed", today - timedelta(days=GRACE_DAYS), paused=False)
    expired = expire_swaps(session, now)
    planned, initiatives = plan_ahead(session, now)
    replan(session, initiatives, now)
    if skipped or missed or planned or expired:
        log.info(
            "maintenance: %s planned, %s missed, %s skipped, %s swap questions expired",
            planned, missed, skipped, expired,
        )  # fmt: skip
    report = f"{planned} turns planned, {missed} missed, {skipped} skipped while paused"
    return report + (f", {expired} swap questions expired" if expired else "")
