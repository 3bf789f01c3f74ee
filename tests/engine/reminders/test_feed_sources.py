"""A feed's entries come from its sources, each read on its own by an index (issue 17).

* every calendar entry carries the stadsdeel of its initiative's wijk, kept by the database
  (migration 0033) through every write and every move of an initiative or a wijk;
* a feed's choice, built from per-source ordered and limited reads, is exactly the choice of
  the one walk over the window with every source OR-ed (kept here as the oracle), whatever the
  entries, dates, cancellations, memberships, assignments, districts and meetings;
* on SQLite, the district coach's feed walks the district index, the member and assigned
  sources the (initiative, date) index, and never the city's entries one by one.

Settings: ``VERBINDING_HYPOTHESIS_PROFILE`` = ``ci`` (the default: 40 derandomised examples
per database) or ``thorough`` (500 random ones).
"""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, exists, insert, or_, select, text, union_all, update

from engine.config import config_of
from engine.db import make_session_factory
from engine.models import (
    CoachAssignment,
    District,
    Initiative,
    Membership,
    Neighbourhood,
    Person,
)
from engine.models.meetings import Meeting, MeetingAnswer
from engine.models.reminders import CalendarEntry, CalendarFeed
from engine.permissions import is_staff
from engine.reminders import calendar as calendar_module
from engine.reminders import feed_scope
from engine.reminders.calendar import (
    _going_to,
    feed_validators,
    feed_window,
    followed_query,
    load_entries,
    make_feed,
)
from engine.timeutil import local_date
from tests import factories
from tests.conftest import NOW, prepared_database
from tests.profiles import profile

DAY = timedelta(days=1)
_CE = CalendarEntry.__table__.c
_keys = count(1)

SETTINGS = profile(40, 500)


def _entry(initiative_id, on, *, key=None, cancelled=False, updated=NOW) -> dict:
    return {
        "key": key or f"test:{next(_keys)}", "source": "test", "initiative_id": initiative_id,
        "kind": "step_due", "title": {"nl": "Stap", "en": "Step"}, "link": "/",
        "entry_date": on, "sequence": 0, "is_cancelled": cancelled, "created_dt": NOW,
        "updated_dt": updated,
    }  # fmt: skip


def _district_of(session, key: str) -> int | None:
    return session.execute(select(_CE.district_id).where(_CE.key == key)).scalar_one()


def _place(session, district: str, wijk: str) -> tuple[int, int]:
    """A stadsdeel with one wijk (the seeded ones, or new ones): their ids."""
    found = session.scalar(select(District).where(District.name == district))
    if found is None:
        found = District(name=district)
        session.add(found)
        session.flush()
    hood = session.scalar(select(Neighbourhood).where(Neighbourhood.name == wijk))
    if hood is None:
        hood = Neighbourhood(district_id=found.id, name=wijk)
        session.add(hood)
        session.flush()
    return found.id, hood.id


def _polled(session, feed) -> list[str]:
    """The keys of the entries a poll of the feed shows (what a calendar reads)."""
    prepared = load_entries(session, feed_validators(session, feed, NOW))
    return [entry.key for entry in prepared.entries]


# -- the kept district ------------------------------------------------------------------------


