"""Calendar feeds (iCalendar, RFC 5545): every deadline as an all-day event.

Each deadline keeps one UID for life; every change raises its SEQUENCE, and a removed deadline
stays in the feed as ``STATUS:CANCELLED`` so subscribed calendars drop it. Addresses carry a
secret token; a person can revoke theirs and make a new one.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard
from sqlalchemy import (
    CompoundSelect,
    Select,
    String,
    cast,
    func,
    literal_column,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.errors import NotFound
from engine.i18n import Msg, msg, translate
from engine.models import Initiative, Membership, Neighbourhood, Person
from engine.models.meetings import MeetingAnswer
from engine.models.reminders import CalendarEntry, CalendarFeed
from engine.models.support import CoachAssignment
from engine.permissions import is_staff
from engine.reminders.feed_scope import (
    BY_INITIATIVE,
    BY_KEY,
    MAX_UPCOMING,
    Source,
    Window,
    chosen,
    note_event,
    staff_sources,
)
from engine.reminders.tokens import new_feed_token
from engine.timeutil import local_date, zone

log = logging.getLogger(__name__)

#: how long a cancelled event stays in a feed, so every subscriber hears of it
KEEP_CANCELLED = timedelta(days=180)
#: an event's title by kind (the caller fills in the title); other kinds show the title alone
#: the note in a feed that holds fewer events than its window has
MORE_NOTE = msg(
    "This calendar shows the next %(count)s deadlines only; the caseload has all of them."
)
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


def followed_query(person: Person) -> Select[tuple[int]] | CompoundSelect:
    """The ids of the initiatives whose deadlines belong in a person's own calendar, as a
    statement (a coach of a whole stadsdeel follows thousands: never a list in Python)."""
    _I, _N = Initiative.__table__.c, Neighbourhood.__table__.c
    _M, _A = Membership.__table__.c, CoachAssignment.__table__.c
    mine = select(_M.initiative_id.label("id")).where(_M.person_id == person.id)
    if not is_staff(person):
        return mine
    assigned = select(_A.initiative_id.label("id")).where(
        _A.coach_id == person.id, _A.initiative_id.is_not(None)
    )
    districts = select(_A.district_id).where(_A.coach_id == person.id, _A.district_id.is_not(None))
    in_district = (
        select(_I.id)
        .join(Neighbourhood.__table__, _N.id == _I.neighbourhood_id)
        .where(_N.district_id.in_(districts))
    )
    return union(mine, assigned, in_district)


def _may_follow(session: Session, person: Person, initiative_id: int) -> bool:
    followed = followed_query(person).subquery()
    return session.scalar(select(followed.c.id).where(followed.c.id == initiative_id)) is not None


# -- the feed --------------------------------------------------------------------------------


def _window(session: Session, now: datetime) -> tuple[date, date]:
    config = config_of(session)
    today = local_date(now, config.timezone)
    return (
        today - timedelta(days=config.feed_days_back),
        today + timedelta(days=config.feed_days_ahead),
    )


def _going_to(person_id: int):
    """The calendar keys of the meetings a person said they are going to."""
    key = literal_column("'meeting:'").concat(cast(MeetingAnswer.meeting_id, String))
    return select(key).where(MeetingAnswer.person_id == person_id, MeetingAnswer.answer == "going")


def feed_window(session: Session, now: datetime) -> Window:
    """The feed's window of dates; a cancelled entry in it for as long as its subscribers need
    to hear of it."""
    first, last = _window(session, now)
    kept = or_(
        CalendarEntry.is_cancelled.is_(False),
        CalendarEntry.updated_dt >= now - KEEP_CANCELLED,
    )
    return Window(first, last, (kept,))


@dataclass
class PreparedFeed:
    """Everything a feed's response needs, read before its headers are sent."""

    etag: str
    last_modified: datetime
    name: str = ""
    locale: str = "nl"
    tz: str | None = None
    entries: list[Any] = field(default_factory=list)
    titles: dict[int, str] = field(default_factory=dict)
    #: where the feed's entries come from (each read on its own), and what they all meet
    sources: list[Source] = field(default_factory=list)
    window: Window | None = None
    today: date | None = None
    #: the window holds more events than the feed shows (it says so in a note)
    more: bool = False


def _feed_scope(session: Session, feed: CalendarFeed) -> tuple[list[Source], str, str]:
    """Where the feed's entries come from (conditions, each read on its own: see
    :func:`engine.reminders.feed_scope.chosen`), its locale and its name."""
    person = session.get(Person, feed.person_id)
    assert person is not None
    locale = person.locale if person.locale in ("nl", "en") else "nl"
    if feed.initiative_id is not None:
        title = session.scalar(select(Initiative.title).where(Initiative.id == feed.initiative_id))
        sources = [Source(CalendarEntry.initiative_id == feed.initiative_id, BY_INITIATIVE)]
        return sources, locale, feed_name(locale, initiative=title or "")
    # a staff member may follow a whole stadsdeel: its entries by their district, not a list
    if is_staff(person):
        sources = staff_sources(session, person)
    else:
        mine = CalendarEntry.initiative_id.in_(followed_query(person))
        sources = [Source(mine, BY_INITIATIVE)]
    # and in a person's own feed, the meetings they go to
    sources.append(Source(CalendarEntry.key.in_(_going_to(person.id)), BY_KEY))
    return sources, locale, feed_name(locale, person=person.name)


