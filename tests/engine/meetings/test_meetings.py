"""Meetings: planning, answers within the capacity, the calendar feeds, reminders, gates."""

from __future__ import annotations

from datetime import date, time, timedelta

import icalendar
import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from engine.errors import InvalidInput, Refused
from engine.guards import GUARDS
from engine.meetings.operations import (
    MeetingInput,
    answer_meeting,
    attach_minutes,
    cancel_meeting,
    message_going,
    plan_meeting,
    update_meeting,
)
from engine.models.meetings import MeetingAnswer
from engine.models.reminders import Reminder
from engine.operations import pause_initiative
from engine.operations.common import guard_context
from engine.reminders.calendar import make_feed, render_feed
from engine.reminders.dispatcher import dispatch
from engine.timeutil import local_date, zone
from tests import factories
from tests.engine.reminders.test_dispatcher import DELIVERY, morning

DAY = timedelta(days=1)
BASE = "https://verbinding.test"
AMS = zone("Europe/Amsterdam")


def evening(now, days=10, capacity=None, **kw) -> MeetingInput:
    values = {"title": "Wijkavond", "day": local_date(now) + days * DAY, "starts": "19:30",
              "ends": "21:30", "place": "Buurthuis De Paddepoel",
              "address": "Pop Dijkemaweg 9, Groningen", "capacity": capacity,
              "accessibility": "Drempelvrij, met ringleiding."}  # fmt: skip
    values.update(kw)
    return MeetingInput(**values)


@pytest.fixture
def group(session, now):
    item = factories.initiative(session, now, members=1)
    return item, item.memberships[0].person


def reminders(session, meeting_id):
    return list(
        session.scalars(select(Reminder).where(Reminder.deadline_key == f"meeting:{meeting_id}"))
    )


