"""Health signals: why a coach might look at an initiative, each with its reason in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from engine.i18n import Msg, msg, nmsg
from engine.timeutil import local_date
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


@dataclass(frozen=True, slots=True)
class Signal:
    #: stalled, overdue, respond_by or concern
    kind: str
    #: warn (look soon) or bad (act now)
    level: str
    reason: Msg


def stalled_before(now: datetime, stalled_days: int) -> datetime:
    """Initiatives whose last activity is before this moment are stalled (unless paused)."""
    return now - timedelta(days=stalled_days)


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


def respond_by_signal(respond_by: date | None, today: date) -> Signal | None:
    """A request waiting for an answer whose respond-by is near or past."""
    if respond_by is None:
        return None
    if respond_by < today:
        return _late((today - respond_by).days)
    if respond_by == today:
        return _DUE_TODAY
    left = working_days_between(today, respond_by)
    return _near(left) if left <= NEAR_WORKING_DAYS else None


def health_signals(
    *,
    status: str,
    last_activity_dt: datetime,
    overdue_steps: int,
    respond_by: date | None,
    concern_reason: str | None,
    concern_by: str | None,
    now: datetime,
    today: date | None = None,
    idle_days: int | None = None,
) -> list[Signal]:
    """Every signal for one initiative, the most urgent kinds first.

    Signals are values: the same signal (e.g. "stalled for 40 days") is built once and shared.
    """
    today = today or local_date(now)
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
        if idle_days is None:
            idle_days = (today - local_date(last_activity_dt)).days
        signals.append(_stalled(idle_days))
    if overdue_steps:
        signals.append(_overdue(overdue_steps))
    return signals
