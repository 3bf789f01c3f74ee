"""Moving an initiative between stages: what is possible, why not, and firing."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, bindparam, case, insert, or_, select, update
from sqlalchemy.orm import Session
from transitions import MachineError

from engine.db import conflict_guard
from engine.errors import Blocked, Conflict, InvalidInput, PermissionDenied
from engine.guards import check_guards
from engine.i18n import Msg, msg
from engine.machines import machines
from engine.metrics import TRANSITIONS
from engine.models import Decision, Event, Initiative, Person, StagePlan
from engine.models.initiatives import LIVE_DECISION_STATUSES
from engine.notifications import events as notifications
from engine.operations.common import Facts, load_facts, take_turn
from engine.operations.open_steps import (
    CARRY,
    check_choice,
    check_seen,
    leave_steps,
    open_steps_in,
    stages_left_behind,
)
from engine.permissions import can_fire
from engine.reminders.replan import replan_move
from engine.wording import role_words
from engine.workflows.definitions import Text, TransitionDef
from engine.workflows.process_plan import ProcessPlan, process_plan
from engine.workflows.versions import definition_by_hash

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Move:
    """One possible transition from the current stage, and why it is blocked if it is."""

    trigger: str
    title: Text
    dest: str
    roles: tuple[str, ...]
    decision_rule: str | None
    #: the live (open or approved) decision for this move, if any
    decision: Decision | None
    reasons: list[Msg] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.reasons


def _role_reason(t: TransitionDef, role: str | None) -> Msg | None:
    if can_fire(role, t.roles):
        return None
    if role is None:
        return msg("Join this initiative to take part in its decisions.")
    return msg(
        "Only %(roles)s can do this.",
        roles=tuple(role_words(r).plural for r in t.roles),
    )


def _decision_reason(t: TransitionDef, status: str | None) -> Msg | None:
    """``status``: that of the live decision on this move (None: there is none)."""
    if t.decision is None:
        return None
    if status is None:
        return msg("The group decides on this first: open a group decision.")
    if status == "open":
        return msg("A group decision on this is still open: vote, or wait for the outcome.")
    return None


_LIVE_DECISIONS = select(Decision).where(
    Decision.initiative_id == bindparam("iid"), Decision.status.in_(LIVE_DECISION_STATUSES)
)


def _live_decisions(
    session: Session, initiative_id: int, read: Iterable[Decision] | None
) -> dict[str, Decision]:
    """The live decision of each move, from ``read`` when the caller read them already."""
    rows = session.scalars(_LIVE_DECISIONS, {"iid": initiative_id}) if read is None else read
    return {d.trigger: d for d in rows if d.status in LIVE_DECISION_STATUSES}


def _reasons(t: TransitionDef, facts: Facts, decision: str | None) -> list[Msg]:
    """Why ``t`` cannot be made; ``decision``: the status of its live decision, if any."""
    reasons: list[Msg] = []
    if facts.is_paused:
        reasons.append(msg("This initiative is paused. Resume it first."))
    role_reason = _role_reason(t, facts.role)
    if role_reason is not None:
        reasons.append(role_reason)
    reasons.extend(check_guards(t.guards, facts.context))
    decision_reason = _decision_reason(t, decision)
    if decision_reason is not None:
        reasons.append(decision_reason)
    return reasons


def list_moves(session: Session, actor: Person | None, initiative: Initiative) -> list[Move]:
    """Every transition out of the current stage, each with its blocking reasons."""
    return moves_and_facts(session, actor, initiative)[0]


def moves_and_facts(
    session: Session,
    actor: Person | None,
    initiative: Initiative,
    decisions: Iterable[Decision] | None = None,
) -> tuple[list[Move], Facts]:
    """``list_moves``, with the facts the moves were judged on (the initiative page hands its
    guard facts on to its panels instead of loading them again). ``decisions``: the
    initiative's decisions, every live one among them, when the caller read them already."""
    facts = load_facts(session, initiative.id, actor.id if actor else None)
    defn = definition_by_hash(session, facts.content_hash)
    pm = machines.get(facts.content_hash, defn, facts.graph_key)
    outgoing = pm.graph.outgoing(facts.state)
    if not outgoing:
        return [], facts
    live = _live_decisions(session, initiative.id, decisions)
    moves = [
        Move(
            trigger=t.trigger,
            title=t.title,
            dest=t.dest,
            roles=t.roles,
            decision_rule=t.decision.rule if t.decision else None,
            decision=live.get(t.trigger),
            reasons=_reasons(t, facts, _status(live.get(t.trigger))),
        )
        for t in outgoing
    ]
    return moves, facts


