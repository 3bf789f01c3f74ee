"""Which reminders exist, who gets them, when they go out, and how people like to get them.

A *kind* is what a reader chooses about (``step_due``, ``stage_target``…): at once, a daily
digest, a weekly digest, or off. Templates set the days per stage (``reminders:``); every other
kind brings its own defaults. Send times are local (``VERBINDING_TIMEZONE``): a reminder for a
day goes out at ``REMINDER_HOUR`` that day, digests at ``DIGEST_HOUR``; the callers pass the
hours and the zone from their session's configuration (engine.config.config_of).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from engine.i18n import Msg, msg
from engine.notifications.preferences import PREFERENCES
from engine.timeutil import zone
from engine.workflows.definitions import WorkflowDef

MODES = ("immediate", "daily", "weekly", "off")
MODE_LABELS: dict[str, Msg] = {
    "immediate": msg("At once"),
    "daily": msg("In a daily overview"),
    "weekly": msg("In a weekly overview"),
    "off": msg("Off"),
}


@dataclass(frozen=True)
class Kind:
    """One kind of reminder a reader can choose about."""

    name: str
    #: who it is for: the resident group ("members") or the municipality ("coaches")
    audience: str
    #: days before the deadline (negative: after it) when no template or source says otherwise
    days: tuple[int, ...]
    #: the label on the preferences page
    label: Msg
    default_mode: str = "immediate"


#: name → kind, in the order the preferences page lists them
KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("step_due", "members", (7, 1, 0, -1), msg("A step is due")),
        Kind("stage_target", "members", (14, 1, -1), msg("A stage reaches its target date")),
        Kind("maintenance_due", "members", (1, 0), msg("A maintenance task is due")),
        Kind("support_due", "coaches", (2, 0, -1), msg("A support request must be answered")),
        Kind(
            "initiative_stalled",
            "coaches",
            (0,),
            msg("An initiative has stalled"),
            default_mode="daily",
        ),
        Kind(
            "maintenance_review",
            "members",
            (30, 7, 0, -14),
            msg("A maintenance agreement is up for review"),
        ),
        Kind("meeting", "members", (1,), msg("A meeting you are going to is tomorrow")),
        # notifications: chosen about on the same page, in the same way
        *(Kind(name, audience, (0,), label, mode) for name, audience, label, mode in PREFERENCES),
    )
}


def kind_of(name: str) -> Kind:
    return KINDS.get(name) or Kind(name, "members", (0,), Msg(name))


def kinds_for(is_staff: bool) -> list[Kind]:
    """The kinds a person can choose about: group kinds for all, coach kinds for staff."""
    return [k for k in KINDS.values() if is_staff or k.audience == "members"]


def stage_days(defn: WorkflowDef | None, stage_key: str | None, kind: str) -> tuple[int, ...]:
    """The days a stage's template sets for a kind, or the kind's defaults."""
    if defn is not None and stage_key is not None:
        try:
            days = defn.stage(stage_key).reminder_days(kind)
        except KeyError:  # a stage the residents inserted: the defaults apply
            days = None
        if days is not None:
            return days
    return kind_of(kind).days


# -- time --------------------------------------------------------------------------------------


def local_moment(day: date, hour: int, tz: str | None = None) -> datetime:
    """``hour`` o'clock on ``day`` in the time zone ``tz``, as an aware datetime."""
    return datetime.combine(day, time(hour), tzinfo=zone(tz))


def remind_on(deadline: date, days_before: int) -> date:
    """The day to remind, ``days_before`` the deadline (the calendar's first day at the
    earliest: a deadline at its very start must not overflow the planner)."""
    return date.fromordinal(max(deadline.toordinal() - days_before, 1))


def next_slot(
    moment: datetime, mode: str, hour: int, weekday: int, tz: str | None = None
) -> datetime:
    """The first digest moment at or after ``moment``: daily at ``hour``, weekly on ``weekday``."""
    local = moment.astimezone(zone(tz))
    day = local.date()
    slot = local_moment(day, hour, tz)
    if slot < local:
        day += timedelta(days=1)
    if mode == "weekly":
        day += timedelta(days=(weekday - day.isoweekday()) % 7)
    return local_moment(day, hour, tz)
