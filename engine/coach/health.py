"""Health: why a coach might look at an initiative. The one home of every health definition.

Each signal is defined once here, as SQL that every query uses (the caseload, the reminder
sources) and as a value with its reason in words (the caseload's rows, the coach's pages):

* **stalled** — not paused, not in a final stage, and no activity since ``now - stalled_days``
  (:func:`stalled_before`, :func:`status_where`, :func:`status_of`);
* **overdue** — open steps whose due date has passed (:func:`count_overdue_steps`);
* **respond-by** — a support request still waiting for an answer whose respond-by date is near
  or past (:func:`waiting_request`, :func:`earliest_respond_by`, :func:`respond_by_signal`);
* **maintenance** — a run of :data:`STREAK_SIGNAL` or more turns missed in a row on one running
  maintenance task (:func:`missed_streak`, :func:`missed_streaks`);
* **concern** — a coach flagged one (the caseload reads the live concern itself).

A pause stops the group's clocks: a paused initiative is not stalled, and its overdue steps and
missed maintenance turns raise no signal while it pauses. A support request's respond-by is the
municipality's clock and keeps running.

``stalled_days`` is a value the caller passes in (from the configuration); nothing here reads
settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    and_,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import Label

from engine.i18n import Msg, msg, nmsg
from engine.models import Initiative, MaintenanceTask, Occurrence, Step, SupportRequest
from engine.models.support import WAITING_STATUSES
from engine.wording import respond_by_sentence
from engine.workdays import working_days_between

STATUSES = ("active", "paused", "stalled", "finished")
STATUS_LABELS: dict[str, Msg] = {
    "active": msg("Active"),
    "paused": msg("Paused"),
    "stalled": msg("Stalled"),
    "finished": msg("Finished"),
}
#: a waiting support request whose respond-by is this many working days away or fewer is "near"
NEAR_WORKING_DAYS = 2
#: a run of this many maintenance turns missed in a row is a health signal
STREAK_SIGNAL = 3

#: final stages per template version: ((version id, (stage key, …)), …), e.g. from
#: ``engine.coach.stages.load_versions(session).final_pairs()``
Finals = tuple[tuple[int, tuple[str, ...]], ...]

_S = Step.__table__.c
_R = SupportRequest.__table__.c


# -- the definitions, as SQL -----------------------------------------------------------------
# ``i`` is the column collection of the initiatives table or of an alias of it; ``cutoff`` and
# ``today`` are values or bind parameters (a cached statement binds them anew per execution).


def stalled_before(now: datetime, stalled_days: int) -> datetime:
    """Initiatives whose last activity is before this moment are stalled (unless paused)."""
    return now - timedelta(days=stalled_days)


def in_final_stage(i: Any, finals: Finals) -> ColumnElement[bool]:
    """The initiative stands in a final stage of its template version."""
    # plain comparisons, not IN: an IN list is rendered anew on every execution
    clauses = [
        and_(i.workflow_version_id == vid, or_(*(i.state == key for key in keys)))
        for vid, keys in finals
    ]
    return or_(*clauses) if clauses else false()


def status_where(i: Any, status: str, cutoff: Any, finals: Finals) -> list[ColumnElement[bool]]:
    """The initiatives with this status (see :func:`status_of`, its twin in Python)."""
    if status == "finished":
        return [in_final_stage(i, finals)]
    where = [not_(in_final_stage(i, finals))]
    if status == "paused":
        return [*where, i.is_paused == true()]
    idle = i.last_activity_dt < cutoff
    return [*where, i.is_paused == false(), idle if status == "stalled" else not_(idle)]


def stalled_where(i: Any, cutoff: Any, finals: Finals) -> list[ColumnElement[bool]]:
    """The stalled initiatives: not paused, not in a final stage, idle since before ``cutoff``."""
    return status_where(i, "stalled", cutoff, finals)


def count_overdue_steps(i: Any, today: Any) -> Label[int]:
    """The number of the initiative's open steps (not done, not closed) past their due date."""
    return (
        select(func.count())
        .where(
            _S.initiative_id == i.id,
            _S.is_done == false(),
            _S.closed_dt.is_(None),
            _S.due_date < today,
        )
        .scalar_subquery()
        .label("overdue_steps")
    )


