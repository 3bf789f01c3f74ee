"""Meetings that pass midnight (also across a change of the clocks), the notice to those coming
when the group moves or cancels a meeting, and the people the group signs up from paper."""

from __future__ import annotations

from datetime import date, time, timedelta

import icalendar
import pytest
from sqlalchemy import select

from engine.errors import InvalidInput, NotFound, Refused
from engine.mail.outbox import contents
from engine.meetings.operations import (
    answer_meeting,
    cancel_meeting,
    plan_meeting,
    update_meeting,
)
from engine.meetings.paper import add_paper_signup, paper_signups_of, remove_paper_signup
from engine.meetings.queries import meetings_of
from engine.models import OutboxMessage
from engine.models.notifications import Notification, NotificationEvent
from engine.operations import pause_initiative
from engine.reminders.calendar import make_feed, render_feed
from engine.timeutil import local_date, zone
from tests import factories
from tests.engine.meetings.test_meetings import BASE, DAY, evening, reminders

AMS = zone("Europe/Amsterdam")


@pytest.fixture
def group(session, now):
    item = factories.initiative(session, now, members=1)
    return item, item.memberships[0].person


def feed_event(session, person, now, item, meeting):
    data = render_feed(session, make_feed(session, person, now, item.id), BASE, now)
    (event,) = [e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")
                if str(e["UID"]) == f"meeting-{meeting.id}@verbinding.test"]  # fmt: skip
    return event


def test_an_evening_until_half_past_midnight_ends_the_next_day(session, now, group):
    item, anna = group
    meeting = plan_meeting(session, anna, item.id, evening(now, starts="20:00", ends="00:30"), now)
    start, end = meeting.start_dt.astimezone(AMS), meeting.end_dt.astimezone(AMS)
    assert (start.time(), end.time()) == (time(20, 0), time(0, 30))
    assert end.date() == start.date() + DAY and end - start == timedelta(hours=4, minutes=30)
    # the reminder still comes the day before the evening, not the day before midnight
    neighbour = factories.person(session, now)
    answer_meeting(session, neighbour, item.id, meeting.id, "going", now)
    (row,) = reminders(session, meeting.id)
    assert local_date(row.due_dt) == start.date() - DAY
    event = feed_event(session, anna, now, item, meeting)
    assert event["DTSTART"].params["TZID"] == event["DTEND"].params["TZID"] == "Europe/Amsterdam"
    assert event.decoded("DTEND") == end and event.decoded("DTSTART") == start
    # answering stays open until the evening is over, past midnight
    late = meeting.end_dt - timedelta(minutes=10)
    answer_meeting(session, factories.person(session, now), item.id, meeting.id, "going", late)


