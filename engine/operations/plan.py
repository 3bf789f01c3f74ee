"""The process plan: residents' own steps, dates, skipped and inserted stages.

Steps are details: adding one needs no version, changing one compares the step's own version
(the page's ``expected_version`` for a step is the step's), and neither changes the
initiative's version. Target dates, skipped and inserted stages and the pace are the plan
itself: they compare and bump the initiative's version.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.errors import Conflict, InvalidInput, NotFound, Refused
from engine.i18n import Msg, msg
from engine.models import Initiative, Person, StagePlan, Step
from engine.notifications import events as notifications
from engine.operations.common import (
    check_row_version,
    check_version,
    lock_initiative,
    member_role,
    record,
    record_detail,
    require_change,
)
from engine.reminders.planner import PLAN_SOURCES, plan_for
from engine.timeutil import check_typed_date
from engine.workflows.process_plan import ProcessPlan, plan_of

MAX_STEP_TITLE = 300


def _begin(
    session: Session, actor: Person, initiative_id: int, expected_version: int | None
) -> Initiative:
    """Start a change of the plan itself: take the initiative's turn, check the actor and the
    initiative's version the page showed."""
    initiative = lock_initiative(session, initiative_id)
    require_change(session, initiative, actor)
    check_version(initiative, expected_version)
    return initiative


def _begin_step(
    session: Session,
    actor: Person,
    initiative_id: int,
    step_id: int,
    expected_version: int | None,
) -> tuple[Initiative, Step]:
    """Start a change of one step: take the initiative's turn, check the actor, that the step's
    stage is still open to changes (else nothing is to be done with it, however fresh the page)
    and then the step's own version the page showed."""
    initiative = lock_initiative(session, initiative_id)
    require_change(session, initiative, actor)
    step = _get_step(session, initiative, step_id, expected_version)
    _editable_stage(session, initiative, step.stage_key, past=_MOVED_ON)
    check_row_version(
        step,
        expected_version,
        msg(
            "Someone else changed the step “%(title)s” in the meantime. Nothing was saved; "
            "look at the step as it is now and try again.",
            title=step.title,
        ),
    )
    return initiative, step


def _plan(session: Session, initiative: Initiative) -> ProcessPlan:
    """The initiative's process plan (own stages' titles left out: operations need no titles)."""
    return plan_of(session, initiative, ())


def _past_stages(plan: ProcessPlan, initiative: Initiative) -> set[str]:
    return set(plan.before(initiative.state))


def _stage_plan(session: Session, initiative: Initiative, stage_key: str) -> StagePlan:
    plan = session.scalar(
        select(StagePlan).where(
            StagePlan.initiative_id == initiative.id, StagePlan.stage_key == stage_key
        )
    )
    if plan is None:
        raise NotFound(msg("This stage is not part of the plan."))
    return plan


#: a step op on a stage the group has left (maybe a moment ago, from a page that showed it open)
_MOVED_ON = msg(
    "The group has moved on from this stage, so its steps can no longer be added or changed. "
    "Nothing was saved."
)


def _editable_stage(
    session: Session, initiative: Initiative, stage_key: str, *, past: Msg | None = None
) -> StagePlan:
    """A stage whose steps and dates may still change: not behind the group, not skipped."""
    plan = _stage_plan(session, initiative, stage_key)
    if stage_key in _past_stages(_plan(session, initiative), initiative):
        raise Refused(past or msg("This stage is done; its history cannot be changed."))
    if plan.is_skipped:
        raise Refused(msg("This stage is skipped. Restore it first."))
    return plan


def _clean_step_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not 1 <= len(title) <= MAX_STEP_TITLE:
        raise InvalidInput(msg("A step needs a title of at most 300 characters."), field="title")
    return title


def _check_owner(session: Session, initiative: Initiative, owner_id: int | None) -> None:
    if owner_id is not None and member_role(session, initiative.id, owner_id) is None:
        raise InvalidInput(
            msg("A step can only be assigned to a member of the initiative."), field="owner_id"
        )


def _get_step(
    session: Session, initiative: Initiative, step_id: int, expected_version: int | None = None
) -> Step:
    """The step as it is now (read again after the initiative's lock, never an older copy)."""
    step = session.get(Step, step_id, populate_existing=True)
    if step is None or step.initiative_id != initiative.id:
        if expected_version is not None:  # the page showed it: someone removed it meanwhile
            raise Conflict(
                msg("Someone else removed this step in the meantime. Nothing was saved.")
            )
        raise NotFound(msg("This step does not exist."))
    return step


def add_step(
    session: Session,
    actor: Person,
    initiative_id: int,
    *,
    stage_key: str,
    title: str,
    now: datetime,
    owner_id: int | None = None,
    due_date: date | None = None,
) -> Step:
    """Add a step to a stage that is current or still to come; it needs no version: adding
    collides with nothing but the group leaving the stage (then it is refused)."""
    initiative = lock_initiative(session, initiative_id)
    require_change(session, initiative, actor)
    title = _clean_step_title(title)
    _editable_stage(session, initiative, stage_key, past=_MOVED_ON)
    _check_owner(session, initiative, owner_id)
    last = session.scalar(
        select(func.max(Step.position)).where(
            Step.initiative_id == initiative.id, Step.stage_key == stage_key
        )
    )
    step = Step(
        initiative_id=initiative.id,
        stage_key=stage_key,
        title=title,
        owner_id=owner_id,
        due_date=due_date,
        position=(last if last is not None else -1) + 1,
        created_dt=now,
    )
    session.add(step)
    session.flush()
    record_detail(session, initiative, actor, now, "step.added", step=step.id, title=title)
    notifications.step_assigned(session, step, actor, now)
    session.flush()
    if due_date is not None:
        plan_for(session, initiative.id, now, sources=PLAN_SOURCES)
    return step