def waiting_request(r: Any = _R) -> ColumnElement[bool]:
    """A support request still waiting for the municipality's answer."""
    # plain comparisons, not IN: they stay in the index on (initiative_id, status, respond_by)
    return or_(*(r.status == status for status in WAITING_STATUSES))


def count_waiting_requests(i: Any) -> Label[int]:
    """The number of the initiative's support requests waiting for an answer."""
    where = (_R.initiative_id == i.id, waiting_request())
    return select(func.count()).where(*where).scalar_subquery().label("waiting")


def earliest_respond_by(i: Any) -> Label[date]:
    """The earliest respond-by date of the initiative's waiting support requests."""
    where = (_R.initiative_id == i.id, waiting_request())
    return select(func.min(_R.respond_by_date)).where(*where).scalar_subquery().label("respond_by")


_TASK = aliased(MaintenanceTask, name="streak_task")
_TURN = aliased(Occurrence, name="turn")
_DONE = aliased(Occurrence, name="done_turn")
# constants written into the SQL, not bound: as bound parameters they made this subquery cost
# a 25-row caseload page ~0.2 ms on an analysed SQLite database (SQLite may re-plan a statement
# whose bound values meet an index it has statistics for); written in, next to nothing
_MISSED: ColumnElement[str] = literal_column("'missed'")
_DONE_STATUS: ColumnElement[str] = literal_column("'done'")
#: the task's last turn done (the start of time when none was)
_LAST_DONE = func.coalesce(
    select(func.max(_DONE.due_date))
    .where(_DONE.task_id == _TASK.id, _DONE.status == _DONE_STATUS)
    .correlate(_TASK)
    .scalar_subquery(),
    literal_column("'0001-01-01'", Date()),
)
#: a task's current run: its turns missed since its last turn done
_RUN = (
    select(func.count())
    .where(_TURN.task_id == _TASK.id, _TURN.status == _MISSED, _TURN.due_date > _LAST_DONE)
    .correlate(_TASK)
    .scalar_subquery()
)


def missed_streak(i: Any) -> Label[int]:
    """The longest current run of turns missed in a row on one of the initiative's running
    maintenance tasks, counted back from its most recent recorded turn (NULL: no task).

    A run counts the missed turns since the task's last turn done; skipped and cancelled turns
    neither break nor lengthen it (turns inside a pause are skipped by the sweeper). One
    aggregate over the initiative's tasks (by their index), each task's turns by theirs: no
    sorting, so a page pays next to nothing for the many initiatives without tasks.
    """
    return (
        select(func.max(_RUN))
        .where(_TASK.initiative_id == i.id, _TASK.is_active == true())
        .scalar_subquery()
        .label("missed_streak")
    )


def missed_streaks(session: Session, initiative_ids: Iterable[int]) -> dict[int, int]:
    """Initiative id → its :func:`missed_streak` (0: none), for every initiative asked about."""
    ids = sorted(set(initiative_ids))
    streaks = dict.fromkeys(ids, 0)
    if ids:
        i = Initiative.__table__.c
        rows = session.execute(select(i.id, missed_streak(i)).where(i.id.in_(ids)))
        streaks.update({row.id: row.missed_streak or 0 for row in rows})
    return streaks


def needing_attention(session: Session, initiative_ids: Iterable[int]) -> dict[int, int]:
    """Only the initiatives whose run reached :data:`STREAK_SIGNAL`, with their run."""
    return {i: n for i, n in missed_streaks(session, initiative_ids).items() if n >= STREAK_SIGNAL}


# -- the same definitions in Python, and the signals with their reasons ----------------------


def status_of(is_final: bool, is_paused: bool, last_activity_dt: datetime, cutoff: datetime) -> str:
    """An initiative's status (the twin of :func:`status_where`)."""
    if is_final:
        return "finished"
    if is_paused:
        return "paused"
    return "stalled" if last_activity_dt < cutoff else "active"


def is_late(respond_by: date, today: date) -> bool:
    """A respond-by date that has passed (answering on the day itself is in time)."""
    return respond_by < today


def respond_by_standing(respond_by: date, today: date) -> tuple[str, int]:
    """Where a waiting request stands: ("late", days), ("today", 0) or ("left", working days)."""
    if is_late(respond_by, today):
        return "late", (today - respond_by).days
    if respond_by == today:
        return "today", 0
    return "left", working_days_between(today, respond_by)


