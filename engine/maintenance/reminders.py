"""Maintenance deadlines for the reminders and the calendar feeds (engine.reminders).

The sources themselves (turns and reviews) are in engine.maintenance.deadlines, listed with the
other sources in engine.reminders.sources; here the maintenance operations re-plan their
initiative at once with :func:`replan`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session

from engine.reminders.planner import plan

#: the names of the maintenance sources (engine.reminders.sources)
SOURCES = ("maintenance", "maintenance_review")


def replan(session: Session, initiative_ids: Collection[int], now: datetime) -> None:
    """Bring the maintenance reminders of these initiatives in line, in this transaction."""
    if initiative_ids:
        plan(session, sorted(initiative_ids), now, sources=SOURCES)