def update_step(
    session: Session,
    actor: Person,
    initiative_id: int,
    step_id: int,
    *,
    title: str,
    owner_id: int | None,
    due_date: date | None,
    now: datetime,
    expected_version: int | None = None,
) -> Step:
    """Rename, assign or date a step (``expected_version``: the step's, as the page showed)."""
    initiative, step = _begin_step(session, actor, initiative_id, step_id, expected_version)
    title = _clean_step_title(title)
    check_typed_date(due_date, "due_date")
    _check_owner(session, initiative, owner_id)
    changes = {
        name: [str(old) if old is not None else None, str(new) if new is not None else None]
        for name, old, new in (
            ("title", step.title, title),
            ("owner", step.owner_id, owner_id),
            ("due", step.due_date, due_date),
        )
        if old != new
    }
    if changes:
        step.title, step.owner_id, step.due_date = title, owner_id, due_date
        record_detail(
            session, initiative, actor, now, "step.changed", step=step.id, changes=changes
        )
        if "owner" in changes:
            notifications.step_assigned(session, step, actor, now)
        session.flush()
        plan_for(session, initiative.id, now, sources=PLAN_SOURCES)
    return step


_POSITION = (
    update(Step.__table__)
    .where(Step.__table__.c.id == bindparam("sid"))
    .values(position=bindparam("position"))
)


def _renumber(session: Session, steps: list[Step]) -> None:
    """Number the steps in this order. The order is not part of any step's content: written
    around the versions, so reordering makes nobody's form for a step stale."""
    moved = [(s, index) for index, s in enumerate(steps) if s.position != index]
    if moved:
        session.connection().execute(
            _POSITION, [{"sid": s.id, "position": index} for s, index in moved]
        )
    for s, index in moved:
        set_committed_value(s, "position", index)


def move_step(
    session: Session,
    actor: Person,
    initiative_id: int,
    step_id: int,
    *,
    position: int,
    now: datetime,
    expected_version: int | None = None,
) -> Step:
    """Put a step at another place (0 = first) in its stage's checklist."""
    initiative, step = _begin_step(session, actor, initiative_id, step_id, expected_version)
    siblings = list(
        session.scalars(
            select(Step)
            .where(Step.initiative_id == initiative.id, Step.stage_key == step.stage_key)
            .order_by(Step.position, Step.id)
        )
    )
    siblings.remove(step)
    position = max(0, min(position, len(siblings)))
    siblings.insert(position, step)
    _renumber(session, siblings)
    record_detail(session, initiative, actor, now, "step.moved", step=step.id, position=position)
    session.flush()
    return step


def complete_step(
    session: Session,
    actor: Person,
    initiative_id: int,
    step_id: int,
    now: datetime,
    expected_version: int | None = None,
) -> Step:
    initiative, step = _begin_step(session, actor, initiative_id, step_id, expected_version)
    if step.is_done:
        raise Refused(msg("This step is already done."))
    if step.is_closed:
        raise Refused(msg("This step was closed without being done. Reopen it first."))
    step.is_done, step.done_dt, step.done_by_id = True, now, actor.id
    record_detail(session, initiative, actor, now, "step.done", step=step.id, title=step.title)
    session.flush()
    if step.due_date is not None:
        plan_for(session, initiative.id, now, sources=PLAN_SOURCES)
    return step


def reopen_step(
    session: Session,
    actor: Person,
    initiative_id: int,
    step_id: int,
    now: datetime,
    expected_version: int | None = None,
) -> Step:
    initiative, step = _begin_step(session, actor, initiative_id, step_id, expected_version)
    if step.is_open:
        raise Refused(msg("This step is still open."))
    # done, or closed without being done when the group left this stage before
    step.is_done, step.done_dt, step.done_by_id = False, None, None
    step.closed_dt, step.closed_by_id = None, None
    record_detail(session, initiative, actor, now, "step.reopened", step=step.id, title=step.title)
    session.flush()
    if step.due_date is not None:
        plan_for(session, initiative.id, now, sources=PLAN_SOURCES)
    return step


def remove_step(
    session: Session,
    actor: Person,
    initiative_id: int,
    step_id: int,
    now: datetime,
    expected_version: int | None = None,
) -> None:
    initiative, step = _begin_step(session, actor, initiative_id, step_id, expected_version)
    if step.is_done:
        raise Refused(msg("A completed step is part of the history. Reopen it first."))
    if step.is_closed:
        raise Refused(msg("A closed step is part of the history. Reopen it first."))
    record_detail(session, initiative, actor, now, "step.removed", step=step.id, title=step.title)
    dated = step.due_date is not None
    session.delete(step)
    session.flush()
    if dated:
        plan_for(session, initiative.id, now, sources=PLAN_SOURCES)


def set_target_date(
    session: Session,
    actor: Person,
    initiative_id: int,
    *,
    stage_key: str,
    target_date: date | None,
    now: datetime,
    expected_version: int | None = None,
) -> StagePlan:
    """Set or clear the date by which the group aims to finish a stage."""
    check_typed_date(target_date, "target_date")
    initiative = _begin(session, actor, initiative_id, expected_version)
    plan = _editable_stage(session, initiative, stage_key)
    if plan.target_date != target_date:
        old, plan.target_date = plan.target_date, target_date
        record(
            session,
            initiative,
            actor,
            now,
            "stage.target",
            stage=stage_key,
            old=old.isoformat() if old else None,
            new=target_date.isoformat() if target_date else None,
        )
        session.flush()
        plan_for(session, initiative.id, now, sources=PLAN_SOURCES)
    return plan
