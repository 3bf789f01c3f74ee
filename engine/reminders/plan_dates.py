"""Deadlines of the process plan: due dates of steps and target dates of stages still ahead."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Initiative, StagePlan, Step
from engine.reminders.deadlines import Deadline, group_members
from engine.reminders.rules import stage_days
from engine.workflows.definitions import WorkflowDef
from engine.workflows.process_plan import ProcessPlan, own_titles, process_plan
from engine.workflows.versions import definitions_by_id


def _initiatives(session: Session, initiative_ids: Collection[int] | None):
    query = select(
        Initiative.id, Initiative.state, Initiative.graph_key, Initiative.workflow_version_id
    )
    if initiative_ids is not None:
        query = query.where(Initiative.id.in_(list(initiative_ids)))
    return session.execute(query).all()


@dataclass
class PlanAhead:
    """What the plan sources need of each initiative: its plan and the stages ahead."""

    plan: ProcessPlan
    ahead: set[str]

    @property
    def defn(self) -> WorkflowDef:
        return self.plan.definition


def plans_ahead(session: Session, initiative_ids: Collection[int] | None) -> dict[int, PlanAhead]:
    rows = _initiatives(session, initiative_ids)
    defs = definitions_by_id(session, {r.workflow_version_id for r in rows})
    shapes = {}
    for row in rows:
        plan = process_plan(*defs[row.workflow_version_id], row.graph_key)
        shapes[row.id] = PlanAhead(plan, set(plan.from_here(row.state)))
    return shapes


def _live_stages(session: Session, initiative_ids, shapes) -> dict[int, dict[str, Any]]:
    """The stage plans still ahead (current stage included), not skipped."""
    query = select(
        StagePlan.initiative_id,
        StagePlan.stage_key,
        StagePlan.target_date,
        StagePlan.is_custom,
        StagePlan.custom_title,
    ).where(StagePlan.is_skipped.is_(False))
    if initiative_ids is not None:
        query = query.where(StagePlan.initiative_id.in_(list(initiative_ids)))
    live: dict[int, dict[str, Any]] = defaultdict(dict)
    for plan in session.execute(query):
        shape = shapes.get(plan.initiative_id)
        if shape is not None and plan.stage_key in shape.ahead:
            live[plan.initiative_id][plan.stage_key] = plan
    return live


def steps_source(session: Session, initiative_ids, now: datetime) -> Iterable[Deadline]:
    """Open steps (not done, not closed) with a due date, in stages not yet behind the group."""
    query = select(
        Step.id, Step.initiative_id, Step.stage_key, Step.title, Step.owner_id, Step.due_date
    ).where(Step.is_open, Step.due_date.is_not(None))
    if initiative_ids is not None:
        query = query.where(Step.initiative_id.in_(list(initiative_ids)))
    steps = session.execute(query.order_by(Step.id)).all()
    if not steps:
        return
    ids = {s.initiative_id for s in steps}
    shapes = plans_ahead(session, ids)
    live = _live_stages(session, ids, shapes)
    members = group_members(session, ids)
    days: dict[tuple[int, str], tuple[int, ...]] = {}
    for sid, iid, stage_key, title, owner_id, due_date in steps:
        if stage_key not in live.get(iid, {}):
            continue
        if (iid, stage_key) not in days:
            days[(iid, stage_key)] = stage_days(shapes[iid].defn, stage_key, "step_due")
        # the query takes only steps with a due date
        yield step_deadline(iid, sid, title, owner_id, cast(date, due_date), members.get(iid, ()),
                            days[(iid, stage_key)])  # fmt: skip


def stages_source(session: Session, initiative_ids, now: datetime) -> Iterable[Deadline]:
    """Target dates of the stages still ahead."""
    query = select(StagePlan.initiative_id).where(StagePlan.target_date.is_not(None))
    if initiative_ids is not None:
        query = query.where(StagePlan.initiative_id.in_(list(initiative_ids)))
    ids = set(session.scalars(query))
    if not ids:
        return
    shapes = plans_ahead(session, ids)
    members = group_members(session, ids)
    for iid, plans in sorted(_live_stages(session, ids, shapes).items()):
        defn = shapes[iid].defn
        path = shapes[iid].plan.with_own_titles(own_titles(plans.values()))
        for key, plan in plans.items():
            if plan.target_date is None:
                continue
            yield stage_deadline(iid, key, plan.target_date, path, defn, members.get(iid, ()))


def step_deadline(
    iid: int,
    sid: int,
    title: str,
    owner_id: int | None,
    due_date: date,
    members: Iterable[int],
    days: tuple[int, ...],
) -> Deadline:
    """A step's due date: its owner is reminded, or the whole group when it has none."""
    return Deadline(
        key=f"step:{sid}",
        initiative_id=iid,
        person_ids=(owner_id,) if owner_id else tuple(members),
        kind="step_due",
        date=due_date,
        title=title,
        link=f"/initiatives/{iid}#step-{sid}",
        days=days,
    )


def stage_deadline(
    iid: int,
    key: str,
    target_date: date,
    path: ProcessPlan,
    defn: WorkflowDef,
    members: Iterable[int],
) -> Deadline:
    """A stage's target date, for the whole group."""
    return Deadline(
        key=f"stage:{iid}:{key}",
        initiative_id=iid,
        person_ids=tuple(members),
        kind="stage_target",
        date=target_date,
        title=path.title(key).as_dict(),
        link=f"/initiatives/{iid}#stage-{key}",
        days=stage_days(defn, key, "stage_target"),
    )