def test_each_entry_keeps_its_district_and_the_coach_feed_follows_every_move(session):
    west, paddepoel = _place(session, "West", "Paddepoel")
    zuid, helpman = _place(session, "Zuid", "Helpman")
    (iid,) = factories.bulk_initiatives(session, NOW, 1, title="Wijkplan")
    today = local_date(NOW, config_of(session).timezone)
    # by the ORM, by Core, and one without an initiative
    session.add(CalendarEntry(**_entry(iid, today + 3 * DAY, key="orm:1")))
    session.flush()
    session.execute(insert(CalendarEntry), [_entry(iid, today + 4 * DAY, key="core:1")])
    session.execute(insert(CalendarEntry), [_entry(None, today + 5 * DAY, key="loose:1")])
    assert _district_of(session, "orm:1") == _district_of(session, "core:1") == west
    assert _district_of(session, "loose:1") is None

    coaches = {}
    for name, district in (("West", west), ("Zuid", zuid)):
        coach = factories.staff(session, NOW, name=f"Coach {name}")
        session.add(CoachAssignment(coach_id=coach.id, district_id=district, created_dt=NOW))
        coaches[name] = make_feed(session, coach, NOW)
    session.flush()
    assert _polled(session, coaches["West"]) == ["orm:1", "core:1"]
    assert _polled(session, coaches["Zuid"]) == []

    # the initiative moves to a wijk of another stadsdeel
    session.execute(update(Initiative).where(Initiative.id == iid).values(neighbourhood_id=helpman))
    assert _district_of(session, "orm:1") == _district_of(session, "core:1") == zuid
    assert _polled(session, coaches["West"]) == []
    assert _polled(session, coaches["Zuid"]) == ["orm:1", "core:1"]

    # its wijk moves to another stadsdeel (by the ORM)
    hood = session.get(Neighbourhood, helpman)
    assert hood is not None
    hood.district_id = west
    session.flush()
    assert _district_of(session, "orm:1") == _district_of(session, "core:1") == west
    assert _polled(session, coaches["West"]) == ["orm:1", "core:1"]
    assert _polled(session, coaches["Zuid"]) == []
    # a wijk without entries, and an entry moved to no initiative, stay right too
    session.execute(
        update(Neighbourhood).where(Neighbourhood.id == paddepoel).values(district_id=zuid)
    )
    assert _district_of(session, "orm:1") == west
    session.execute(
        update(CalendarEntry).where(CalendarEntry.key == "core:1").values(initiative_id=None)
    )
    assert _district_of(session, "core:1") is None
    assert _polled(session, coaches["West"]) == ["orm:1"]


# -- the choice equals the one walk of old ----------------------------------------------------


def old_follows_where(person: Person):
    """The entries of initiatives a staff member follows, as one condition on each entry: the
    formulation before issue 17's sources (three probes per entry)."""
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


def old_choice(session, feed: CalendarFeed) -> set[int]:
    """The ids the feed showed before: one walk over the window with every source OR-ed."""
    person = session.get(Person, feed.person_id)
    if feed.initiative_id is not None:
        followed = CalendarEntry.initiative_id.in_([feed.initiative_id])
    else:
        followed = (
            old_follows_where(person)
            if is_staff(person)
            else CalendarEntry.initiative_id.in_(followed_query(person))
        )
        followed = or_(followed, CalendarEntry.key.in_(_going_to(person.id)))
    where = [followed, *feed_window(session, NOW).conditions()]
    today = local_date(NOW, config_of(session).timezone)
    upcoming = (
        select(_CE.id).where(*where, _CE.entry_date >= today)
        .order_by(_CE.entry_date, _CE.id).limit(feed_scope.MAX_UPCOMING + 1).subquery()
    )  # fmt: skip
    past = (
        select(_CE.id).where(*where, _CE.entry_date < today)
        .order_by(_CE.entry_date.desc(), _CE.id.desc()).limit(feed_scope.MAX_PAST).subquery()
    )  # fmt: skip
    return set(session.scalars(union_all(select(upcoming.c.id), select(past.c.id))))


@pytest.fixture
def small_limits():
    before = feed_scope.MAX_UPCOMING, feed_scope.MAX_PAST
    feed_scope.MAX_UPCOMING, feed_scope.MAX_PAST = 3, 2
    calendar_module.MAX_UPCOMING = 3  # type: ignore[attr-defined]
    yield
    feed_scope.MAX_UPCOMING, feed_scope.MAX_PAST = before
    calendar_module.MAX_UPCOMING = before[0]  # type: ignore[attr-defined]


