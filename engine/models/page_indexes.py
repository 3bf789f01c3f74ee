"""Indexes that keep the city-wide pages bounded (created by migration 0015).

* the public list walks initiatives by (title, id), a page at a time;
* a calendar feed reads each followed initiative's entries within a window of dates;
* the caseload's ``sort=overdue`` reads the open steps past due from their own index, not every
  initiative's steps; ``status=stalled`` walks unpaused initiatives by last activity.
"""

from __future__ import annotations

from sqlalchemy import Index, text

from engine.models.initiatives import Initiative, Step
from engine.models.reminders import CalendarEntry

_OPEN = "is_done = false AND closed_dt IS NULL"

Index("ix_initiatives_title_id", Initiative.__table__.c.title, Initiative.__table__.c.id)
Index(
    "ix_initiatives_paused_activity",
    Initiative.__table__.c.is_paused,
    Initiative.__table__.c.last_activity_dt,
)
Index(
    "ix_calendar_entries_initiative_date",
    CalendarEntry.__table__.c.initiative_id,
    CalendarEntry.__table__.c.entry_date,
)
Index(
    "ix_steps_open_due",
    Step.__table__.c.due_date,
    Step.__table__.c.initiative_id,
    sqlite_where=text(_OPEN.replace("false", "0")),
    postgresql_where=text(_OPEN),
)
