"""Deadlines of the process plan: due dates of steps and target dates of stages still ahead."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.machines import build_graph, make_graph_key, parse_graph_key
from engine.models import Initiative, StagePlan, Step
from engine.reminders.deadlines import Deadline, group_members
from engine.reminders.rules import stage_days
from engine.workflows.definitions import Text, WorkflowDef
from engine.workflows.versions import definition_of


def _initiatives(session: Session, initiative_ids: Collection[int] | None):
    query = select(
        Initiative.id, Initiative.state, Initiative.graph_key, Initiative.workflow_version_id
    )
    if initiative_ids is not None:
        query = query.where(Initiative.id.in_(list(initiative_ids)))
    return session.execute(query).all()


def definitions(session: Session, version_ids: set[int]) -> dict[int, WorkflowDef]:
    from engine.models import WorkflowVersion

    rows = session.scalars(select(WorkflowVersion).where(WorkflowVersion.id.in_(version_ids)))
    return {row.id: definition_of(row) for row in rows}


@dataclass
class PlanShape:
    """What the plan sources need of each initiative: its template and the stages ahead."""

    defn: WorkflowDef
    ahead: set[str]


def plan_shapes(session: Session, initiative_ids: Collection[int] | None) -> dict[int, PlanShape]:
    rows = _initiatives(session, initiative_ids)
    defs = definitions(session, {r.workflow_version_id for r in rows})
    shapes = {}
    orders: dict[tuple[int, str], list[str]] = {}  # most initiatives share a graph
    for row in rows:
        defn = defs[row.workflow_version_id]
        order = orders.get((row.workflow_version_id, row.graph_key))
        if order is None:
            ops = [op for op in parse_graph_key(row.graph_key) if op[0] != "skip"]
            order = list(build_graph(defn, make_graph_key(ops)).stages)
            orders[(row.workflow_version_id, row.graph_key)] = order
        here = order.index(row.state) if row.state in order else 0
        shapes[row.id] = PlanShape(defn, set(order[here:]))
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


def stage_title(defn: WorkflowDef, plan: Any) -> dict[str, str]:
    """A stage's title in both languages (a StagePlan, or a row with its columns)."""
    if plan.is_custom or plan.stage_key not in defn.stage_ids:
        title = plan.custom_title or plan.stage_key
        return {"nl": title, "en": title}
    text: Text = defn.stage(plan.stage_key).title
    return text.as_dict()


def steps_source(session: Session, initiative_ids, now: datetime) -> Iterable[Deadline]:
    """Open steps with a due date, in stages not yet behind the group."""
    query = select(
        Step.id, Step.initiative_id, Step.stage_key, Step.title, Step.owner_id, Step.due_date
    ).where(Step.is_done.is_(False), Step.due_date.is_not(None))
    if initiative_ids is not None:
        query = query.where(Step.initiative_id.in_(list(initiative_ids)))
    steps = session.execute(query.order_by(Step.id)).all()
    if not steps:
        return
    ids = {s.initiative_id for s in steps}
    shapes = plan_shapes(session, ids)
    live = _live_stages(session, ids, shapes)
    members = group_members(session, ids)
    days: dict[tuple[int, str], tuple[int, ...]] = {}
    for sid, iid, stage_key, title, owner_id, due_date in steps:
        if stage_key not in live.get(iid, {}):
            continue
        if (iid, stage_key) not in days:
            days[(iid, stage_key)] = stage_days(shapes[iid].defn, stage_key, "step_due")
        yield Deadline(
            key=f"step:{sid}",
            initiative_id=iid,
            person_ids=(owner_id,) if owner_id else tuple(members.get(iid, ())),
            kind="step_due",
            date=due_date,
            title=title,
            link=f"/initiatives/{iid}#step-{sid}",
            days=days[(iid, stage_key)],
        )


def stages_source(session: Session, initiative_ids, now: datetime) -> Iterable[Deadline]:
    """Target dates of the stages still ahead."""
    query = select(StagePlan.initiative_id).where(StagePlan.target_date.is_not(None))
    if initiative_ids is not None:
        query = query.where(StagePlan.initiative_id.in_(list(initiative_ids)))
    ids = set(session.scalars(query))
    if not ids:
        return
    shapes = plan_shapes(session, ids)
    members = group_members(session, ids)
    for iid, plans in sorted(_live_stages(session, ids, shapes).items()):
        defn = shapes[iid].defn
        for key, plan in plans.items():
            if plan.target_date is None:
                continue
            yield Deadline(
                key=f"stage:{iid}:{key}",
                initiative_id=iid,
                person_ids=tuple(members.get(iid, ())),
                kind="stage_target",
                date=plan.target_date,
                title=stage_title(defn, plan),
                link=f"/initiatives/{iid}#stage-{key}",
                days=stage_days(defn, key, "stage_target"),
            )