def _world(session) -> dict:
    """Three stadsdelen with a wijk each, two initiatives in each, a coach and a resident with
    their own feeds, a feed of one initiative, and three meetings."""
    places = [_place(session, d, w) for d, w in (("West", "Paddepoel"), ("Zuid", "Helpman"),
                                                  ("Noord", "Selwerd"))]  # fmt: skip
    initiatives = factories.bulk_initiatives(session, NOW, 6, title="Bron")
    for n, iid in enumerate(initiatives):
        session.execute(update(Initiative).where(Initiative.id == iid)
                        .values(neighbourhood_id=places[n % 3][1]))  # fmt: skip
    coach = factories.staff(session, NOW, name="Coach Bron")
    resident = factories.person(session, NOW, "Bewoner Bron")
    meetings = []
    for n in range(3):
        meeting = Meeting(
            initiative_id=initiatives[n], title=f"Overleg {n}", start_dt=NOW + DAY,
            end_dt=NOW + DAY + timedelta(hours=1), place="Buurthuis", address="Plein 1",
            created_by_id=resident.id, created_dt=NOW,
        )  # fmt: skip
        session.add(meeting)
        meetings.append(meeting)
    feeds = [
        CalendarFeed(token=f"bron-{n}", person_id=who.id, initiative_id=iid, created_dt=NOW)
        for n, (who, iid) in enumerate([(coach, None), (resident, None), (coach, initiatives[0])])
    ]
    session.add_all(feeds)
    session.flush()
    return {
        "districts": [d for d, _ in places], "initiatives": initiatives, "coach": coach.id,
        "resident": resident.id, "meetings": [m.id for m in meetings], "feeds": feeds,
    }  # fmt: skip


def _days(back: int, ahead: int):
    """Days from today: the window's edges and today's, each side of them, and any between."""
    edges = [-back - 1, -back, -back + 1, -1, 0, 1, ahead - 1, ahead, ahead + 1]
    return st.one_of(st.sampled_from(edges), st.integers(-back - 3, ahead + 3))


def test_the_choice_from_sources_equals_the_one_walk_of_old(session, small_limits):
    world = _world(session)
    config = config_of(session)
    today = local_date(NOW, config.timezone)
    back, ahead = config.feed_days_back, config.feed_days_ahead
    n_initiatives = len(world["initiatives"])
    entry = st.tuples(
        st.integers(0, n_initiatives),  # the last: no initiative
        _days(back, ahead),
        st.booleans(),  # cancelled
        st.booleans(),  # changed long ago (a cancelled one has left the feed)
    )
    some = st.sets

    @SETTINGS
    @given(
        entries=st.lists(entry, min_size=6, max_size=24),
        meeting_entries=st.lists(st.one_of(st.none(), entry), min_size=3, max_size=3),
        coach_member=some(st.integers(0, n_initiatives - 1), max_size=2),
        coach_assigned=some(st.integers(0, n_initiatives - 1), min_size=1, max_size=2),
        coach_districts=some(st.integers(0, 2), max_size=2),
        resident_member=some(st.integers(0, n_initiatives - 1), max_size=3),
        coach_going=some(st.integers(0, 2)),
        resident_going=some(st.integers(0, 2)),
    )
    def check(entries, meeting_entries, coach_member, coach_assigned, coach_districts,
              resident_member, coach_going, resident_going):  # fmt: skip
        nested = session.begin_nested()
        try:
            iids, meetings = world["initiatives"], world["meetings"]

            def row(spec, key=None) -> dict:
                which, days, cancelled, old = spec
                return _entry(
                    iids[which] if which < len(iids) else None, today + days * DAY, key=key,
                    cancelled=cancelled, updated=NOW - (200 if old else 10) * DAY,
                )  # fmt: skip

            rows = [row(spec) for spec in entries]
            rows += [
                row(spec, key=f"meeting:{meetings[n]}")
                for n, spec in enumerate(meeting_entries) if spec is not None
            ]  # fmt: skip
            if rows:
                session.execute(insert(CalendarEntry), rows)
            coach, resident = world["coach"], world["resident"]
            session.add_all(
                [Membership(initiative_id=iids[i], person_id=coach, role="member",
                            joined_dt=NOW) for i in coach_member]
                + [Membership(initiative_id=iids[i], person_id=resident, role="member",
                              joined_dt=NOW) for i in resident_member]
                + [CoachAssignment(coach_id=coach, initiative_id=iids[i], created_dt=NOW)
                   for i in coach_assigned]
                + [CoachAssignment(coach_id=coach, district_id=world["districts"][d],
                                   created_dt=NOW) for d in coach_districts]
                + [MeetingAnswer(meeting_id=meetings[m], person_id=coach, answer="going",
                                 updated_dt=NOW) for m in coach_going]
                + [MeetingAnswer(meeting_id=meetings[m], person_id=resident, answer="going",
                                 updated_dt=NOW) for m in resident_going]
            )  # fmt: skip
            session.flush()
            for feed in world["feeds"]:
                expected = old_choice(session, feed)
                prepared = feed_validators(session, feed, NOW)
                ids = feed_scope.chosen(prepared.sources, prepared.window, today)
                assert set(session.scalars(select(ids.c.id))) == expected, feed.token
                # and what a poll shows: those, by date, less the one that tells of more
                shown = load_entries(session, prepared)
                by_date = session.execute(
                    select(_CE.id, _CE.entry_date).where(_CE.id.in_(expected))
                    .order_by(_CE.entry_date, _CE.id)
                ).all()  # fmt: skip
                more = sum(1 for _, on in by_date if on >= today) > feed_scope.MAX_UPCOMING
                assert [e.id for e in shown.entries] == [i for i, _ in by_date][
                    : len(by_date) - more
                ]
                assert shown.more == more
        finally:
            nested.rollback()

    check()


