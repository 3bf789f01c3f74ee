"""Reminders that respect the residents' pace: deadlines → reminder rows → outbox → mail.

* ``engine.reminders.planner.plan_for`` — call after a change to an initiative's dates or pace,
  in the same transaction: its reminders and calendar entries follow.
* ``engine.reminders.sources`` lists the sources of deadlines (steps, stage targets, support
  requests, stalls, maintenance), each building :class:`Deadline` values
  (engine.reminders.deadlines); engine.reminders.rules lists the kinds readers choose about.
* The sweeper's steps plan what is swept and dispatch what is due (engine.reminders.steps);
  calendar feeds are in engine.reminders.calendar.

This package's own module imports only leaf modules, so that a source living elsewhere (e.g.
engine.maintenance.deadlines) can use :class:`Deadline` without an import cycle through the
planner.
"""

from engine.reminders.deadlines import Deadline
from engine.reminders.rules import Kind

__all__ = ["Deadline", "Kind"]
