"""What a calendar feed holds at city scale: a bounded number of events, chosen by index walks.

A district coach follows every initiative of a stadsdeel: thousands of deadlines in the feed's
window. A calendar client re-reads the whole feed on every poll and shows what is coming, so a
feed holds the next :data:`MAX_UPCOMING` events from today (by date) and the last
:data:`MAX_PAST` before today; a feed that has more says so in a note (an event on the last
day it shows, and the calendar's description) and the coach finds the rest in the caseload.
Each source of a feed's entries (a stadsdeel, the initiatives one is a member of or assigned
to, the meetings one goes to) is read by walking an index in date order and stops at its
limit, whatever the size of the district or the city; the feed takes the first of what they
found together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from icalendar import Event
from sqlalchemy import ColumnElement, Subquery, false, select, union, union_all
from sqlalchemy.orm import Session

from engine.models import CoachAssignment, Membership, Person
from engine.models.reminders import CalendarEntry

#: at most this many events from today on, and this many before today, in one feed
MAX_UPCOMING = 1000
MAX_PAST = 200

_CE = CalendarEntry.__table__.c

#: the indexes that hand out a source's entries in the feed's order (by initiative: SQLite
#: keeps the id, its rowid, in every index; by district: migration 0033; by key: the unique
#: constraint's index, SQLite's name for it)
BY_INITIATIVE = "ix_calendar_entries_initiative_date"
BY_DISTRICT = "ix_calendar_entries_district_date_id"
BY_KEY = "sqlite_autoindex_calendar_entries_1"


@dataclass(frozen=True)
class Source:
    """Where some of a feed's entries come from: a condition on the entry, and the index that
    finds them. SQLite is told the index (``INDEXED BY``): with statistics from when the
    table was small its planner walks the city-wide date index instead, which gives the
    feed's order too but visits every entry of the city in the window."""

    where: ColumnElement[bool]
    index: str


def staff_sources(session: Session, person: Person) -> list[Source]:
    """Where a staff member's followed entries come from, each a condition an index hands
    out in date order: the initiatives they are a member of, those they are assigned to
    (both by ``(initiative_id, entry_date)``), and each stadsdeel they coach (by
    ``(district_id, entry_date, id)``: the entries keep their district). The districts are
    read here, a few ids; never the list of a district's initiatives."""
    _M, _A = Membership.__table__.c, CoachAssignment.__table__.c
    districts = session.scalars(
        select(_A.district_id)
        .where(_A.coach_id == person.id, _A.district_id.is_not(None))
        .distinct()
        .order_by(_A.district_id)
    ).all()
    assigned = select(_A.initiative_id).where(
        _A.coach_id == person.id, _A.initiative_id.is_not(None)
    )
    mine = select(_M.initiative_id).where(_M.person_id == person.id)
    return [
        Source(_CE.initiative_id.in_(mine), BY_INITIATIVE),
        Source(_CE.initiative_id.in_(assigned), BY_INITIATIVE),
        *(Source(_CE.district_id == district, BY_DISTRICT) for district in districts),
    ]


@dataclass(frozen=True)
class Window:
    """The feed's window of dates (both included) and what else an entry in it meets."""

    first: date
    last: date
    #: the conditions besides the dates (a cancelled entry only while its subscribers need
    #: to hear of it)
    where: tuple[ColumnElement[bool], ...] = ()

    def conditions(self, first: date | None = None, last: date | None = None) -> list:
        """The window's conditions, its dates narrowed to ``first``…``last`` where given: one
        bound each way (SQLite starts an index walk at one of two lower bounds, maybe the
        looser, and visits every entry before the other)."""
        first = self.first if first is None else max(first, self.first)
        last = self.last if last is None else min(last, self.last)
        return [_CE.entry_date >= first, _CE.entry_date <= last, *self.where]


def _firsts(source: Source, window: Window, today: date, *, past: bool) -> Subquery:
    """One source's first entries from today on (its last before today), in the feed's order:
    a walk of the source's index that stops at the feed's limit."""
    where = (
        window.conditions(last=today - timedelta(days=1))
        if past
        else window.conditions(first=today)
    )
    query = (
        select(_CE.id, _CE.entry_date)
        .where(source.where, *where)
        .with_hint(CalendarEntry.__table__, f"INDEXED BY {source.index}", "sqlite")
    )
    if past:
        query = query.order_by(_CE.entry_date.desc(), _CE.id.desc())
        return query.limit(MAX_PAST).subquery()
    query = query.order_by(_CE.entry_date, _CE.id)
    return query.limit(MAX_UPCOMING + 1).subquery()


def _part(sources: list[Source], window: Window, today: date, *, past: bool) -> Subquery:
    """The first entries of all sources together: each source's own first ones, without
    the entries two sources share twice, and of those the first again."""
    firsts = [_firsts(source, window, today, past=past) for source in sources]
    if len(firsts) == 1:
        return firsts[0]
    both = union(*(select(f.c.id, f.c.entry_date) for f in firsts)).subquery()
    order = (both.c.entry_date.desc(), both.c.id.desc()) if past else (both.c.entry_date, both.c.id)
    limit = MAX_PAST if past else MAX_UPCOMING + 1
    return select(both.c.id).order_by(*order).limit(limit).subquery("past" if past else "upcoming")


def chosen(sources: list[Source], window: Window, today: date) -> Subquery:
    """The ids of the entries a feed shows: up to MAX_UPCOMING + 1 from today on (one more
    than shown: it tells that there are more), up to MAX_PAST before today, of the entries
    in the window that any of ``sources`` gives. Each source is read on its own, to its limit
    (one walk over the city's dates with every source as a condition visits the entries of
    all the city to find a district's)."""
    if not sources:
        sources = [Source(false(), BY_KEY)]
    upcoming = _part(sources, window, today, past=False)
    past = _part(sources, window, today, past=True)
    return union_all(select(upcoming.c.id), select(past.c.id)).subquery("chosen")


def note_event(note: str, last: CalendarEntry, base_url: str, domain: str) -> Event:
    """The note that a feed holds fewer events than its window has, on its last day."""
    event = Event()
    event.add("uid", f"feed-more@{domain}")
    event.add("dtstamp", last.updated_dt)
    event.add("dtstart", last.entry_date)
    event.add("dtend", last.entry_date + timedelta(days=1))
    event.add("summary", note)
    event.add("description", note)
    event.add("url", base_url.rstrip("/") + "/coach/")
    event.add("transp", "TRANSPARENT")
    return event