@dataclass(frozen=True, slots=True)
class Signal:
    #: stalled, overdue, respond_by, maintenance or concern
    kind: str
    #: warn (look soon) or bad (act now)
    level: str
    reason: Msg


@lru_cache(maxsize=1024)
def _late(days: int) -> Signal:
    return Signal("respond_by", "bad", respond_by_sentence("late", days))


_DUE_TODAY = Signal("respond_by", "warn", respond_by_sentence("today", 0))


@lru_cache(maxsize=64)
def _near(working_days: int) -> Signal:
    return Signal("respond_by", "warn", respond_by_sentence("left", working_days))


@lru_cache(maxsize=4096)
def _stalled(days: int) -> Signal:
    return Signal(
        "stalled",
        "warn",
        nmsg(
            "Stalled: no activity for %(num)d day.", "Stalled: no activity for %(num)d days.", days
        ),
    )


@lru_cache(maxsize=1024)
def _overdue(steps: int) -> Signal:
    return Signal(
        "overdue",
        "warn",
        nmsg(
            "%(num)d open step is past its due date.",
            "%(num)d open steps are past their due date.",
            steps,
        ),
    )


@lru_cache(maxsize=256)
def _missed(turns: int) -> Signal:
    return Signal(
        "maintenance",
        "warn",
        nmsg(
            "Maintenance: %(num)d turn missed in a row.",
            "Maintenance: %(num)d turns missed in a row.",
            turns,
        ),
    )


def maintenance_signal(streak: int | None) -> Signal | None:
    """A run of :data:`STREAK_SIGNAL` or more missed maintenance turns: the association may
    need a hand (too few volunteers, a task that no longer fits)."""
    return _missed(streak) if streak is not None and streak >= STREAK_SIGNAL else None


def stalled_reminder(title: str, stalled_days: int) -> Msg:
    """What a coach's reminder about a stalled initiative says."""
    return nmsg(
        "Nothing has happened in “%(title)s” for more than %(num)d day.",
        "Nothing has happened in “%(title)s” for more than %(num)d days.",
        stalled_days,
        title=title,
    )


def respond_by_signal(respond_by: date | None, today: date) -> Signal | None:
    """A request waiting for an answer whose respond-by is near or past."""
    if respond_by is None:
        return None
    standing, num = respond_by_standing(respond_by, today)
    if standing == "late":
        return _late(num)
    if standing == "today":
        return _DUE_TODAY
    return _near(num) if num <= NEAR_WORKING_DAYS else None


def health_signals(
    *,
    status: str,
    last_activity_dt: datetime,
    overdue_steps: int,
    respond_by: date | None,
    concern_reason: str | None,
    concern_by: str | None,
    now: datetime,
    today: date,
    idle_days: int,
    streak: int | None = None,
) -> list[Signal]:
    """Every signal for one initiative, the most urgent kinds first; ``today`` and ``idle_days``
    are counted in the city's time zone by the caller.

    Signals are values: the same signal (e.g. "stalled for 40 days") is built once and shared.
    """
    signals: list[Signal] = []
    if concern_reason is not None:
        signals.append(
            Signal(
                "concern",
                "bad",
                msg(
                    "Concern flagged by %(name)s: %(reason)s",
                    name=concern_by or "?",
                    reason=concern_reason,
                ),
            )
        )
    request = respond_by_signal(respond_by, today)
    if request is not None:
        signals.append(request)
    if status == "stalled":
        signals.append(_stalled(idle_days))
    if status == "paused":
        return signals  # the group's own clocks (steps, turns) stand still while it pauses
    if overdue_steps:
        signals.append(_overdue(overdue_steps))
    maintenance = maintenance_signal(streak)
    if maintenance is not None:
        signals.append(maintenance)
    return signals


def needs_signals(
    status: str, overdue_steps: int, respond_by: date | None, concern: str | None,
    streak: int | None,
) -> bool:  # fmt: skip
    """Whether :func:`health_signals` can find anything (a cheap test for every row; the
    arguments in this order, as the caseload passes them for each row)."""
    if status == "paused":  # only the municipality's clock and a coach's concern go on
        return respond_by is not None or concern is not None
    return (
        status == "stalled"
        or bool(overdue_steps)
        or respond_by is not None
        or concern is not None
        or maintenance_signal(streak) is not None
    )