def _status(decision: Decision | None) -> str | None:
    return decision.status if decision is not None else None


@dataclass(frozen=True, slots=True)
class Fired:
    """The outcome of a transition that was made."""

    initiative_id: int
    trigger: str
    from_stage: str
    to_stage: str
    version: int
    event_id: int
    #: the open steps of the stage left behind: taken along to ``to_stage``, or closed
    carried: tuple[int, ...] = ()
    closed: tuple[int, ...] = ()


_EVENTS = Event.__table__
_INITIATIVES = Initiative.__table__
_CAS = (
    update(_INITIATIVES)
    .where(_INITIATIVES.c.id == bindparam("iid"), _INITIATIVES.c.version == bindparam("old"))
    .values(
        state=bindparam("dest"),
        version=bindparam("new"),
        stage_entered_dt=bindparam("now"),
        last_activity_dt=bindparam("now"),
    )
)
_INSERT_EVENT = insert(_EVENTS).returning(_EVENTS.c.id)
_DECISIONS = Decision.__table__
_CANCEL_DECISIONS = (
    update(_DECISIONS)
    .where(
        _DECISIONS.c.initiative_id == bindparam("iid"),
        or_(_DECISIONS.c.status == "open", _DECISIONS.c.status == "approved"),
    )
    .values(status="cancelled", closed_dt=bindparam("now"))
)
#: the live decision on one move: its id and status (Core: no ORM object is loaded)
_LIVE_DECISION = select(_DECISIONS.c.id, _DECISIONS.c.status).where(
    _DECISIONS.c.initiative_id == bindparam("iid"),
    _DECISIONS.c.trigger == bindparam("trigger"),
    or_(_DECISIONS.c.status == "open", _DECISIONS.c.status == "approved"),
)
_USED = bindparam("used", type_=Integer())
_USE_DECISION = update(_DECISIONS).where(_DECISIONS.c.id == _USED).values(status="used")
#: the decision used up and the others cancelled (they were about moves out of the stage the
#: move leaves), in one statement
_USE_AND_CANCEL = (
    update(_DECISIONS)
    .where(
        _DECISIONS.c.initiative_id == bindparam("iid"),
        or_(_DECISIONS.c.status == "open", _DECISIONS.c.status == "approved"),
    )
    .values(
        status=case((_DECISIONS.c.id == bindparam("used"), "used"), else_="cancelled"),
        closed_dt=case(
            (_DECISIONS.c.id == bindparam("used"), _DECISIONS.c.closed_dt),
            else_=bindparam("now"),
        ),
    )
)


