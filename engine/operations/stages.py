"""Residents reshape the path: skip an optional stage, insert a stage of their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput, Refused
from engine.i18n import msg
from engine.machines import Graph, build_graph, make_graph_key, parse_graph_key
from engine.models import Decision, Initiative, Person, StagePlan, Step
from engine.models.consultations import Consultation
from engine.models.initiatives import LIVE_DECISION_STATUSES
from engine.operations.common import record
from engine.operations.plan import _begin, _past_stages, _plan, _stage_plan
from engine.reminders.planner import PLAN_SOURCES, plan_for
from engine.workflows.process_plan import ProcessPlan, process_plan
from engine.workflows.reshape import unguarded_ways


@dataclass(frozen=True)
class _GraphChange:
    """A new stage graph that passed the checks, with the decisions it stops."""

    key: str
    unfit: list[Decision]


def _check_graph_change(
    session: Session, initiative: Initiative, current: ProcessPlan, ops: list[tuple[str, ...]]
) -> _GraphChange:
    """Refuse a new stage graph that drops a template gate or from which a stage cannot reach the
    end; write nothing, so a refused change leaves every row as it was."""
    key = make_graph_key(ops)
    graph = build_graph(current.definition, key)
    if graph.conflicts:
        raise Refused(GATE_CONFLICTS[graph.conflicts[0].kind])
    if unguarded_ways(current.definition, graph):  # pragma: no cover - the rule prevents it
        raise Refused(
            msg(
                "With this change a stage could be reached without the conditions or the group "
                "decision the template asks for."
            )
        )
    if initiative.state not in graph.stages or not graph.reaches_final():
        raise Refused(msg("With this change the process could no longer reach its end."))
    before = build_graph(current.definition, initiative.graph_key)
    return _GraphChange(key, _unfit_decisions(session, initiative, before, graph))


def _apply_graph_change(
    session: Session,
    actor: Person,
    initiative: Initiative,
    current: ProcessPlan,
    change: _GraphChange,
    now: datetime,
) -> None:
    """Store a checked stage graph; renumber the plan; stop group decisions it no longer fits."""
    initiative.graph_key = change.key
    order = process_plan(current.content_hash, current.definition, change.key).shape.index
    for plan in session.scalars(select(StagePlan).where(StagePlan.initiative_id == initiative.id)):
        plan.position = order[plan.stage_key]
    _stop_unfit_decisions(session, actor, initiative, change.unfit, now)


#: why a skip is refused when the moves into and out of the stage cannot become one move
GATE_CONFLICTS = {
    "decision": msg(
        "This stage cannot be left out: the move into it and the move out of it ask for "
        "different kinds of group decision, and one move cannot carry both."
    ),
    "roles": msg(
        "This stage cannot be left out: nobody may make both the move into it and the move "
        "out of it."
    ),
}


def _unfit_decisions(
    session: Session, initiative: Initiative, before: Graph, after: Graph
) -> list[Decision]:
    """The live decisions on a move that no longer leaves this stage, or now asks another kind
    of decision; refused while the group pauses (no decision closes then, not by a reshape
    either), before anything is written."""
    live = session.scalars(
        select(Decision)
        .where(Decision.initiative_id == initiative.id, Decision.status.in_(LIVE_DECISION_STATUSES))
        .order_by(Decision.id)
    ).all()
    unfit = []
    for decision in live:
        old = before.find(decision.trigger, initiative.state)
        new = after.find(decision.trigger, initiative.state)
        if new is None or old is None or new.decision != old.decision:
            unfit.append(decision)
    if unfit and initiative.is_paused:
        raise Refused(
            msg(
                "The group has paused, and this change would stop a decision that is still "
                "running. Resume first, or change the path after the decision."
            )
        )
    return unfit


def _stop_unfit_decisions(
    session: Session,
    actor: Person,
    initiative: Initiative,
    unfit: list[Decision],
    now: datetime,
) -> None:
    """A decision that no longer fits the path is cancelled: it cannot count for the move the
    template now asks."""
    for decision in unfit:
        decision.status, decision.closed_dt = "cancelled", now
        record(
            session, initiative, actor, now, "decision.cancelled",
            decision=decision.id, trigger=decision.trigger, reason="plan",
        )  # fmt: skip


def _check_ahead(plan: ProcessPlan, initiative: Initiative, stage_key: str) -> None:
    if stage_key == initiative.state:
        raise Refused(msg("The group is in this stage now; it cannot be taken out of the path."))
    if stage_key in _past_stages(plan, initiative):
        raise Refused(msg("This stage is done; its history cannot be changed."))


def skip_stage(
    session: Session,
    actor: Person,
    initiative_id: int,
    stage_key: str,
    now: datetime,
    *,
    note: str | None = None,
    expected_version: int | None = None,
) -> StagePlan:
    """Leave an optional stage out of the path."""
    initiative = _begin(session, actor, initiative_id, expected_version)
    plan = _stage_plan(session, initiative, stage_key)
    path = _plan(session, initiative)
    stage = path.template_stage(stage_key)
    if plan.is_custom or stage is None or not stage.optional:
        raise Refused(msg("Only an optional stage of the template can be skipped."))
    if plan.is_skipped:
        raise Refused(msg("This stage is already skipped."))
    _check_ahead(path, initiative, stage_key)
    ops = parse_graph_key(initiative.graph_key)
    if any(op[0] == "insert" and op[2] == stage_key for op in ops):
        # the own stage would hang after a stage that is not walked: its gates have no place
        raise Refused(
            msg(
                "An own stage of the group follows this stage. Remove it first, then skip this one."
            )
        )
    ops.append(("skip", stage_key))
    change = _check_graph_change(session, initiative, path, ops)
    _apply_graph_change(session, actor, initiative, path, change, now)
    plan.is_skipped = True
    record(session, initiative, actor, now, "stage.skipped", note=note, stage=stage_key)
    session.flush()
    plan_for(session, initiative.id, now, sources=PLAN_SOURCES)
    return plan


def restore_stage(
    session: Session,
    actor: Person,
    initiative_id: int,
    stage_key: str,
    now: datetime,
    *,
    expected_version: int | None = None,
) -> StagePlan:
    """Put a skipped stage back on the path."""
    initiative = _begin(session, actor, initiative_id, expected_version)
    plan = _stage_plan(session, initiative, stage_key)
    if not plan.is_skipped:
        raise Refused(msg("This stage is not skipped."))
    path = _plan(session, initiative)
    _check_ahead(path, initiative, stage_key)
    ops = [op for op in parse_graph_key(initiative.graph_key) if op != ("skip", stage_key)]
    change = _check_graph_change(session, initiative, path, ops)
    _apply_graph_change(session, actor, initiative, path, change, now)
    plan.is_skipped = False
    record(session, initiative, actor, now, "stage.restored", stage=stage_key)
    session.flush()
    plan_for(session, initiative.id, now, sources=PLAN_SOURCES)
    return plan


def insert_stage(
    session: Session,
    actor: Person,
    initiative_id: int,
    *,
    after: str,
    title: str,
    description: str,
    now: datetime,
    expected_version: int | None = None,
) -> StagePlan:
    """Add a stage of the group's own after a stage that allows it."""
    initiative = _begin(session, actor, initiative_id, expected_version)
    title = " ".join((title or "").split())
    if not 3 <= len(title) <= 200:
        raise InvalidInput(msg("A stage needs a title of 3 to 200 characters."), field="title")
    after_plan = _stage_plan(session, initiative, after)
    path = _plan(session, initiative)
    stage = path.template_stage(after)
    if not after_plan.is_custom and not (stage is not None and stage.allow_insert_after):
        raise Refused(msg("The template does not allow an own stage after this one."))
    if after_plan.is_skipped:
        raise Refused(msg("This stage is skipped. Restore it first."))
    if after in _past_stages(path, initiative):
        raise Refused(msg("This stage is done; its history cannot be changed."))
    if path.is_final(after):
        raise Refused(msg("Nothing can follow the last stage."))
    taken = session.scalars(
        select(StagePlan.stage_key).where(
            StagePlan.initiative_id == initiative.id, StagePlan.is_custom.is_(True)
        )
    )
    numbers = [int(k.removeprefix("own_")) for k in taken if k.removeprefix("own_").isdigit()]
    key = f"own_{max(numbers, default=0) + 1}"
    ops = parse_graph_key(initiative.graph_key) + [("insert", key, after)]
    change = _check_graph_change(session, initiative, path, ops)
    plan = StagePlan(
        initiative_id=initiative.id,
        stage_key=key,
        position=0,
        is_custom=True,
        custom_title=title,
        custom_description=(description or "").strip() or None,
        inserted_after=after,
    )
    session.add(plan)
    session.flush()
    _apply_graph_change(session, actor, initiative, path, change, now)
    record(session, initiative, actor, now, "stage.inserted", stage=key, after=after, title=title)
    session.flush()
    return plan


