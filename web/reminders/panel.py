"""The reminders panel on the initiative page: the calendar link and what is coming up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.models import Person
from engine.models.reminders import CalendarFeed
from engine.pages import InitiativePage
from engine.reminders.queries import initiative_feed, next_reminder, upcoming_entries
from engine.timeutil import local_date
from web.database import runtime


def feed_url(feed: CalendarFeed | None) -> str | None:
    if feed is None:
        return None
    kind = "person_feed" if feed.initiative_id is None else "initiative_feed"
    return runtime().config.base_url + url_for(f"reminders.{kind}", token=feed.token)


@dataclass
class PanelData:
    is_paused: bool = False
    feed_url: str | None = None
    #: (date, kind, title) of the coming deadlines
    upcoming: list[tuple] = field(default_factory=list)
    #: when the next reminders go out (local date)
    next_reminder: object = None


def load_panel(
    session: Session, page: InitiativePage, person: Person | None, now: datetime
) -> PanelData | None:
    """What ``reminders/_panel.html`` shows; the group's members (and its coach) only."""
    if person is None:
        return None
    initiative = page.initiative
    return PanelData(
        is_paused=initiative.is_paused,
        feed_url=feed_url(initiative_feed(session, person.id, initiative.id)),
        upcoming=upcoming_entries(
            session, initiative.id, local_date(now, config_of(session).timezone)
        ),
        next_reminder=next_reminder(session, initiative.id),
    )
