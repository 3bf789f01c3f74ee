"""What a calendar feed holds at city scale: a bounded number of events, chosen by index walks.

A district coach follows every initiative of a stadsdeel: thousands of deadlines in the feed's
window. A calendar client re-reads the whole feed on every poll and shows what is coming, so a
feed holds the next :data:`MAX_UPCOMING` events from today (by date) and the last
:data:`MAX_PAST` before today; a feed that has more says so in a note (an event on the last
day it shows, and the calendar's description) and the coach finds the rest in the caseload.
Each part is read by walking an index in date order and stops at its limit, whatever the size
of the district or the city.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from icalendar import Event
from sqlalchemy import Subquery, exists, or_, select, union_all

from engine.models import CoachAssignment, Initiative, Membership, Neighbourhood, Person
from engine.models.reminders import CalendarEntry

#: at most this many events from today on, and this many before today, in one feed
MAX_UPCOMING = 1000
MAX_PAST = 200

_CE = CalendarEntry.__table__.c


def follows_where(person: Person) -> Any:
    """The entries of initiatives a staff member follows, as a condition on each entry (three
    index probes per entry; never the list of a district's initiatives)."""
    _M, _A = Membership.__table__.c, CoachAssignment.__table__.c
    _I, _N = Initiative.__table__.c, Neighbourhood.__table__.c
    district = CoachAssignment.__table__.alias("district_coach")
    in_district = (
        select(_I.id)
        .join(Neighbourhood.__table__, _N.id == _I.neighbourhood_id)
        .join(district, district.c.district_id == _N.district_id)
        .where(_I.id == _CE.initiative_id, district.c.coach_id == person.id)
    )
    return or_(
        exists().where(_M.initiative_id == _CE.initiative_id, _M.person_id == person.id),
        exists().where(_A.initiative_id == _CE.initiative_id, _A.coach_id == person.id),
        in_district.exists(),
    )


def chosen(where: list, today: date) -> Subquery:
    """The ids of the entries a feed shows: up to MAX_UPCOMING + 1 from today on (one more
    than shown: it tells that there are more), up to MAX_PAST before today."""
    upcoming = (
        select(_CE.id)
        .where(*where, _CE.entry_date >= today)
        .order_by(_CE.entry_date, _CE.id)
        .limit(MAX_UPCOMING + 1)
        .subquery("upcoming")
    )
    past = (
        select(_CE.id)
        .where(*where, _CE.entry_date < today)
        .order_by(_CE.entry_date.desc(), _CE.id.desc())
        .limit(MAX_PAST)
        .subquery("past")
    )
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
