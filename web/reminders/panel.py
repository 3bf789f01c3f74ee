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
from engine.reminders.queries import panel_facts
from engine.timeutil import local_date
from web.database import runtime


def feed_url(feed: CalendarFeed | None) -> str | None:
    if feed is None:
        return None
    kind = "person_feed" if feed.initiative_id is None else "initiative_feed"
    return feed_url_of(kind, feed.token)


def feed_url_of(kind: str, token: str) -> str:
    """The address a calendar subscribes to: ``kind`` person_feed or initiative_feed."""
    return runtime().config.base_url + url_for(f"reminders.{kind}", token=token)


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
    today = local_date(now, config_of(session).timezone)
    facts = panel_facts(session, person.id, initiative.id, today)
    token = facts.feed_token
    return PanelData(
        is_paused=initiative.is_paused,
        feed_url=None if token is None else feed_url_of("initiative_feed", token),
        upcoming=facts.upcoming,
        next_reminder=facts.next_reminder,
    )
