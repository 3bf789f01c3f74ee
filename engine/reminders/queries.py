"""What the reminder pages show: feeds, coming deadlines, the next reminder."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import Initiative
from engine.models.reminders import CalendarEntry, CalendarFeed, Reminder


def initiative_feed(session: Session, person_id: int, initiative_id: int) -> CalendarFeed | None:
    """The person's live calendar feed for one initiative, if they made one."""
    return session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.person_id == person_id,
            CalendarFeed.initiative_id == initiative_id,
            CalendarFeed.revoked_dt.is_(None),
        )
    )


def upcoming_entries(
    session: Session, initiative_id: int, today: date, limit: int = 5
) -> list[tuple[date, str, str]]:
    """The initiative's coming deadlines: (date, kind, title), soonest first."""
    rows = session.execute(
        select(CalendarEntry.entry_date, CalendarEntry.kind, CalendarEntry.title)
        .where(
            CalendarEntry.initiative_id == initiative_id,
            CalendarEntry.is_cancelled.is_(False),
            CalendarEntry.entry_date >= today,
        )
        .order_by(CalendarEntry.entry_date, CalendarEntry.id)
        .limit(limit)
    )
    return [tuple(row) for row in rows]


def next_reminder(session: Session, initiative_id: int) -> datetime | None:
    """When the initiative's next pending reminder is due."""
    return session.scalar(
        select(func.min(Reminder.due_dt)).where(
            Reminder.initiative_id == initiative_id, Reminder.status == "pending"
        )
    )


def followed_initiative_feeds(session: Session, person_id: int) -> list[tuple[int, str, str]]:
    """(initiative id, title, feed token) of every live initiative feed the person has."""
    rows = session.execute(
        select(Initiative.id, Initiative.title, CalendarFeed.token)
        .join(CalendarFeed, CalendarFeed.initiative_id == Initiative.id)
        .where(CalendarFeed.person_id == person_id, CalendarFeed.revoked_dt.is_(None))
        .order_by(Initiative.title)
    )
    return [(iid, title, token) for iid, title, token in rows]