def fire_transition(
    session: Session,
    actor: Person,
    initiative_id: int,
    trigger: str,
    now: datetime,
    *,
    note: str | None = None,
    expected_version: int | None = None,
    open_steps: str = CARRY,
    expected_open_steps: Collection[int] | None = None,
) -> Fired:
    """Move the initiative on by ``trigger`` if role, guards and decision rule allow it.

    The open steps of the stage it leaves (a move whose guards allow open steps) go along to
    the next stage (``open_steps="carry"``, the default) or are closed without being done
    (``"close"``); ``expected_open_steps``, the ids the group saw when it chose, makes the move
    a :class:`Conflict` when the open steps have changed since.

    This is the hot path of the engine: the initiative's turn is taken (see
    :func:`~engine.operations.common.lock_initiative`: a step added or reopened, a document
    removed at the same moment is either seen by the guards or refused afterwards, never
    missed), one query loads everything the move needs, a compare-and-set update on the
    version moves it, one insert writes the history.
    """
    check_choice(open_steps)
    session.flush()  # the facts query bypasses autoflush; pending ORM changes go first
    take_turn(session, initiative_id)
    facts = load_facts(session, initiative_id, actor.id, now)
    if expected_version is not None and expected_version != facts.version:
        raise Conflict()
    defn = definition_by_hash(session, facts.content_hash)
    pm = machines.get(facts.content_hash, defn, facts.graph_key)
    t = pm.graph.find(trigger, facts.state)
    if t is None:
        raise InvalidInput(msg("This move is not possible from the current stage."))
    role_reason = _role_reason(t, facts.role)
    if role_reason is not None:
        raise PermissionDenied(role_reason)
    decision = None
    if t.decision is not None:
        decision = (
            session.connection()
            .execute(_LIVE_DECISION, {"iid": initiative_id, "trigger": trigger})
            .first()
        )
    reasons = _reasons(t, facts, decision.status if decision is not None else None)
    if reasons:
        raise Blocked(msg("This move is not possible yet."), reasons)
    try:
        dest = pm.fire(facts.state, trigger)
    except MachineError as exc:  # pragma: no cover - graph.find already checked
        raise InvalidInput(msg("This move is not possible from the current stage.")) from exc
    plan = process_plan(facts.content_hash, defn, facts.graph_key)
    behind = stages_left_behind(plan.stages, facts.state, dest)
    # the query only when there can be open steps: some in this stage, or stages passed over
    leaving = (
        open_steps_in(session, initiative_id, behind)
        if facts.context.open_steps or len(behind) > 1
        else []
    )
    check_seen(leaving, expected_open_steps)
    new_version = facts.version + 1
    with conflict_guard():
        connection = session.connection()
        result = connection.execute(
            _CAS,
            {"iid": initiative_id, "old": facts.version, "new": new_version, "dest": dest,
             "now": now},
        )  # fmt: skip
        if result.rowcount != 1:
            raise Conflict()
        left = leave_steps(
            session, initiative_id, actor.id, leaving, dest=dest, choice=open_steps, now=now
        )
        event_id = connection.execute(
            _INSERT_EVENT,
            {
                "initiative_id": initiative_id,
                "actor_id": actor.id,
                "created_dt": now,
                "kind": "transition",
                "from_stage": facts.state,
                "to_stage": dest,
                "note": note or None,
                "data": {"trigger": trigger},
            },
        ).scalar_one()
        # the decision is used up; decisions about other moves out of the stage we leave no
        # longer apply
        others = facts.live_decisions > (1 if decision is not None else 0)
        if decision is not None and others:
            connection.execute(_USE_AND_CANCEL,
                               {"iid": initiative_id, "used": decision.id, "now": now})  # fmt: skip
        elif decision is not None:
            connection.execute(_USE_DECISION, {"used": decision.id})
        elif others:
            connection.execute(_CANCEL_DECISIONS, {"iid": initiative_id, "now": now})
    _forget(session, initiative_id, decisions=decision is not None or others)
    entered = _stage_title(session, plan, initiative_id, dest)
    notifications.stage_moved(
        session, initiative_id, entered, actor, now, title=facts.title, language=facts.language
    )
    if dest != facts.state and facts.has_dates:
        # only the stages whose reminders the move changes, from the plan in hand
        replan_move(session, initiative_id, plan, defn, facts.state, dest, now,
                    closed=left.closed, carried=left.carried)  # fmt: skip
    TRANSITIONS.labels(trigger).inc()
    log.info(
        "initiative %s: transition %s %s -> %s by %s",
        initiative_id, trigger, facts.state, dest, actor.id,
        extra={"event": "transition", "initiative_id": initiative_id, "trigger": trigger,
               "from_stage": facts.state, "to_stage": dest, "actor_id": actor.id},
    )  # fmt: skip
    return Fired(
        initiative_id, trigger, facts.state, dest, new_version, event_id, left.carried, left.closed
    )


def _forget(session: Session, initiative_id: int, *, decisions: bool = False) -> None:
    """Expire a loaded copy of the initiative (and, with ``decisions``, of any decision: the
    move wrote theirs with Core statements), so it is read again after the update."""
    loaded = session.identity_map.get(session.identity_key(Initiative, initiative_id))
    if loaded is not None:
        session.expire(loaded)
    if decisions:
        for key in [k for k in session.identity_map.keys() if k[0] is Decision]:
            found = session.identity_map.get(key)
            if found is not None:
                session.expire(found)


_OWN_TITLE = select(StagePlan.custom_title).where(
    StagePlan.initiative_id == bindparam("iid"),
    StagePlan.stage_key == bindparam("key"),
    StagePlan.is_custom.is_(True),
)


def _stage_title(session: Session, plan: ProcessPlan, initiative_id: int, key: str) -> Text:
    """The title of the stage the move entered: the template's from the plan in hand; the
    residents' own (one read) only when it is a stage they inserted."""
    if key not in plan.shape.own:
        return plan.title(key)
    own = session.connection().execute(_OWN_TITLE, {"iid": initiative_id, "key": key}).first()
    if own is None:
        return plan.title(key)
    title = own.custom_title or key
    return Text(title, title)
