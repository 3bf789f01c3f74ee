"""A calendar feed polled while nothing changed is sent from the process's copy; any change a
resident or coach would see in the calendar is in the very next poll (web/feed_cache.py)."""

from __future__ import annotations

import contextlib
import urllib.request
from datetime import timedelta

import icalendar
import pytest

from engine.db import utcnow
from engine.models import CoachAssignment, District, Initiative, Neighbourhood
from engine.operations import add_step, complete_step, update_initiative
from engine.reminders.calendar import make_feed
from engine.timeutil import local_date
from tests import factories
from tests.support import LiveServer
from web.feed_cache import FeedCache, feed_cache

DAY = timedelta(days=1)


@contextlib.contextmanager
def counted(app):
    statements: list[str] = []
    engine = app.extensions["verbinding"].engine

    def note(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    from sqlalchemy import event

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def summaries(body: bytes) -> list[str]:
    """The events a calendar shows (a cancelled one is taken out of it)."""
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    return sorted(str(e["SUMMARY"]) for e in events if str(e["STATUS"]) != "CANCELLED")


@pytest.fixture
def group(db_session):
    now = utcnow()
    anna = factories.person(db_session, now, "Anna de Vries")
    item = factories.initiative(db_session, now, initiator=anna, title="Groen plein")
    step = add_step(db_session, anna, item.id, stage_key="proposal", title="Foto's maken",
                    due_date=local_date(now) + 10 * DAY, now=now)  # fmt: skip
    feed = make_feed(db_session, anna, now)
    db_session.commit()
    return anna, item, step, f"/calendar/{feed.token}.ics"


def test_an_unchanged_feed_is_sent_again_without_reading_its_entries(client, web_app, group):
    _, _, _, path = group
    first = client.get(path)
    with counted(web_app) as built_again:
        fresh = feed_cache(web_app)
        fresh.limit, kept = 0, fresh.limit  # nothing kept: every poll builds the body
        try:
            client.get(path).get_data()
        finally:
            fresh.limit = kept
    client.get(path).get_data()  # built and kept, once sent whole
    with counted(web_app) as from_copy:
        again = client.get(path)
    assert again.status_code == 200 and again.get_data() == first.get_data()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert len(from_copy) < len(built_again), (from_copy, built_again)


def test_a_calendar_client_over_http_gets_the_whole_feed_first_and_then_from_the_copy(
    web_app, group
):
    """Over a real connection the client reads as many bytes as Content-Length says: the
    first poll (built and streamed) once said 0, so the calendar kept an empty feed."""
    _, _, _, path = group
    copies = feed_cache(web_app)
    server = LiveServer(web_app).start()
    try:
        for poll in ("built", "from the copy"):
            kept = len(copies)
            with urllib.request.urlopen(server.url + path, timeout=30) as answer:
                length, body = answer.headers.get("Content-Length"), answer.read()
            assert length is None or int(length) == len(body), (poll, length, len(body))
            assert summaries(body) == ["Stap: Foto's maken (Groen plein)"], poll
            assert len(copies) == kept + (poll == "built"), poll  # built and kept, or copied
    finally:
        server.stop()


def test_every_change_is_in_the_next_poll(client, db_session, group):
    anna, item, step, path = group
    assert summaries(client.get(path).get_data()) == ["Stap: Foto's maken (Groen plein)"]
    client.get(path).get_data()  # from the copy
    now = utcnow()
    add_step(db_session, anna, item.id, stage_key="proposal", title="Buren uitnodigen",
             due_date=local_date(now) + 5 * DAY, now=now)  # fmt: skip
    db_session.commit()
    assert summaries(client.get(path).get_data()) == [
        "Stap: Buren uitnodigen (Groen plein)", "Stap: Foto's maken (Groen plein)",
    ]  # fmt: skip
    update_initiative(db_session, anna, item.id, title="Groen pleintje",
                      description=item.description, now=utcnow())  # fmt: skip
    db_session.commit()
    assert all("(Groen pleintje)" in s for s in summaries(client.get(path).get_data()))
    complete_step(db_session, anna, item.id, step.id, utcnow())
    db_session.commit()
    assert summaries(client.get(path).get_data()) == ["Stap: Buren uitnodigen (Groen pleintje)"]


def test_a_coach_moved_to_another_initiative_sees_its_deadlines_at_once(client, db_session):
    """Two initiatives whose deadlines were made in the same instant: the coach's feed holds as
    many entries, changed as late, before and after the move; only what they are differs."""
    now = utcnow()
    coach = factories.staff(db_session, now)
    first = factories.initiative(db_session, now, title="Coenderspark")
    second = factories.initiative(db_session, now, title="Paddepoel")
    for item in (first, second):
        add_step(db_session, item.memberships[0].person, item.id, stage_key="proposal",
                 title=f"Plan voor {item.title}", due_date=local_date(now) + 3 * DAY,
                 now=now)  # fmt: skip
    assignment = CoachAssignment(coach_id=coach.id, initiative_id=first.id, created_dt=now)
    db_session.add(assignment)
    path = f"/calendar/{make_feed(db_session, coach, now).token}.ics"
    db_session.commit()
    assert summaries(client.get(path).get_data()) == ["Stap: Plan voor Coenderspark (Coenderspark)"]
    client.get(path).get_data()
    assignment.initiative_id = second.id
    db_session.commit()
    assert summaries(client.get(path).get_data()) == ["Stap: Plan voor Paddepoel (Paddepoel)"]


def test_a_district_coach_sees_an_initiative_or_a_wijk_that_moves_at_once(client, db_session):
    """The entries keep their stadsdeel (migration 0033): a coach of Oost sees an initiative
    moved into Oost, and out again with its wijk, in the very next poll."""
    now = utcnow()
    oost, noord = District(name="Oost"), District(name="Noord")
    db_session.add_all([oost, noord])
    db_session.flush()
    lewenborg = Neighbourhood(district_id=oost.id, name="Lewenborg")
    selwerd = Neighbourhood(district_id=noord.id, name="Selwerd")
    db_session.add_all([lewenborg, selwerd])
    coach = factories.staff(db_session, now)
    db_session.add(CoachAssignment(coach_id=coach.id, district_id=oost.id, created_dt=now))
    item = factories.initiative(db_session, now, title="Selwerder tuin")
    item.neighbourhood_id = selwerd.id
    add_step(db_session, item.memberships[0].person, item.id, stage_key="proposal",
             title="Zaaien", due_date=local_date(now) + 3 * DAY, now=now)  # fmt: skip
    path = f"/calendar/{make_feed(db_session, coach, now).token}.ics"
    db_session.commit()
    assert summaries(client.get(path).get_data()) == []
    client.get(path).get_data()
    db_session.get(Initiative, item.id).neighbourhood_id = lewenborg.id
    db_session.commit()
    assert summaries(client.get(path).get_data()) == ["Stap: Zaaien (Selwerder tuin)"]
    client.get(path).get_data()
    db_session.get(Neighbourhood, lewenborg.id).district_id = noord.id
    db_session.commit()
    assert summaries(client.get(path).get_data()) == []


def test_the_copies_stay_within_their_bytes():
    cache = FeedCache(limit=10)
    cache.put(("a",), b"12345")
    cache.put(("b",), b"12345")
    assert cache.get(("a",)) == b"12345"  # used last: "b" goes first
    cache.put(("c",), b"123")
    assert cache.get(("b",)) is None and cache.get(("a",)) and cache.get(("c",))
    assert cache.size <= 10
    cache.put(("d",), b"x" * 11)  # larger than all copies together: not kept
    assert cache.get(("d",)) is None and len(cache) == 2


def test_a_body_cut_off_midway_is_not_kept():
    cache = FeedCache()
    sending = cache.keeping(("a",), iter([b"BEGIN", b"END"]))
    assert next(sending) == b"BEGIN"
    sending.close()  # the calendar went away before the end
    assert cache.get(("a",)) is None
    assert b"".join(cache.keeping(("a",), iter([b"BEGIN", b"END"]))) == b"BEGINEND"
    assert cache.get(("a",)) == b"BEGINEND"
