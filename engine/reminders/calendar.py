"""Calendar feeds (iCalendar, RFC 5545): every deadline as an all-day event.

Each deadline keeps one UID for life; every change raises its SEQUENCE, and a removed deadline
stays in the feed as ``STATUS:CANCELLED`` so subscribed calendars drop it. Addresses carry a
secret token; a person can revoke theirs and make a new one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.errors import NotFound
from engine.i18n import Msg, msg, translate
from engine.models import Initiative, Membership, Neighbourhood, Person
from engine.models.reminders import CalendarEntry, CalendarFeed
from engine.models.support import CoachAssignment
from engine.permissions import is_staff
from engine.reminders.tokens import new_feed_token
from engine.timeutil import zone

log = logging.getLogger(__name__)

#: how long a cancelled event stays in a feed, so every subscriber hears of it
KEEP_CANCELLED = timedelta(days=180)
#: an event's title by kind (the caller fills in the title); other kinds show the title alone
SUMMARIES: dict[str, Msg] = {
    "step_due": msg("Step: %(title)s"),
    "stage_target": msg("Target date of the stage “%(title)s”"),
}


# -- addresses -------------------------------------------------------------------------------


def live_feed(session: Session, person_id: int, initiative_id: int | None = None):
    query = select(CalendarFeed).where(
        CalendarFeed.person_id == person_id, CalendarFeed.revoked_dt.is_(None)
    )
    if initiative_id is None:
        query = query.where(CalendarFeed.initiative_id.is_(None))
    else:
        query = query.where(CalendarFeed.initiative_id == initiative_id)
    return session.scalar(query)


def revoke_feed(
    session: Session, person: Person, now: datetime, initiative_id: int | None = None
) -> bool:
    """Switch off a calendar address; it answers 404 from now on."""
    feed = live_feed(session, person.id, initiative_id)
    if feed is None:
        return False
    feed.revoked_dt = now
    session.flush()
    log.info("person %s revoked calendar feed %s", person.id, feed.id)
    return True


def make_feed(
    session: Session, person: Person, now: datetime, initiative_id: int | None = None
) -> CalendarFeed:
    """A new secret address (the old one, if any, stops working)."""
    if initiative_id is not None and not _may_follow(session, person, initiative_id):
        raise NotFound(msg("This initiative does not exist."))
    revoke_feed(session, person, now, initiative_id)
    feed = CalendarFeed(
        token=new_feed_token(), person_id=person.id, initiative_id=initiative_id, created_dt=now
    )
    session.add(feed)
    session.flush()
    log.info("person %s made calendar feed %s (initiative %s)", person.id, feed.id, initiative_id)
    return feed


def find_feed(session: Session, token: str, *, for_initiative: bool) -> CalendarFeed | None:
    """The live feed with this token, of the right sort, whose owner may still follow it."""
    feed = session.scalar(
        select(CalendarFeed).where(CalendarFeed.token == token, CalendarFeed.revoked_dt.is_(None))
    )
    if feed is None or (feed.initiative_id is not None) != for_initiative:
        return None
    person = session.get(Person, feed.person_id)
    if person is None or not person.is_active:
        return None
    if feed.initiative_id is not None and not _may_follow(session, person, feed.initiative_id):
        return None
    return feed


def followed_initiatives(session: Session, person: Person) -> list[int]:
    """The initiatives whose deadlines belong in a person's own calendar."""
    ids = set(session.scalars(select(Membership.initiative_id).where(
        Membership.person_id == person.id)))  # fmt: skip
    if is_staff(person):
        ids |= set(
            session.scalars(
                select(Initiative.id)
                .join(Neighbourhood, Neighbourhood.id == Initiative.neighbourhood_id)
                .join(
                    CoachAssignment,
                    or_(
                        CoachAssignment.initiative_id == Initiative.id,
                        CoachAssignment.district_id == Neighbourhood.district_id,
                    ),
                )
                .where(CoachAssignment.coach_id == person.id)
            )
        )
    return sorted(ids)


def _may_follow(session: Session, person: Person, initiative_id: int) -> bool:
    return initiative_id in followed_initiatives(session, person)


