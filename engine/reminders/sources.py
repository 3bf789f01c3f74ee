"""Where deadlines come from: the list of sources, one small function per kind of dated thing.

A source is ``fn(session, initiative_ids, now) -> Iterable[Deadline]`` (engine.reminders.deadlines):
every deadline of those initiatives (``None``: of all initiatives) as it stands now. The planner
compares what the sources say with the rows it has and adds, moves or cancels reminders and
calendar entries.

Every source is listed in :data:`SOURCES`. A source whose own operations call
``engine.reminders.planner.plan_for(session, initiative_id, now, sources=(name,))`` after a
change is planned in the same transaction as the change; one with ``swept=True`` is
(also) reconciled by the periodic planner, for dates that change without such a call.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from engine.maintenance.deadlines import review_source, turns_source
from engine.meetings.deadlines import meetings_source
from engine.reminders.deadlines import (
    Deadline,
    Source,
    SourceFn,
    coaches,
    group_members,
)
from engine.reminders.municipal import stalled_source, support_source
from engine.reminders.plan_dates import stages_source, steps_source

__all__ = [
    "BUILT_IN",
    "SOURCES",
    "Deadline",
    "Source",
    "SourceFn",
    "coaches",
    "collect",
    "collect_safely",
    "group_members",
]

log = logging.getLogger(__name__)

#: name → source; the planner asks them in this order
SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source("steps", steps_source),
        Source("stages", stages_source),
        Source("support", support_source, swept=True),
        Source("stalled", stalled_source, swept=True),
        Source("maintenance", turns_source, swept=True),
        Source("maintenance_review", review_source, swept=True),
        Source("meetings", meetings_source, swept=True),
    )
}
#: a failure of one of these fails the change; a failing maintenance source is logged and
#: skipped, so that zelfbeheer's reminders never stand in the way of a resident's stage change
BUILT_IN = frozenset({"steps", "stages", "support", "stalled"})


def collect(
    session: Session, initiative_ids: Collection[int] | None, now: datetime, names: Iterable[str]
) -> list[Deadline]:
    """Every deadline the named sources report, each marked with its source."""
    found: list[Deadline] = []
    for name in names:
        source = SOURCES[name]
        for deadline in source.fn(session, initiative_ids, now):
            found.append(_with_source(deadline, name))
    return found


def collect_safely(
    session: Session, initiative_ids: Collection[int] | None, now: datetime, names: list[str]
) -> tuple[list[Deadline], list[str]]:
    """Like :func:`collect`, but a failing source other than the built-in ones is left out
    (inside a savepoint, its rows untouched) instead of failing the resident's change."""
    found: list[Deadline] = []
    planned: list[str] = []
    for name in names:
        if name in BUILT_IN:
            found.extend(collect(session, initiative_ids, now, [name]))
            planned.append(name)
            continue
        try:
            with session.begin_nested():
                found.extend(collect(session, initiative_ids, now, [name]))
            planned.append(name)
        except Exception:  # noqa: BLE001 - someone else's source must not break this change
            log.exception("reminder source %s failed; its reminders stay as they were", name)
    return found, planned


def _with_source(deadline: Deadline, name: str) -> Deadline:
    object.__setattr__(deadline, "source", name)
    return deadline
