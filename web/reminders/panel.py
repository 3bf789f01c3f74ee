"""The reminders panel on the initiative page: the calendar link and what is coming up."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_login import current_user

from engine.db import utcnow
from engine.models import Initiative
from engine.models.reminders import CalendarFeed
from engine.reminders.queries import initiative_feed, next_reminder, upcoming_entries
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
    feed = initiative_feed(db(), person.id, initiative.id)
    today = local_date(utcnow(), runtime().config.timezone)
    upcoming = upcoming_entries(db(), initiative.id, today)
    nxt = next_reminder(db(), initiative.id)
    return PanelData(
        visible=True,
        is_paused=initiative.is_paused,
        feed_url=feed_url(feed),
        upcoming=upcoming,
        next_reminder=nxt,
    )