def remove_stage(
    session: Session,
    actor: Person,
    initiative_id: int,
    stage_key: str,
    now: datetime,
    *,
    expected_version: int | None = None,
) -> None:
    """Take an own stage out again, as long as the group is not in it or past it, and it holds
    no steps and no consultation."""
    initiative = _begin(session, actor, initiative_id, expected_version)
    plan = _stage_plan(session, initiative, stage_key)
    if not plan.is_custom:
        raise Refused(msg("Only a stage the group added itself can be removed; skip others."))
    path = _plan(session, initiative)
    _check_ahead(path, initiative, stage_key)
    has_steps = session.scalar(
        select(func.count()).where(Step.initiative_id == initiative.id, Step.stage_key == stage_key)
    )
    if has_steps:
        raise Refused(msg("This stage still has steps. Remove or move them first."))
    # the group may have been in it and come back (a way back in the template): what it asked
    # the neighbourhood there, and what neighbours answered, stays readable with its stage
    if session.scalar(
        select(Consultation.id).where(
            Consultation.initiative_id == initiative.id, Consultation.stage_key == stage_key
        )
    ):
        raise Refused(
            msg(
                "The group asked the neighbourhood for their ideas in this stage. What neighbours "
                "wrote there stays, so the stage stays in the path."
            )
        )
    if any(
        op[0] == "insert" and op[2] == stage_key for op in parse_graph_key(initiative.graph_key)
    ):
        raise Refused(msg("Another own stage follows this one. Remove that one first."))
    ops = [op for op in parse_graph_key(initiative.graph_key) if op[:2] != ("insert", stage_key)]
    change = _check_graph_change(session, initiative, path, ops)  # before anything is written
    session.delete(plan)
    session.flush()
    _apply_graph_change(session, actor, initiative, path, change, now)
    record(
        session, initiative, actor, now, "stage.removed", stage=stage_key, title=plan.custom_title
    )
    session.flush()
    if plan.target_date is not None:
        plan_for(session, initiative.id, now, sources=PLAN_SOURCES)
