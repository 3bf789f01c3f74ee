"""What the reminder pages show: feeds, coming deadlines, the next reminder."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Date, Integer, bindparam, func, select, true
from sqlalchemy.orm import Session

from engine.db import ONE_ROW
from engine.models import Initiative
from engine.models.reminders import CalendarEntry, CalendarFeed, Reminder

_NEXT_REMINDER = select(func.min(Reminder.due_dt)).where(
    Reminder.initiative_id == bindparam("iid"), Reminder.status == "pending"
)
#: the initiative page's reminders panel in one statement (built once; the ids and dates are
#: bound per call): the person's live feed of the initiative, when its
#: next reminder goes out, and its coming deadlines (none or a few rows, joined to one row
#: so that the first two come along when there are no deadlines)
_COMING = (
    select(CalendarEntry.id, CalendarEntry.entry_date, CalendarEntry.kind, CalendarEntry.title)
    .where(
        CalendarEntry.initiative_id == bindparam("iid"),
        CalendarEntry.is_cancelled.is_(False),
        CalendarEntry.entry_date >= bindparam("today", type_=Date),
    )
    .order_by(CalendarEntry.entry_date, CalendarEntry.id)
    .limit(bindparam("limit", type_=Integer))
    .subquery("coming")
)
_PANEL = (
    select(
        select(CalendarFeed.token)
        .where(
            CalendarFeed.person_id == bindparam("pid"),
            CalendarFeed.initiative_id == bindparam("iid"),
            CalendarFeed.revoked_dt.is_(None),
        )
        .order_by(CalendarFeed.id)
        .limit(1)
        .scalar_subquery()
        .label("feed"),
        _NEXT_REMINDER.scalar_subquery().label("next_reminder"),
        _COMING.c.entry_date,
        _COMING.c.kind,
        _COMING.c.title,
    )
    .select_from(ONE_ROW.outerjoin(_COMING, true()))
    .order_by(_COMING.c.entry_date, _COMING.c.id)
)


class PanelFacts(NamedTuple):
    #: the token of the person's live calendar feed of the initiative, if they made one
    feed_token: str | None
    #: (date, kind, title) of the coming deadlines, soonest first
    upcoming: list[tuple[date, str, str]]
    #: when the initiative's next pending reminder is due
    next_reminder: datetime | None


def panel_facts(
    session: Session, person_id: int, initiative_id: int, today: date, limit: int = 5
) -> PanelFacts:
    """What the initiative page's reminders panel shows, in one statement."""
    rows = session.execute(
        _PANEL, {"pid": person_id, "iid": initiative_id, "today": today, "limit": limit}
    ).all()
    first = rows[0]  # one row at least: the outer join keeps it when nothing is coming
    upcoming = [(r.entry_date, r.kind, r.title) for r in rows if r.entry_date is not None]
    return PanelFacts(first.feed, upcoming, first.next_reminder)


def followed_initiative_feeds(session: Session, person_id: int) -> list[tuple[int, str, str]]:
    """(initiative id, title, feed token) of every live initiative feed the person has."""
    rows = session.execute(
        select(Initiative.id, Initiative.title, CalendarFeed.token)
        .join(CalendarFeed, CalendarFeed.initiative_id == Initiative.id)
        .where(CalendarFeed.person_id == person_id, CalendarFeed.revoked_dt.is_(None))
        .order_by(Initiative.title)
    )
    return [(iid, title, token) for iid, title, token in rows]