# -- the feed --------------------------------------------------------------------------------


def entries_for(session: Session, initiative_ids: list[int], now: datetime) -> list:
    if not initiative_ids:
        return []
    return list(
        session.scalars(
            select(CalendarEntry)
            .where(
                CalendarEntry.initiative_id.in_(initiative_ids),
                or_(
                    CalendarEntry.is_cancelled.is_(False),
                    CalendarEntry.updated_dt >= now - KEEP_CANCELLED,
                ),
            )
            .order_by(CalendarEntry.entry_date, CalendarEntry.id)
        )
    )


def render_feed(session: Session, feed: CalendarFeed, base_url: str, now: datetime) -> bytes:
    """The feed as iCalendar text."""
    person = session.get(Person, feed.person_id)
    assert person is not None
    locale = person.locale if person.locale in ("nl", "en") else "nl"
    if feed.initiative_id is None:
        ids = followed_initiatives(session, person)
        name = feed_name(locale, person=person.name)
    else:
        ids = [feed.initiative_id]
        title = session.scalar(select(Initiative.title).where(Initiative.id == feed.initiative_id))
        name = feed_name(locale, initiative=title or "")
    query = select(Initiative.id, Initiative.title).where(Initiative.id.in_(ids))
    titles = {iid: title for iid, title in session.execute(query)} if ids else {}
    entries = entries_for(session, ids, now)
    return build_calendar(entries, name, base_url, locale, titles, config_of(session).timezone)


def feed_name(locale: str, *, person: str | None = None, initiative: str | None = None) -> str:
    """The calendar's name: one initiative's deadlines, or a person's own."""
    if initiative is not None:
        return translate(msg("Verbinding: %(title)s", title=initiative), locale)
    return translate(msg("Verbinding: deadlines of %(name)s", name=person or ""), locale)


def build_calendar(
    entries: list[CalendarEntry], name: str, base_url: str, locale: str, titles: dict[int, str],
    tz: str | None = None,
) -> bytes:  # fmt: skip
    cal = Calendar()
    cal.add("prodid", "-//Verbinding//Herinneringen//NL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", zone(tz).key)
    cal.add_component(vtimezone(tz))
    domain = urlsplit(base_url).hostname or "verbinding.local"
    for entry in entries:
        cal.add_component(_event(entry, base_url, domain, locale, titles))
    return cal.to_ical()


def _event(entry: CalendarEntry, base_url: str, domain: str, locale: str, titles) -> Event:
    title = entry.title.get(locale) or entry.title.get("nl") or ""
    summary = SUMMARIES.get(entry.kind)
    if summary:
        title = translate(summary.with_params(title=title), locale)
    initiative = titles.get(entry.initiative_id)
    url = base_url.rstrip("/") + entry.link
    event = Event()
    event.add("uid", f"{entry.key.replace(':', '-')}@{domain}")
    event.add("dtstamp", entry.updated_dt)
    event.add("created", entry.created_dt)
    event.add("last-modified", entry.updated_dt)
    event.add("sequence", entry.sequence)
    event.add("dtstart", entry.entry_date)
    event.add("dtend", entry.entry_date + timedelta(days=1))
    event.add("summary", f"{title} ({initiative})" if initiative else title)
    event.add("description", f"{initiative}\n{url}" if initiative else url)
    event.add("url", url)
    event.add("status", "CANCELLED" if entry.is_cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    return event


def vtimezone(name: str | None = None) -> Timezone:
    """The city's time zone; Europe/Amsterdam written out by its EU rules, compactly."""
    tz = zone(name)
    if tz.key != "Europe/Amsterdam":
        return Timezone.from_tzinfo(tz)
    component = Timezone()
    component.add("tzid", "Europe/Amsterdam")
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("tzoffsetfrom", timedelta(hours=1))
    summer.add("tzoffsetto", timedelta(hours=2))
    summer.add("dtstart", datetime(1970, 3, 29, 2, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("tzoffsetfrom", timedelta(hours=2))
    winter.add("tzoffsetto", timedelta(hours=1))
    winter.add("dtstart", datetime(1970, 10, 25, 3, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    component.add_component(summer)
    component.add_component(winter)
    return component
