"""Re-planning after a stage move: only the reminders of the stages whose reminders it changes.

A move changes which stages lie ahead of the group (a stage's steps and target date remind only
while the stage is ahead) and where the open steps of the stage left behind now are (carried to
the new stage, whose template may set other days, or closed). Everything else keeps its
reminders — also a stage that lies ahead before and after and takes in no step (see
:func:`stages_touched`) — so :func:`replan_move` reads and writes only the deadlines of the
stages that start or stop lying ahead and of a stage steps were carried into, from the
process plan and template definition the move already holds: one query for their stage plans,
dated open steps and the group, one for the reminder rows and calendar entries of exactly those
deadline keys, then the writes (at most one per kind of change). The result is the same as a
full re-plan (:func:`engine.reminders.planner.plan_for` with the plan sources), which a property
test checks.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import (
    CompoundSelect,
    Integer,
    Row,
    String,
    and_,
    bindparam,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from engine.models import Membership, StagePlan, Step
from engine.models.reminders import CalendarEntry, Reminder
from engine.permissions import RESIDENT_ROLES
from engine.reminders.deadlines import Deadline
from engine.reminders.plan_dates import stage_deadline, step_deadline
from engine.reminders.planner import (
    CALENDAR_COLUMNS,
    PLAN_SOURCES,
    PlanReport,
    sync_calendar,
    sync_reminders,
)
from engine.reminders.rules import stage_days
from engine.workflows.definitions import WorkflowDef
from engine.workflows.process_plan import ProcessPlan

log = logging.getLogger(__name__)

_R = Reminder.__table__.c
_C = CalendarEntry.__table__.c

#: one read for what the move plans from: the stage plans of some stages of one initiative,
#: each with its dated open steps (if any; part 0, in step order), and the resident group as
#: engine.reminders.deadlines.group_members lists it (part 1: ``owner_id`` is the member)
_STAGE_ROWS = (
    select(
        literal_column("0", Integer()).label("part"),
        Step.id.label("ord"),
        StagePlan.stage_key,
        StagePlan.is_skipped,
        StagePlan.target_date,
        StagePlan.is_custom,
        StagePlan.custom_title,
        Step.id.label("step_id"),
        Step.title,
        Step.owner_id,
        Step.due_date,
    )
    .select_from(StagePlan)
    .outerjoin(
        Step,
        and_(
            Step.initiative_id == StagePlan.initiative_id,
            Step.stage_key == StagePlan.stage_key,
            Step.is_open,
            Step.due_date.is_not(None),
        ),
    )
    .where(
        StagePlan.initiative_id == bindparam("iid"),
        StagePlan.stage_key.in_(bindparam("stages", expanding=True)),
    )
)
_MEMBER_ROWS = select(
    literal_column("1", Integer()),
    Membership.id,
    *([null()] * 7),
    Membership.person_id,
    null(),
).where(
    Membership.initiative_id == bindparam("iid"),
    Membership.role.in_(sorted(RESIDENT_ROLES)),
)
_STAGES_AND_GROUP: CompoundSelect = union_all(_STAGE_ROWS, _MEMBER_ROWS).order_by("part", "ord")

#: one read for what the move may change: the calendar entries (part "c") and the plan
#: reminders (part "r") of the deadline keys it touches, each with the columns its sync reads
_CAL_PART = select(
    literal_column("'c'", String()).label("part"), *CALENDAR_COLUMNS[:2],
    null().label("status"), *CALENDAR_COLUMNS[2:],
).where(_C.key.in_(bindparam("keys", expanding=True)))  # fmt: skip
_REMINDER_PART = select(
    literal_column("'r'", String()), _R.id, _R.key, _R.status, null(), null(), _R.title,
    _R.link, null(), null(), null(), null(),
).where(
    _R.initiative_id == bindparam("iid"),
    _R.source.in_(PLAN_SOURCES),
    _R.deadline_key.in_(bindparam("keys", expanding=True)),
)  # fmt: skip
_EXISTING = union_all(_CAL_PART, _REMINDER_PART)


def stages_touched(plan: ProcessPlan, old: str, new: str, *, carried: bool = True) -> set[str]:
    """The stages whose reminders a move from ``old`` to ``new`` can change: those that stop
    or start lying ahead (``old`` itself on a move forward, ``new`` on a move back), and ``new``
    when steps were ``carried`` into it (they remind by its template's days now).

    A stage that lies ahead before and after the move and takes in no step keeps its reminders:
    ``new`` on a move forward with nothing carried, ``old`` on a move back. (A stage the plan
    does not know: both, as before.)"""
    touched = set(plan.from_here(old)) ^ set(plan.from_here(new))
    if carried or old not in plan.stages or new not in plan.stages:
        touched |= {old, new}
    return touched


def replan_move(
    session: Session,
    initiative_id: int,
    plan: ProcessPlan,
    defn: WorkflowDef,
    old: str,
    new: str,
    now: datetime,
    *,
    closed: Collection[int] = (),
    carried: Collection[int] = (),
) -> PlanReport:
    """Bring the reminders of the stages a move touched in line; ``closed``: the steps it
    closed (their reminders are cancelled), ``carried``: the steps it took along to ``new``.
    The initiative is not paused (it could not move)."""
    stages = stages_touched(plan, old, new, carried=bool(carried))
    ahead = set(plan.from_here(new))
    connection = session.connection()
    read = connection.execute(_STAGES_AND_GROUP, {"iid": initiative_id, "stages": sorted(stages)})
    rows, members = [], []
    for r in read:
        if r.part:
            members.append(r.owner_id)
        else:
            rows.append(r)
    live = {r.stage_key: r for r in rows if r.stage_key in ahead and not r.is_skipped}
    keys = {f"stage:{initiative_id}:{key}" for key in stages} | {f"step:{s}" for s in closed}
    keys |= {f"step:{r.step_id}" for r in rows if r.step_id is not None}
    deadlines = _deadlines(initiative_id, plan, defn, rows, live, members)
    report = PlanReport()
    entries: dict[str, Row] = {}
    reminders: dict[str, Row] = {}
    for r in connection.execute(_EXISTING, {"iid": initiative_id, "keys": sorted(keys)}):
        (entries if r.part == "c" else reminders)[r.key] = r
    sync_calendar(session, deadlines, [], now, report, existing=entries)
    sync_reminders(session, deadlines, [], False, set(), now, report, existing=reminders)
    if report.added or report.revived or report.changed or report.cancelled or report.calendar:
        log.info("reminders re-planned for %s (%s -> %s, stages %s): %s",
                 initiative_id, old, new, sorted(stages), report)  # fmt: skip
    return report


def _deadlines(iid, plan, defn, rows, live, members) -> list[Deadline]:
    found: list[Deadline] = []
    own = {k: r.custom_title or k for k, r in live.items() if r.is_custom}
    path = plan.with_own_titles(own)
    for key, r in live.items():
        if r.target_date is not None:
            found.append(_from(stage_deadline(iid, key, r.target_date, path, defn, members),
                               "stages"))  # fmt: skip
    days: dict[str, tuple[int, ...]] = {}
    for r in rows:
        if r.step_id is None or r.stage_key not in live:
            continue
        if r.stage_key not in days:
            days[r.stage_key] = stage_days(defn, r.stage_key, "step_due")
        deadline = step_deadline(iid, r.step_id, r.title, r.owner_id, r.due_date, members,
                                 days[r.stage_key])  # fmt: skip
        found.append(_from(deadline, "steps"))
    return found


def _from(deadline: Deadline, source: str) -> Deadline:
    object.__setattr__(deadline, "source", source)
    return deadline