def test_a_meeting_is_planned_in_the_city_time_and_bad_input_changes_nothing(session, now, group):
    item, anna = group
    meeting = plan_meeting(session, anna, item.id, evening(now), now)
    assert meeting.start_dt.astimezone(AMS).time() == time(19, 30)
    assert meeting.end_dt - meeting.start_dt == timedelta(hours=2)
    for bad, field in [
        # on the same day an end before the start is refused (left empty: the next day)
        (evening(now, ends="19:00", end_day=local_date(now) + 10 * DAY), "ends"),
        (evening(now, starts="25:00"), "starts"),
        (evening(now, days=-3), "day"),
        (evening(now, day=date(2150, 1, 1)), "day"),
        (evening(now, title="  "), "title"),
        (evening(now, capacity=0), "capacity"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            plan_meeting(session, anna, item.id, bad, now)
        assert refused.value.field == field
    assert session.scalar(select(func.count()).select_from(MeetingAnswer)) == 0


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    capacity=st.integers(1, 3),
    moves=st.lists(st.tuples(st.integers(0, 4), st.sampled_from(["going", "maybe", "not"])),
                   max_size=14),
)  # fmt: skip
def test_never_more_going_than_the_capacity(session, now, group, capacity, moves):
    item, anna = group
    with session.begin_nested() as outer:
        meeting = plan_meeting(session, anna, item.id, evening(now, capacity=capacity), now)
        people = [factories.person(session, now) for _ in range(5)]
        answers: dict[int, str] = {}
        for who, answer in moves:
            going = sum(a == "going" for a in answers.values())
            try:
                answer_meeting(session, people[who], item.id, meeting.id, answer, now)
                answers[who] = answer
            except Refused:
                assert answer == "going" and going >= capacity and answers.get(who) != "going"
            stored = session.scalar(
                select(func.count()).where(
                    MeetingAnswer.meeting_id == meeting.id, MeetingAnswer.answer == "going"
                )
            )
            assert stored == sum(a == "going" for a in answers.values()) <= capacity
        outer.rollback()


def test_the_feeds_show_the_meeting_with_its_times_in_amsterdam(session, now, group):
    item, anna = group
    meeting = plan_meeting(session, anna, item.id, evening(now), now)
    neighbour = factories.person(session, now, "Noor Visser")
    answer_meeting(session, neighbour, item.id, meeting.id, "going", now)
    for feed in (make_feed(session, anna, now, item.id), make_feed(session, neighbour, now)):
        data = render_feed(session, feed, BASE, now)
        strict = vobject.readOne(data.decode(), validate=True)
        (event,) = [v for v in strict.vevent_list if v.uid.value.startswith("meeting-")]
        start = event.dtstart.value
        assert start.tzinfo is not None and start.utcoffset() == timedelta(hours=1)
        assert (start.hour, start.minute) == (19, 30) and event.dtend.value.hour == 21
        assert "Buurthuis De Paddepoel" in event.location.value
        cal = icalendar.Calendar.from_ical(data)
        (vevent,) = [e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("meeting-")]
        assert vevent["DTSTART"].params["TZID"] == "Europe/Amsterdam"
        assert [str(t["TZID"]) for t in cal.walk("VTIMEZONE")] == ["Europe/Amsterdam"]


def test_one_reminder_the_day_before_and_a_cancel_cancels_it(session, now, group, smtp):
    item, anna = group
    meeting = plan_meeting(session, anna, item.id, evening(now), now)
    neighbour = factories.person(session, now, "Noor Visser")
    answer_meeting(session, neighbour, item.id, meeting.id, "going", now)
    answer_meeting(session, neighbour, item.id, meeting.id, "going", now)  # again: still one
    (row,) = reminders(session, meeting.id)
    day_before = local_date(meeting.start_dt) - DAY
    assert local_date(row.due_dt) == day_before and row.person_id == neighbour.id
    report = dispatch(session, morning(day_before), DELIVERY)
    assert report.mails == 1
    assert dispatch(session, morning(day_before) + timedelta(hours=1), DELIVERY).mails == 0
    # a second meeting, cancelled before its reminder: nothing goes out
    second = plan_meeting(session, anna, item.id, evening(now, days=12), now)
    answer_meeting(session, neighbour, item.id, second.id, "going", now)
    cancel_meeting(session, anna, item.id, second.id, now)
    assert [r.status for r in reminders(session, second.id)] == ["cancelled"]
    later = local_date(second.start_dt) - DAY
    assert dispatch(session, morning(later), DELIVERY).mails == 0
    with pytest.raises(Refused):
        answer_meeting(session, neighbour, item.id, second.id, "going", now)
    data = render_feed(session, make_feed(session, anna, now, item.id), BASE, now)
    cancelled = [e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")
                 if str(e["UID"]) == f"meeting-{second.id}@verbinding.test"]  # fmt: skip
    assert str(cancelled[0]["STATUS"]) == "CANCELLED"


def test_a_paused_group_sends_no_meeting_reminders_until_it_resumes(session, now, group):
    item, anna = group
    meeting = plan_meeting(session, anna, item.id, evening(now), now)
    neighbour = factories.person(session, now)
    answer_meeting(session, neighbour, item.id, meeting.id, "going", now)
    pause_initiative(session, anna, item.id, reason="Even rust", now=now)
    assert [r.status for r in reminders(session, meeting.id)] == ["cancelled"]
    day_before = local_date(meeting.start_dt) - DAY
    assert dispatch(session, morning(day_before), DELIVERY).mails == 0
    from engine.operations import resume_initiative

    resume_initiative(session, anna, item.id, now=now + DAY)
    # the meeting keeps its time (an appointment with neighbours), the reminder comes back
    assert meeting.start_dt.astimezone(AMS).time() == time(19, 30)
    assert sorted(r.status for r in reminders(session, meeting.id)) == ["pending"]


def test_a_change_moves_the_reminder_and_capacity_not_below_those_going(session, now, group):
    item, anna = group
    meeting = plan_meeting(session, anna, item.id, evening(now, capacity=2), now)
    a, b = factories.person(session, now), factories.person(session, now)
    answer_meeting(session, a, item.id, meeting.id, "going", now)
    answer_meeting(session, b, item.id, meeting.id, "going", now)
    with pytest.raises(Refused):
        answer_meeting(session, factories.person(session, now), item.id, meeting.id, "going", now)
    with pytest.raises(InvalidInput):
        update_meeting(session, anna, item.id, meeting.id, evening(now, capacity=1), now)
    update_meeting(session, anna, item.id, meeting.id, evening(now, days=11, capacity=2), now)
    pending = [r for r in reminders(session, meeting.id) if r.status == "pending"]
    assert {local_date(r.due_dt) for r in pending} == {local_date(now) + 10 * DAY}


def test_meeting_held_and_min_supporters_gates(session, now, group):
    from engine.meetings.supporters import support_plan, withdraw_support

    item, anna = group
    held = GUARDS["meeting_held"].check
    assert held(guard_context(session, item, now), with_minutes=False) is not None
    meeting = plan_meeting(session, anna, item.id, evening(now, days=1), now)
    neighbour = factories.person(session, now)
    assert message_going_refused(session, anna, item, meeting, now)
    answer_meeting(session, neighbour, item.id, meeting.id, "going", now)
    assert message_going(session, anna, item.id, meeting.id, "Neem een stoel mee", now) == 1
    after = now + 3 * DAY
    assert held(guard_context(session, item, after), with_minutes=False) is None
    assert held(guard_context(session, item, after), with_minutes=True) is not None
    minutes = factories.document(session, item, anna, now, filename="verslag.pdf")
    with pytest.raises(Refused):
        attach_minutes(session, anna, item.id, meeting.id, minutes.id, now)
    attach_minutes(session, anna, item.id, meeting.id, minutes.id, after)
    assert held(guard_context(session, item, after), with_minutes=True) is None
    enough = GUARDS["min_supporters"].check
    assert "2" in str(enough(guard_context(session, item, now), count=2))
    wijk = factories.neighbourhood(session)
    support_plan(session, neighbour, item.id, neighbourhood_id=wijk.id, show_name=False, now=now)
    support_plan(session, anna, item.id, neighbourhood_id=None, show_name=True, now=now)
    assert enough(guard_context(session, item, now), count=2) is None
    withdraw_support(session, neighbour, item.id)
    assert enough(guard_context(session, item, now), count=2) is not None


def message_going_refused(session, anna, item, meeting, now) -> bool:
    try:
        message_going(session, anna, item.id, meeting.id, "Hallo", now)
    except Refused:
        return True
    return False