def feed_validators(session: Session, feed: CalendarFeed, now: datetime) -> PreparedFeed:
    """The feed's ETag and Last-Modified: one aggregate over the window's entries."""
    sources, locale, name = _feed_scope(session, feed)
    window = feed_window(session, now)
    # an initiative's new title shows in its events' summaries: its last activity counts too
    today = local_date(now, config_of(session).timezone)
    ids = chosen(sources, window, today)
    # the sum of the ids: a feed that loses one initiative's entries and gains another's (a
    # member leaves one group and joins another) is told apart even when the count and the
    # latest change stay the same
    changed, active, count, ids_sum = session.execute(
        select(
            func.max(CalendarEntry.updated_dt),
            func.max(Initiative.last_activity_dt),
            func.count(),
            func.coalesce(func.sum(CalendarEntry.id), 0),
        )
        .select_from(ids)
        .join(CalendarEntry, CalendarEntry.id == ids.c.id)
        .outerjoin(Initiative, Initiative.id == CalendarEntry.initiative_id)
    ).one()
    first = window.first
    moments = [m if m.tzinfo else m.replace(tzinfo=UTC) for m in (changed, active) if m]
    last_modified = max([feed.created_dt, *moments])
    if last_modified.tzinfo is None:
        last_modified = last_modified.replace(tzinfo=UTC)
    seed = f"{feed.id}|{locale}|{name}|{first}|{count}|{ids_sum}|{last_modified.isoformat()}"
    return PreparedFeed(
        etag=hashlib.sha256(seed.encode()).hexdigest()[:32],
        last_modified=last_modified.replace(microsecond=0),
        name=name,
        locale=locale,
        tz=config_of(session).timezone,
        sources=sources,
        window=window,
        today=today,
    )


def load_entries(session: Session, prepared: PreparedFeed) -> PreparedFeed:
    """Read what the feed's body shows (one statement), before any of it is sent."""
    today, window = prepared.today, prepared.window
    assert today is not None and window is not None  # set by feed_validators
    ids = chosen(prepared.sources, window, today)
    rows = session.execute(
        select(CalendarEntry, Initiative.title)
        .select_from(ids)
        .join(CalendarEntry, CalendarEntry.id == ids.c.id)
        .outerjoin(Initiative, Initiative.id == CalendarEntry.initiative_id)
        .order_by(CalendarEntry.entry_date, CalendarEntry.id)
    ).all()
    upcoming = sum(1 for entry, _ in rows if entry.entry_date >= today)
    if upcoming > MAX_UPCOMING:  # more than a feed holds: the last one read is left out
        rows = rows[:-1]
        prepared.more = True
    prepared.entries = [entry for entry, _ in rows]
    prepared.titles = {e.initiative_id: title for e, title in rows if e.initiative_id is not None}
    return prepared


def render_feed(session: Session, feed: CalendarFeed, base_url: str, now: datetime) -> bytes:
    """The feed as iCalendar text."""
    prepared = load_entries(session, feed_validators(session, feed, now))
    return b"".join(feed_chunks(prepared, base_url))


def feed_chunks(prepared: PreparedFeed, base_url: str) -> Iterator[bytes]:
    """The prepared feed as iCalendar text, an event at a time (no database needed)."""
    note = None
    if prepared.more and prepared.entries:
        note = translate(MORE_NOTE.with_params(count=MAX_UPCOMING), prepared.locale)
    return calendar_chunks(
        prepared.entries, prepared.name, base_url, prepared.locale, prepared.titles, prepared.tz,
        note,
    )  # fmt: skip


def feed_name(locale: str, *, person: str | None = None, initiative: str | None = None) -> str:
    """The calendar's name: one initiative's deadlines, or a person's own."""
    if initiative is not None:
        return translate(msg("Verbinding: %(title)s", title=initiative), locale)
    return translate(msg("Verbinding: deadlines of %(name)s", name=person or ""), locale)


def build_calendar(
    entries: list[CalendarEntry], name: str, base_url: str, locale: str, titles: dict[int, str],
    tz: str | None = None,
) -> bytes:  # fmt: skip
    return b"".join(calendar_chunks(entries, name, base_url, locale, titles, tz))


_END = b"END:VCALENDAR\r\n"


def calendar_chunks(
    entries: list[CalendarEntry], name: str, base_url: str, locale: str, titles: dict[int, str],
    tz: str | None = None, note: str | None = None,
) -> Iterator[bytes]:  # fmt: skip
    """The calendar's head, each event, then its end: text to stream. A ``note`` (the feed
    holds fewer events than its window) goes in the description and as an event on the last
    day shown."""
    cal = Calendar()
    cal.add("prodid", "-//Verbinding//Herinneringen//NL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    if note:
        cal.add("x-wr-caldesc", note)
    cal.add("x-wr-timezone", zone(tz).key)
    cal.add_component(vtimezone(tz))
    head = cal.to_ical()
    assert head.endswith(_END)
    yield head[: -len(_END)]
    domain = urlsplit(base_url).hostname or "verbinding.local"
    for entry in entries:
        yield _event(entry, base_url, domain, locale, titles, tz).to_ical()
    if note and entries:
        yield note_event(note, entries[-1], base_url, domain).to_ical()
    yield _END


def _event(
    entry: CalendarEntry, base_url: str, domain: str, locale: str, titles, tz: str | None = None
) -> Event:
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
    if entry.start_dt is not None and entry.end_dt is not None:
        # a meeting: its times in the city's zone (TZID, the VTIMEZONE above); it takes time
        event.add("dtstart", entry.start_dt.astimezone(zone(tz)))
        event.add("dtend", entry.end_dt.astimezone(zone(tz)))
    else:
        event.add("dtstart", entry.entry_date)
        event.add("dtend", entry.entry_date + timedelta(days=1))
    if entry.location:
        event.add("location", entry.location)
    event.add("summary", f"{title} ({initiative})" if initiative else title)
    event.add("description", f"{initiative}\n{url}" if initiative else url)
    event.add("url", url)
    event.add("status", "CANCELLED" if entry.is_cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE" if entry.start_dt is not None else "TRANSPARENT")
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
