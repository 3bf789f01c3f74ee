"""Indexes that keep the city-wide pages bounded (created by migration 0015).

* the public list walks initiatives by (title, id), a page at a time;
* a calendar feed reads each followed initiative's entries within a window of dates.
"""

from __future__ import annotations

from sqlalchemy import Index

from engine.models.initiatives import Initiative
from engine.models.reminders import CalendarEntry

Index("ix_initiatives_title_id", Initiative.__table__.c.title, Initiative.__table__.c.id)
Index(
    "ix_calendar_entries_initiative_date",
    CalendarEntry.__table__.c.initiative_id,
    CalendarEntry.__table__.c.entry_date,
)
