"""Pace is the residents' choice: pause with a reason, resume, and shift dates if they like."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.errors import InvalidInput, Refused
from engine.i18n import msg
from engine.models import Initiative, Person, StagePlan, Step
from engine.notifications import events as notifications
from engine.operations.common import record
from engine.operations.decisions import shift_open_decisions
from engine.operations.plan import _begin, _past_stages, _plan
from engine.reminders.planner import plan_for
from engine.timeutil import local_date

ZERO = timedelta(0)


def pause_initiative(
    session: Session,
    actor: Person,
    initiative_id: int,
    *,
    reason: str,
    now: datetime,
    expected_version: int | None = None,
) -> Initiative:
    """Pause: no moves, no reminders, no votes or decisions closing, not counted as stalled,
    until the group resumes."""
    initiative = _begin(session, actor, initiative_id, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(msg("Say why the group pauses, so others understand."), field="reason")
    if initiative.is_paused:
        raise Refused(msg("This initiative is already paused."))
    initiative.is_paused, initiative.paused_dt, initiative.pause_reason = True, now, reason
    record(session, initiative, actor, now, "paused", note=reason)
    notifications.paused(session, initiative, actor, now)
    session.flush()
    plan_for(session, initiative.id, now)  # cancels every pending reminder
    return initiative


def resume_initiative(
    session: Session,
    actor: Person,
    initiative_id: int,
    *,
    now: datetime,
    shift_dates: bool = False,
    note: str | None = None,
    expected_version: int | None = None,
) -> Initiative:
    """Resume; with ``shift_dates`` every open date moves on by the days the group paused.

    The closing moment of every open decision always moves on by the time paused, to the
    second: a decision's period is time the group has to think, and a pause gave them none.
    (Dates the group planned are whole days and move only if the group chooses to.)
    """
    initiative = _begin(session, actor, initiative_id, expected_version)
    if not initiative.is_paused:
        raise Refused(msg("This initiative is not paused."))
    assert initiative.paused_dt is not None
    tz = config_of(session).timezone
    days = (local_date(now, tz) - local_date(initiative.paused_dt, tz)).days
    shifted = 0
    if shift_dates and days > 0:
        shifted = _shift_open_dates(session, initiative, timedelta(days=days))
    decisions = shift_open_decisions(session, initiative.id, max(now - initiative.paused_dt, ZERO))
    initiative.is_paused, initiative.paused_dt, initiative.pause_reason = False, None, None
    record(
        session, initiative, actor, now, "resumed",
        note=note, paused_days=days, shifted=shifted, decisions=decisions,
    )  # fmt: skip
    notifications.paused(session, initiative, actor, now)
    session.flush()
    plan_for(session, initiative.id, now)  # reminders again, for the (shifted) dates
    return initiative


def _shift_open_dates(session: Session, initiative: Initiative, delta: timedelta) -> int:
    """Move due dates of open steps and target dates of stages not yet done."""
    past = _past_stages(_plan(session, initiative), initiative)
    count = 0
    steps = session.scalars(
        select(Step).where(
            Step.initiative_id == initiative.id,
            Step.is_open,
            Step.due_date.is_not(None),
        )
    )
    for step in steps:
        if step.stage_key not in past and step.due_date is not None:
            step.due_date = step.due_date + delta
            count += 1
    plans = session.scalars(
        select(StagePlan).where(
            StagePlan.initiative_id == initiative.id, StagePlan.target_date.is_not(None)
        )
    )
    for plan in plans:
        if plan.stage_key not in past and plan.target_date is not None:
            plan.target_date = plan.target_date + delta
            count += 1
    return count