def test_a_weekend_event_has_its_own_end_day_and_a_bounded_length(session, now, group):
    item, anna = group
    saturday = local_date(now) + 10 * DAY
    weekend = plan_meeting(session, anna, item.id, evening(now, day=saturday, starts="10:00",
                           ends="16:00", end_day=saturday + DAY), now)  # fmt: skip
    assert weekend.end_dt - weekend.start_dt == timedelta(hours=30)
    # the same times without an end day: one day, 10:00 to 16:00
    one_day = plan_meeting(session, anna, item.id, evening(now, day=saturday, starts="10:00",
                           ends="16:00"), now)  # fmt: skip
    assert one_day.end_dt - one_day.start_dt == timedelta(hours=6)
    for bad, field in [
        (evening(now, day=saturday, end_day=saturday - DAY), "ends"),  # ends before it starts
        (evening(now, day=saturday, starts="21:00", ends="20:00", end_day=saturday), "ends"),
        (evening(now, day=saturday, end_day=saturday + 4 * DAY), "end_day"),
        (evening(now, day=saturday, end_day=date(2150, 1, 1)), "end_day"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            plan_meeting(session, anna, item.id, bad, now)
        assert refused.value.field == field
    # a change to an evening past midnight keeps its end day when the form sends it again
    update_meeting(session, anna, item.id, one_day.id, evening(now, day=saturday, starts="20:00",
                   ends="00:30"), now)  # fmt: skip
    assert one_day.end_dt.astimezone(AMS).date() == saturday + DAY


def test_a_night_across_a_change_of_the_clocks(session, now, group):
    item, anna = group
    # summer time ends on 31 October 2027 at 03:00: the night from Saturday lasts an hour more
    autumn = plan_meeting(session, anna, item.id, evening(now, day=date(2027, 10, 30),
                          starts="22:00", ends="04:00"), now)  # fmt: skip
    assert autumn.end_dt - autumn.start_dt == timedelta(hours=7)
    start, end = autumn.start_dt.astimezone(AMS), autumn.end_dt.astimezone(AMS)
    assert start.utcoffset() == timedelta(hours=2) and end.utcoffset() == timedelta(hours=1)
    event = feed_event(session, anna, now, item, autumn)
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=2)
    assert (event.decoded("DTEND").time(), event.decoded("DTEND").utcoffset()) == (
        time(4, 0), timedelta(hours=1))  # fmt: skip
    # summer time starts on 28 March 2027 at 02:00: that night is an hour shorter
    spring = plan_meeting(session, anna, item.id, evening(now, day=date(2027, 3, 27),
                          starts="23:00", ends="04:00"), now)  # fmt: skip
    assert spring.end_dt - spring.start_dt == timedelta(hours=4)
    # a time the clocks skip does not exist: refused, not moved an hour on the quiet
    with pytest.raises(InvalidInput) as refused:
        plan_meeting(session, anna, item.id, evening(now, day=date(2027, 3, 28), starts="02:30",
                     ends="04:00"), now)  # fmt: skip
    assert refused.value.field == "starts"


def _told(session, kind):
    return {
        person_id
        for (person_id,) in session.execute(
            select(Notification.person_id)
            .join(NotificationEvent, NotificationEvent.id == Notification.event_id)
            .where(NotificationEvent.kind == kind)
        )
    }


def _mails(session, kind_word):
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return {r.to_addr: contents(r)[0] for r in rows if kind_word in (r.subject or "")}


def test_those_coming_hear_of_a_new_time_or_place_in_their_language(session, now, group):
    item, anna = group
    meeting = plan_meeting(session, anna, item.id, evening(now), now)
    going = factories.person(session, now, "Noor Visser", locale="en")
    maybe = factories.person(session, now, "Cor Jansen")
    not_coming = factories.person(session, now, "Bram Bakker")
    answer_meeting(session, going, item.id, meeting.id, "going", now)
    answer_meeting(session, maybe, item.id, meeting.id, "maybe", now)
    answer_meeting(session, not_coming, item.id, meeting.id, "not", now)
    answer_meeting(session, anna, item.id, meeting.id, "going", now)  # the one who changes it
    # a new capacity or title is no news for those coming
    update_meeting(session, anna, item.id, meeting.id, evening(now, capacity=40), now)
    assert _told(session, "meeting_changed") == set()
    update_meeting(session, anna, item.id, meeting.id,
                   evening(now, starts="20:00", ends="00:30", place="De Wijert"), now)  # fmt: skip
    assert _told(session, "meeting_changed") == {going.id, maybe.id}
    session.flush()
    mails = {r.to_addr: contents(r)[0] for r in session.scalars(select(OutboxMessage))}
    assert "is now from" in mails[going.email] and "De Wijert" in mails[going.email]
    assert "20:00" in mails[going.email] and "00:30" in mails[going.email]
    assert "heeft de bijeenkomst" in mails[maybe.email] and "De Wijert" in mails[maybe.email]
    assert not_coming.email not in mails and anna.email not in mails
    # cancelled: those who said maybe hear it too
    cancel_meeting(session, anna, item.id, meeting.id, now)
    assert _told(session, "meeting_cancelled") == {going.id, maybe.id}


def test_a_paused_group_keeps_its_members_quiet_but_neighbours_hear_of_a_move(session, now):
    item = factories.initiative(session, now, members=2)
    anna, bram = (m.person for m in item.memberships[:2])
    meeting = plan_meeting(session, anna, item.id, evening(now), now)
    neighbour = factories.person(session, now)
    answer_meeting(session, neighbour, item.id, meeting.id, "going", now)
    answer_meeting(session, bram, item.id, meeting.id, "going", now)
    pause_initiative(session, anna, item.id, reason="Even rust", now=now)
    update_meeting(session, anna, item.id, meeting.id, evening(now, place="De Wijert"), now)
    # docs/notifications.md: a paused group's members hear only about the pause
    assert _told(session, "meeting_changed") == {neighbour.id}


def test_paper_signups_count_in_the_capacity_and_can_be_removed(session, now, group):
    item, anna = group
    meeting = plan_meeting(session, anna, item.id, evening(now, capacity=5), now)
    family = add_paper_signup(session, anna, item.id, meeting.id, "  Familie   El Idrissi ", 3, now)
    add_paper_signup(session, anna, item.id, meeting.id, "Mevrouw Dijkstra", None, now)
    (view,) = meetings_of(session, item.id, meeting.id)
    assert (view.going, view.paper, view.places_left) == (0, 4, 1)
    assert [(p.name, p.people) for p in paper_signups_of(session, meeting.id)] == [
        ("Familie El Idrissi", 3), ("Mevrouw Dijkstra", 1)]  # fmt: skip
    answer_meeting(session, factories.person(session, now), item.id, meeting.id, "going", now)
    with pytest.raises(Refused):  # full: 1 online + 4 on paper
        answer_meeting(session, factories.person(session, now), item.id, meeting.id, "going", now)
    with pytest.raises(Refused) as refused:
        add_paper_signup(session, anna, item.id, meeting.id, "Piet", 1, now)
    assert refused.value.field == "people"
    with pytest.raises(InvalidInput):  # the capacity cannot drop below who is coming
        update_meeting(session, anna, item.id, meeting.id, evening(now, capacity=4), now)
    for name, people, field in [(" ", 1, "name"), ("Piet", 0, "people"), ("Piet", 21, "people"),
                                ("x" * 201, 1, "name")]:  # fmt: skip
        with pytest.raises(InvalidInput) as bad:
            add_paper_signup(session, anna, item.id, meeting.id, name, people, now)
        assert bad.value.field == field
    stranger = factories.person(session, now)
    with pytest.raises(Exception) as denied:
        remove_paper_signup(session, stranger, item.id, meeting.id, family.id, now)
    assert type(denied.value).__name__ == "PermissionDenied"
    remove_paper_signup(session, anna, item.id, meeting.id, family.id, now)
    with pytest.raises(NotFound):
        remove_paper_signup(session, anna, item.id, meeting.id, family.id, now)
    (view,) = meetings_of(session, item.id, meeting.id)
    assert (view.going, view.paper, view.places_left) == (1, 1, 3)
    answer_meeting(session, factories.person(session, now), item.id, meeting.id, "going", now)
    cancel_meeting(session, anna, item.id, meeting.id, now)
    with pytest.raises(Refused):
        add_paper_signup(session, anna, item.id, meeting.id, "Piet", 1, now)
