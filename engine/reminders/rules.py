"""Which reminders exist, who gets them, when they go out, and how people like to get them.

A *kind* is what a reader chooses about (``step_due``, ``stage_target``…): at once, a daily
digest, a weekly digest, or off. Templates set the days per stage (``reminders:``); every other
kind brings its own defaults. Send times are local (Europe/Amsterdam): a reminder for a day goes
out at ``REMINDER_HOUR`` that day, digests at ``DIGEST_HOUR``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from engine.i18n import Msg, msg
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


KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> Kind:
    """Make a kind known (its label, audience and default days); later wins."""
    KINDS[kind.name] = kind
    return kind


for _kind in (
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
):
    register_kind(_kind)


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


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(f"VERBINDING_{name}", default))
    except ValueError:
        return default


def reminder_hour() -> int:
    """The local hour at which a day's reminders go out (``VERBINDING_REMINDER_HOUR``)."""
    return min(max(_env_int("REMINDER_HOUR", 8), 0), 23)


def local_moment(day: date, hour: int) -> datetime:
    """``hour`` o'clock on ``day`` in the city's time zone, as an aware datetime."""
    return datetime.combine(day, time(hour), tzinfo=zone())


def remind_on(deadline: date, days_before: int) -> date:
    return deadline - timedelta(days=days_before)


def next_slot(moment: datetime, mode: str, hour: int, weekday: int) -> datetime:
    """The first digest moment at or after ``moment``: daily at ``hour``, weekly on ``weekday``."""
    local = moment.astimezone(zone())
    day = local.date()
    slot = local_moment(day, hour)
    if slot < local:
        day += timedelta(days=1)
    if mode == "weekly":
        day += timedelta(days=(weekday - day.isoweekday()) % 7)
    return local_moment(day, hour)