# -- the plans --------------------------------------------------------------------------------


def test_the_district_feed_walks_the_district_index_even_with_stale_statistics(tmp_path):
    """On SQLite, with statistics taken while the table was nearly empty (with them its planner
    would walk the city's date index, which gives the feed's order too)."""
    engine = prepared_database("sqlite", tmp_path, "plans")
    try:
        with make_session_factory(engine)() as session:
            coach = factories.staff(session, NOW, name="Coach West")
            west = session.scalar(select(District.id).where(District.name == "West"))
            ids = factories.bulk_initiatives(session, NOW, 40, title="Plan")
            session.add_all([
                CoachAssignment(coach_id=coach.id, district_id=west, created_dt=NOW),
                CoachAssignment(coach_id=coach.id, initiative_id=ids[0], created_dt=NOW),
                Membership(initiative_id=ids[1], person_id=coach.id, role="member",
                           joined_dt=NOW),
            ])  # fmt: skip
            feed = make_feed(session, coach, NOW)
            today = local_date(NOW, config_of(session).timezone)
            # the statistics of a table of a dozen entries (the bench's city after its fill)
            session.execute(insert(CalendarEntry), [_entry(i, today) for i in ids[:12]])
            session.commit()
            session.execute(text("ANALYZE"))
            session.commit()
            session.execute(insert(CalendarEntry), [
                _entry(i, today + (n % 90 - 30) * DAY) for i in ids for n in range(25)
            ])  # fmt: skip
            session.commit()

            sent: list[tuple[str, object]] = []

            def note(_conn, _cursor, statement, parameters, *_args) -> None:
                sent.append((statement, parameters))

            event.listen(engine, "before_cursor_execute", note)
            try:
                shown = load_entries(session, feed_validators(session, feed, NOW))
            finally:
                event.remove(engine, "before_cursor_execute", note)
            assert len(shown.entries) > 100
            raw = session.connection().connection.driver_connection
            plans = [
                [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters)]
                for statement, parameters in sent
                if "calendar_entries" in statement
            ]  # fmt: skip
    finally:
        engine.dispose()
    assert len(plans) == 2  # the validators' aggregate and the body
    for plan in plans:
        walks = [step for step in plan if "calendar_entries" in step]
        assert not [step for step in walks if step.startswith("SCAN")], "\n".join(plan)
        assert not [step for step in walks if "ix_calendar_entries_date_id" in step], plan
        assert any("ix_calendar_entries_district_date_id (district_id=?" in s for s in walks)
        # the member and the assigned initiatives: by initiative and date
        by_initiative = "ix_calendar_entries_initiative_date (initiative_id=?"
        assert sum(by_initiative in step for step in walks) == 4, plan


def test_each_walk_has_one_bound_each_way(session):
    """SQLite starts an index walk at one of two lower bounds (the window's first day, or
    today), maybe the looser: it then visits every entry between them. Each walk has one."""
    today = local_date(NOW, config_of(session).timezone)
    window = calendar_module.feed_window(session, NOW)
    source = feed_scope.Source(_CE.district_id == 1, feed_scope.BY_DISTRICT)
    for past in (False, True):
        walk = select(feed_scope._firsts(source, window, today, past=past))
        sql = str(walk.compile(session.get_bind()))
        assert sql.count("entry_date >=") == 1 and sql.count("entry_date <=") == 1, sql
        assert "entry_date <" not in sql.replace("entry_date <=", ""), sql
