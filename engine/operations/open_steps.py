"""The open steps a move leaves behind: taken along to the next stage, or closed.

Nothing the group planned disappears when it moves on. A move forward puts the stage the group
leaves behind it — and any stage it passes over on the way. Each open step (neither done nor
closed) of those stages is either *carried*: it moves to the new stage's checklist with its
owner, due date and reminders; or *closed*: it stays in its own stage's list, marked as closed
without being done, and its reminders stop. Each gets its own event in the history
(``step.carried``, ``step.closed``). A move back leaves nothing behind: the steps of the stage
the group leaves stay planned there, for when it comes back.

The move runs on Core statements (:func:`engine.operations.transitions.fire_transition` is the
engine's hot path and sets the initiative's version itself), so this module writes steps and
events through the connection and expires loaded copies.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, false, func, insert, select, update
from sqlalchemy.orm import Session

from engine.errors import Conflict, InvalidInput
from engine.i18n import msg
from engine.models import Event, Step
from engine.reminders.planner import expire_loaded

log = logging.getLogger(__name__)

CARRY, CLOSE = "carry", "close"
#: what the group may choose for the open steps a move leaves behind; carrying is the default
OPEN_STEP_CHOICES = (CARRY, CLOSE)

_S = Step.__table__
_EVENTS = Event.__table__


@dataclass(frozen=True, slots=True)
class OpenStep:
    id: int
    stage_key: str
    title: str
    due_date: date | None


@dataclass(frozen=True, slots=True)
class LeftBehind:
    """What became of the open steps a move left behind (step ids)."""

    carried: tuple[int, ...] = ()
    closed: tuple[int, ...] = ()


def stages_left_behind(order: Sequence[str], state: str, dest: str) -> tuple[str, ...]:
    """The stages a move from ``state`` to ``dest`` puts behind the group, in plan order.

    ``order`` is the plan's order of stages, skipped ones included (``ProcessPlan.stages``).
    Moving forward leaves ``state`` and every stage passed over; moving back leaves none.
    """
    if state not in order or dest not in order:
        return ()
    here, there = order.index(state), order.index(dest)
    return tuple(order[here:there]) if there > here else ()


def check_choice(choice: str) -> str:
    """The choice for the open steps, or a refusal naming the field."""
    if choice not in OPEN_STEP_CHOICES:
        raise InvalidInput(
            msg("Choose whether the open steps go along to the next stage or are closed."),
            field="open_steps",
        )
    return choice


def _open_in(stages: Collection[str]):
    return (
        _S.c.initiative_id == bindparam("iid"),
        _S.c.stage_key.in_(list(stages)),
        _S.c.is_done == false(),
        _S.c.closed_dt.is_(None),
    )


def open_steps_in(session: Session, initiative_id: int, stages: Sequence[str]) -> list[OpenStep]:
    """The open steps of these stages, in plan order and then checklist order."""
    if not stages:
        return []
    rows = session.connection().execute(
        select(_S.c.id, _S.c.stage_key, _S.c.title, _S.c.due_date, _S.c.position)
        .where(*_open_in(stages))
        .order_by(_S.c.position, _S.c.id),
        {"iid": initiative_id},
    )
    place = {key: i for i, key in enumerate(stages)}
    ordered = sorted(rows, key=lambda r: (place[r.stage_key], r.position, r.id))
    return [OpenStep(r.id, r.stage_key, r.title, r.due_date) for r in ordered]


def check_seen(steps: list[OpenStep], expected: Collection[int] | None) -> None:
    """Refuse when the open steps are not the ones the group saw when it chose."""
    if expected is not None and set(expected) != {s.id for s in steps}:
        raise Conflict(
            msg(
                "The open steps changed since you looked. Nothing was saved; check the list "
                "and choose again."
            ),
            field="open_steps",
        )


_CARRY_ONE = (
    update(_S)
    .where(
        _S.c.id == bindparam("sid"),
        _S.c.stage_key == bindparam("was"),
        _S.c.is_done == false(),
        _S.c.closed_dt.is_(None),
    )
    .values(
        stage_key=bindparam("dest"),
        carried_from=bindparam("was"),
        position=bindparam("pos"),
    )  # the version stays: a member's edit of the step goes on to count after the carry
)


def _carry(session: Session, initiative_id: int, steps: list[OpenStep], dest: str) -> None:
    connection = session.connection()
    base = connection.execute(
        select(func.coalesce(func.max(_S.c.position) + 1, 0)).where(
            _S.c.initiative_id == initiative_id, _S.c.stage_key == dest
        )
    ).scalar_one()
    # one by one, each still open where it was: a step finished at the same moment is a conflict
    for offset, step in enumerate(steps):
        result = connection.execute(
            _CARRY_ONE, {"sid": step.id, "was": step.stage_key, "dest": dest, "pos": base + offset}
        )
        if result.rowcount != 1:
            raise Conflict()


def _close(
    session: Session,
    initiative_id: int,
    actor_id: int | None,
    steps: list[OpenStep],
    now: datetime,
) -> None:
    stages = {s.stage_key for s in steps}
    result = session.connection().execute(
        update(_S)
        .where(*_open_in(stages), _S.c.id.in_([s.id for s in steps]))
        .values(closed_dt=now, closed_by_id=actor_id, version=_S.c.version + 1),
        {"iid": initiative_id},
    )
    if result.rowcount != len(steps):
        raise Conflict()


def leave_steps(
    session: Session,
    initiative_id: int,
    actor_id: int | None,
    steps: list[OpenStep],
    *,
    dest: str,
    choice: str,
    now: datetime,
) -> LeftBehind:
    """Carry the open ``steps`` (of the stages left behind) to ``dest``, or close them.

    One event per step. A step someone finished or closed at the same moment makes the whole
    move a :class:`Conflict` (nothing is saved).
    """
    steps = [s for s in steps if s.stage_key != dest]
    if not steps:
        return LeftBehind()
    if choice == CARRY:
        _carry(session, initiative_id, steps, dest)
    else:
        _close(session, initiative_id, actor_id, steps, now)
    session.connection().execute(
        insert(_EVENTS),
        [
            {
                "initiative_id": initiative_id,
                "actor_id": actor_id,
                "created_dt": now,
                "kind": "step.carried" if choice == CARRY else "step.closed",
                "from_stage": s.stage_key,
                "to_stage": dest if choice == CARRY else None,
                "note": None,
                "data": {
                    "step": s.id,
                    "title": s.title,
                    "due": s.due_date.isoformat() if s.due_date is not None else None,
                },
            }
            for s in steps
        ],
    )
    expire_loaded(session, Step)
    ids = tuple(s.id for s in steps)
    log.info(
        "initiative %s: open steps %s %s to %s by %s",
        initiative_id, ids, "carried" if choice == CARRY else "closed", dest, actor_id,
    )  # fmt: skip
    return LeftBehind(carried=ids) if choice == CARRY else LeftBehind(closed=ids)
