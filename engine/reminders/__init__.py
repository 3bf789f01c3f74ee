"""Reminders that respect the residents' pace: deadlines → reminder rows → outbox → mail.

* :func:`plan_for` — call after a change to an initiative's dates or pace, in the same
  transaction: its reminders and calendar entries follow (engine.reminders.planner).
* :func:`register` — add a source of deadlines, e.g. maintenance tasks
  (engine.reminders.sources); :func:`register_kind` — a kind readers choose about.
* The sweeper's steps plan what is swept and dispatch what is due (engine.reminders.steps);
  calendar feeds are in engine.reminders.calendar.
"""

from engine.reminders.planner import PLAN_SOURCES, plan, plan_for
from engine.reminders.rules import Kind, register_kind
from engine.reminders.sources import Deadline, register

__all__ = [
    "PLAN_SOURCES",
    "Deadline",
    "Kind",
    "plan",
    "plan_for",
    "register",
    "register_kind",
]
