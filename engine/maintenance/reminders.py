"""Maintenance deadlines for the reminders and the calendar feeds (engine.reminders).

The sources themselves (turns and reviews) are in engine.maintenance.deadlines, listed with the
other sources in engine.reminders.sources; here the maintenance operations re-plan their
initiative at once with :func:`replan`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session

from engine.maintenance.proposals import expire_swaps
from engine.reminders.planner import plan

#: the names of the maintenance sources (engine.reminders.sources)
SOURCES = ("maintenance", "maintenance_review")


def replan(session: Session, initiative_ids: Collection[int], now: datetime) -> None:
    """Bring what follows from the turns in line, in this transaction: questions to swap a
    turn that no longer fit expire (each with its event), and the reminders are re-planned."""
    if initiative_ids:
        expire_swaps(session, now, initiative_ids)
        plan(session, sorted(initiative_ids), now, sources=SOURCES)
