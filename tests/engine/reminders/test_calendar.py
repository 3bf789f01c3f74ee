"""Calendar feeds: valid iCalendar for two parsers, stable UIDs, SEQUENCE up on every change."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
import pytest
import vobject

from engine.config import load_config
from engine.operations import add_step, remove_step, set_target_date, update_step
from engine.reminders.calendar import find_feed, make_feed, render_feed, revoke_feed
from engine.timeutil import local_date
from tests import factories

DAY = timedelta(days=1)
BASE = "https://verbinding.test"


def parse(data: bytes) -> tuple[icalendar.Calendar, object]:
    """Parse with icalendar and, strictly, with vobject (validating every component)."""
    text = data.decode("utf-8")
    assert "\r\n" in text and all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    strict = vobject.readOne(text, validate=True)
    return icalendar.Calendar.from_ical(data), strict


def events(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


@pytest.fixture
def group(session, now):
    item = factories.initiative(session, now, members=1)
    return item, item.memberships[0].person


def test_a_person_feed_has_every_deadline_as_an_all_day_event(session, now, group):
    item, anna = group
    due = local_date(now) + 10 * DAY
    step = add_step(session, anna, item.id, stage_key="proposal", title="Foto's maken",
                    due_date=due, now=now)  # fmt: skip
    set_target_date(session, anna, item.id, stage_key="visioning", target_date=due + 30 * DAY,
                    now=now)  # fmt: skip
    feed = make_feed(session, anna, now)
    cal, strict = parse(render_feed(session, feed, BASE, now))
    assert str(cal["VERSION"]) == "2.0"
    (tz,) = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Amsterdam"
    found = events(cal)
    event = found[f"step-{step.id}@verbinding.test"]
    assert event.decoded("DTSTART") == due and event["DTSTART"].params["VALUE"] == "DATE"
    assert event.decoded("DTEND") == due + DAY
    assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"
    assert "Foto's maken" in str(event["SUMMARY"]) and item.title in str(event["SUMMARY"])
    assert str(event["URL"]) == f"{BASE}/initiatives/{item.id}#step-{step.id}"
    assert f"stage-{item.id}-visioning@verbinding.test" in found
    assert len(strict.vevent_list) == 2
    assert {v.dtstart.value for v in strict.vevent_list} == {due, due + 30 * DAY}


def test_a_change_raises_the_sequence_and_keeps_the_uid(session, now, group):
    item, anna = group
    due = local_date(now) + 10 * DAY
    step = add_step(session, anna, item.id, stage_key="proposal", title="Offerte", due_date=due,
                    now=now)  # fmt: skip
    feed = make_feed(session, anna, now, item.id)
    uid = f"step-{step.id}@verbinding.test"
    update_step(session, anna, item.id, step.id, title="Offerte", owner_id=None,
                due_date=due + 7 * DAY, now=now + DAY)  # fmt: skip
    update_step(session, anna, item.id, step.id, title="Offerte aanvragen", owner_id=None,
                due_date=due + 7 * DAY, now=now + 2 * DAY)  # fmt: skip
    cal, _ = parse(render_feed(session, feed, BASE, now + 2 * DAY))
    event = events(cal)[uid]
    assert int(event["SEQUENCE"]) == 2
    assert event.decoded("DTSTART") == due + 7 * DAY
    assert "Offerte aanvragen" in str(event["SUMMARY"])


def test_a_removed_deadline_stays_as_a_cancelled_event(session, now, group):
    item, anna = group
    step = add_step(session, anna, item.id, stage_key="proposal", title="Weg ermee",
                    due_date=local_date(now) + 5 * DAY, now=now)  # fmt: skip
    remove_step(session, anna, item.id, step.id, now + DAY)
    feed = make_feed(session, anna, now)
    cal, strict = parse(render_feed(session, feed, BASE, now + DAY))
    event = events(cal)[f"step-{step.id}@verbinding.test"]
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1
    assert strict.vevent.status.value == "CANCELLED"


def test_a_revoked_address_is_gone_and_a_new_one_works(session, now, group):
    item, anna = group
    old = make_feed(session, anna, now)
    new = make_feed(session, anna, now + DAY)  # a new address replaces the old one
    assert find_feed(session, old.token, for_initiative=False) is None
    assert find_feed(session, new.token, for_initiative=False).id == new.id
    assert find_feed(session, new.token, for_initiative=True) is None  # the other sort
    revoke_feed(session, anna, now + 2 * DAY)
    assert find_feed(session, new.token, for_initiative=False) is None


def test_an_initiative_feed_is_for_its_followers_only(session, now, group):
    item, anna = group
    feed = make_feed(session, anna, now, item.id)
    assert find_feed(session, feed.token, for_initiative=True) is not None
    outsider = factories.person(session, now)
    from engine.errors import NotFound

    with pytest.raises(NotFound):
        make_feed(session, outsider, now, item.id)
    empty, _ = parse(render_feed(session, feed, BASE, now))
    assert list(empty.walk("VEVENT")) == []


def test_dates_stay_dates_across_summer_time(session, now, group):
    item, anna = group
    summer = date(2027, 3, 28)  # the night the clocks go forward
    add_step(session, anna, item.id, stage_key="proposal", title="Lente", due_date=summer, now=now)
    cal, strict = parse(render_feed(session, make_feed(session, anna, now), BASE, now))
    (event,) = cal.walk("VEVENT")
    assert event.decoded("DTSTART") == summer


def test_a_feed_is_in_the_configured_time_zone(session, now, group):
    _, anna = group
    session.info["config"] = load_config({"VERBINDING_TIMEZONE": "Europe/Lisbon"})
    cal, strict = parse(render_feed(session, make_feed(session, anna, now), BASE, now))
    (tz,) = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == str(cal["X-WR-TIMEZONE"]) == "Europe/Lisbon"
