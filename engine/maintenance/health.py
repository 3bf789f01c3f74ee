"""Health signals about maintenance, for the coach's caseload.

``missed_streaks(session, initiative_ids) -> dict[int, int]`` gives, for every initiative asked
about, the longest run of turns missed in a row on one of its running tasks, counted back from
the most recent recorded turn (done, missed; skipped and cancelled turns neither break nor
lengthen a run). 0 means no turn was missed since the last one done. A run of
:data:`STREAK_SIGNAL` or more is worth a coach's attention: the association may need a hand
(too few volunteers, a task that no longer fits). One query for any number of initiatives.

Paused initiatives keep their number (the pause itself is what the caseload shows); turns
that fall inside a pause are skipped by the sweeper, so they never lengthen a run.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from engine.models import MaintenanceTask, Occurrence

#: a run of this many missed turns in a row is a health signal
STREAK_SIGNAL = 3


def missed_streaks(session: Session, initiative_ids: Iterable[int]) -> dict[int, int]:
    """Initiative id → the longest current run of missed turns of one of its running tasks."""
    ids = sorted(set(initiative_ids))
    streaks = dict.fromkeys(ids, 0)
    if not ids:
        return streaks
    done = aliased(Occurrence)
    last_done = (
        select(func.max(done.due_date))
        .where(done.task_id == Occurrence.task_id, done.status == "done")
        .correlate(Occurrence)
        .scalar_subquery()
    )
    per_task = (
        select(Occurrence.initiative_id, Occurrence.task_id, func.count().label("missed"))
        .join(MaintenanceTask, MaintenanceTask.id == Occurrence.task_id)
        .where(
            Occurrence.initiative_id.in_(ids),
            MaintenanceTask.is_active.is_(True),
            Occurrence.status == "missed",
            or_(last_done.is_(None), Occurrence.due_date > last_done),
        )
        .group_by(Occurrence.initiative_id, Occurrence.task_id)
        .subquery()
    )
    rows = session.execute(
        select(per_task.c.initiative_id, func.max(per_task.c.missed)).group_by(
            per_task.c.initiative_id
        )
    )
    for initiative_id, longest in rows:
        streaks[initiative_id] = longest
    return streaks


def needing_attention(session: Session, initiative_ids: Iterable[int]) -> dict[int, int]:
    """Only the initiatives whose run reached :data:`STREAK_SIGNAL`, with their run."""
    return {i: n for i, n in missed_streaks(session, initiative_ids).items() if n >= STREAK_SIGNAL}
