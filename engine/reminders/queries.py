"""What the reminder pages show: feeds, coming deadlines, the next reminder."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, bindparam, func, select
from sqlalchemy.orm import Session

from engine.models import Initiative
from engine.models.reminders import CalendarEntry, CalendarFeed, Reminder

# The initiative page's statements, built once; the ids and dates are bound per call.
_INITIATIVE_FEED = select(CalendarFeed).where(
    CalendarFeed.person_id == bindparam("pid"),
    CalendarFeed.initiative_id == bindparam("iid"),
    CalendarFeed.revoked_dt.is_(None),
)
_UPCOMING = (
    select(CalendarEntry.entry_date, CalendarEntry.kind, CalendarEntry.title)
    .where(
        CalendarEntry.initiative_id == bindparam("iid"),
        CalendarEntry.is_cancelled.is_(False),
        CalendarEntry.entry_date >= bindparam("today", type_=Date),
    )
    .order_by(CalendarEntry.entry_date, CalendarEntry.id)
    .limit(bindparam("limit", type_=Integer))
)
_NEXT_REMINDER = select(func.min(Reminder.due_dt)).where(
    Reminder.initiative_id == bindparam("iid"), Reminder.status == "pending"
)


def initiative_feed(session: Session, person_id: int, initiative_id: int) -> CalendarFeed | None:
    """The person's live calendar feed for one initiative, if they made one."""
    return session.scalar(_INITIATIVE_FEED, {"pid": person_id, "iid": initiative_id})


def upcoming_entries(
    session: Session, initiative_id: int, today: date, limit: int = 5
) -> list[tuple[date, str, str]]:
    """The initiative's coming deadlines: (date, kind, title), soonest first."""
    rows = session.execute(_UPCOMING, {"iid": initiative_id, "today": today, "limit": limit})
    return [tuple(row) for row in rows]


def next_reminder(session: Session, initiative_id: int) -> datetime | None:
    """When the initiative's next pending reminder is due."""
    return session.scalar(_NEXT_REMINDER, {"iid": initiative_id})


def followed_initiative_feeds(session: Session, person_id: int) -> list[tuple[int, str, str]]:
    """(initiative id, title, feed token) of every live initiative feed the person has."""
    rows = session.execute(
        select(Initiative.id, Initiative.title, CalendarFeed.token)
        .join(CalendarFeed, CalendarFeed.initiative_id == Initiative.id)
        .where(CalendarFeed.person_id == person_id, CalendarFeed.revoked_dt.is_(None))
        .order_by(Initiative.title)
    )
    return [(iid, title, token) for iid, title, token in rows]
