"""The reminders panel on the initiative page: the calendar link and what is coming up."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_login import current_user
from sqlalchemy import func, select

from engine.db import utcnow
from engine.models import Initiative
from engine.models.reminders import CalendarEntry, CalendarFeed, Reminder
from engine.timeutil import local_date
from web.database import db, runtime


def feed_url(feed: CalendarFeed | None) -> str | None:
    if feed is None:
        return None
    kind = "person_feed" if feed.initiative_id is None else "initiative_feed"
    return runtime().config.base_url + url_for(f"reminders.{kind}", token=feed.token)


@dataclass
class PanelData:
    visible: bool = False
    is_paused: bool = False
    feed_url: str | None = None
    #: (date, kind, title) of the coming deadlines
    upcoming: list[tuple] = field(default_factory=list)
    #: when the next reminders go out (local date)
    next_reminder: object = None


def reminders_panel_data(initiative: Initiative, member_role: str | None) -> PanelData:
    """What the panel shows; members (and the group's coach) only."""
    if member_role is None or not current_user.is_authenticated:
        return PanelData()
    person = current_user.person
    feed = db().scalar(
        select(CalendarFeed).where(
            CalendarFeed.person_id == person.id,
            CalendarFeed.initiative_id == initiative.id,
            CalendarFeed.revoked_dt.is_(None),
        )
    )
    today = local_date(utcnow())
    upcoming = (
        db()
        .execute(
            select(CalendarEntry.entry_date, CalendarEntry.kind, CalendarEntry.title)
            .where(
                CalendarEntry.initiative_id == initiative.id,
                CalendarEntry.is_cancelled.is_(False),
                CalendarEntry.entry_date >= today,
            )
            .order_by(CalendarEntry.entry_date, CalendarEntry.id)
            .limit(5)
        )
        .all()
    )
    nxt = db().scalar(
        select(func.min(Reminder.due_dt)).where(
            Reminder.initiative_id == initiative.id, Reminder.status == "pending"
        )
    )
    return PanelData(
        visible=True,
        is_paused=initiative.is_paused,
        feed_url=feed_url(feed),
        upcoming=[tuple(row) for row in upcoming],
        next_reminder=nxt,
    )
