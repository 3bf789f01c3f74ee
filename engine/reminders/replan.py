"""Re-planning after a stage move: only the reminders of the stages whose reminders it changes.

A move changes which stages lie ahead of the group (a stage's steps and target date remind only
while the stage is ahead) and where the open steps of the stage left behind now are (carried to
the new stage, whose template may set other days, or closed). Everything else keeps its
reminders — also a stage that lies ahead before and after and takes in no step (see
:func:`stages_touched`) — so :func:`replan_move` reads and writes only the deadlines of the
stages that start or stop lying ahead and of a stage steps were carried into, from the
process plan and template definition the move already holds: one query for their stage plans,
dated open steps, the group, and the reminder rows and calendar entries of exactly those
deadline keys, then the writes (at most one per kind of change). The result is the same as a
full re-plan (:func:`engine.reminders.planner.plan_for` with the plan sources), which a property
test checks.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CompoundSelect,
    Date,
    Integer,
    Row,
    String,
    and_,
    bindparam,
    cast,
    literal,
    literal_column,
    null,
    or_,
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

#: One read for the whole re-plan, in four parts (``part``, then rows in their own columns,
#: NULL in the others; typed, so that PostgreSQL can match the parts' columns):
#:
#: * "c" and "r": what the move may change, the calendar entries and the plan reminders of the
#:   deadline keys it touches (the stages' keys and the closed steps', bound as ``keys``, and
#:   the dated open steps' of those stages, found in the same statement), in the columns and
#:   under the names their syncs read (CALENDAR_COLUMNS, and ``status`` for a reminder);
#: * "s": what the move plans from, the stage plans of those stages, each with its dated open
#:   steps (if any; in step order);
#: * "t": the resident group as engine.reminders.deadlines.group_members lists it (``owner_id``
#:   is the member).
_TOUCHED_STAGE = and_(
    StagePlan.initiative_id == bindparam("iid"),
    StagePlan.stage_key.in_(bindparam("stages", expanding=True)),
)
_DATED_OPEN_STEP = and_(
    Step.initiative_id == StagePlan.initiative_id,
    Step.stage_key == StagePlan.stage_key,
    Step.is_open,
    Step.due_date.is_not(None),
)
_STEP_KEYS = (
    select(literal("step:") + cast(Step.id, String))
    .select_from(StagePlan)
    .join(Step, _DATED_OPEN_STEP)
    .where(_TOUCHED_STAGE)
)
_PLAN_COLUMNS = (
    ("ord", Integer()), ("stage_key", String()), ("is_skipped", Boolean()),
    ("target_date", Date()), ("is_custom", Boolean()), ("custom_title", String()),
    ("step_id", Integer()), ("step_title", String()), ("owner_id", Integer()),
    ("due_date", Date()),
)  # fmt: skip
_NO_PLAN = [cast(null(), type_).label(name) for name, type_ in _PLAN_COLUMNS]
_NO_ENTRY = [
    cast(null(), c.type) for c in (*CALENDAR_COLUMNS[:2], _R.status, *CALENDAR_COLUMNS[2:])
]


def _part(name: str):
    return literal_column(f"'{name}'", String()).label("part")


_CAL_PART = select(
    _part("c"), *CALENDAR_COLUMNS[:2], cast(null(), _R.status.type).label("status"),
    *CALENDAR_COLUMNS[2:], *_NO_PLAN,
).where(
    or_(_C.key.in_(bindparam("keys", expanding=True)), _C.key.in_(_STEP_KEYS))
)  # fmt: skip
_REMINDER_PART = select(
    _part("r"), _R.id, _R.key, _R.status, *_NO_ENTRY[3:5], _R.title, _R.link, *_NO_ENTRY[7:],
    *_NO_PLAN,
).where(
    _R.initiative_id == bindparam("iid"),
    _R.source.in_(PLAN_SOURCES),
    or_(
        _R.deadline_key.in_(bindparam("keys", expanding=True)),
        _R.deadline_key.in_(_STEP_KEYS),
    ),
)  # fmt: skip
_STAGE_PART = (
    select(
        _part("s"), *_NO_ENTRY,
        Step.id, StagePlan.stage_key, StagePlan.is_skipped, StagePlan.target_date,
        StagePlan.is_custom, StagePlan.custom_title, Step.id, Step.title, Step.owner_id,
        Step.due_date,
    )
    .select_from(StagePlan)
    .outerjoin(Step, _DATED_OPEN_STEP)
    .where(_TOUCHED_STAGE)
)  # fmt: skip
_MEMBER_PART = select(
    _part("t"), *_NO_ENTRY, Membership.id, *_NO_PLAN[1:8], Membership.person_id, _NO_PLAN[9],
).where(
    Membership.initiative_id == bindparam("iid"),
    Membership.role.in_(sorted(RESIDENT_ROLES)),
)  # fmt: skip
_REPLAN_READ: CompoundSelect = union_all(
    _CAL_PART, _REMINDER_PART, _STAGE_PART, _MEMBER_PART
).order_by("part", "ord")


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
    keys = {f"stage:{initiative_id}:{key}" for key in stages} | {f"step:{s}" for s in closed}
    rows: list[Row] = []
    members: list[int] = []
    entries: dict[str, Row] = {}
    reminders: dict[str, Row] = {}
    read = session.connection().execute(
        _REPLAN_READ, {"iid": initiative_id, "stages": sorted(stages), "keys": sorted(keys)}
    )
    for r in read:
        if r.part == "s":
            rows.append(r)
        elif r.part == "t":
            members.append(r.owner_id)
        else:
            (entries if r.part == "c" else reminders)[r.key] = r
    live = {r.stage_key: r for r in rows if r.stage_key in ahead and not r.is_skipped}
    deadlines = _deadlines(initiative_id, plan, defn, rows, live, members)
    report = PlanReport()
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
        deadline = step_deadline(iid, r.step_id, r.step_title, r.owner_id, r.due_date, members,
                                 days[r.stage_key])  # fmt: skip
        found.append(_from(deadline, "steps"))
    return found


def _from(deadline: Deadline, source: str) -> Deadline:
    object.__setattr__(deadline, "source", source)
    return deadline
