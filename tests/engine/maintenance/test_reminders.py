"""Turns remind their volunteer and show in the calendar; reviews remind association and coach."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.maintenance.agreement import save_agreement
from engine.maintenance.occurrences import mark_done
from engine.maintenance.reminders import SOURCES
from engine.maintenance.rota import swap_turns
from engine.models import CoachAssignment, Occurrence
from engine.models.reminders import CalendarEntry, Reminder
from engine.operations import pause_initiative, resume_initiative
from engine.reminders.planner import plan
from engine.timeutil import local_date
from tests import factories

DAY = timedelta(days=1)


@pytest.fixture
def quay(session, now):
    item = factories.initiative(session, now, members=2)
    anna, bram, cor = (m.person for m in item.memberships)
    factories.complete_association(session, item, now)  # Anna chairs it and is its contact
    task = factories.recurring_task(
        session, item, anna, now, rule="FREQ=WEEKLY;BYDAY=FR", volunteers=[bram.id, cor.id]
    )
    turns = list(
        session.scalars(
            select(Occurrence).where(Occurrence.task_id == task.id).order_by(Occurrence.due_date)
        )
    )
    return item, (anna, bram, cor), task, turns


def _pending(session, item, source="maintenance"):
    rows = session.scalars(
        select(Reminder).where(
            Reminder.initiative_id == item.id,
            Reminder.source == source,
            Reminder.status == "pending",
        )
    )
    return sorted((r.deadline_date, r.offset_days, r.person_id) for r in rows)


def _calendar(session, item):
    return session.scalars(
        select(CalendarEntry)
        .where(CalendarEntry.initiative_id == item.id, CalendarEntry.source == "maintenance")
        .order_by(CalendarEntry.entry_date)
    ).all()


def test_each_turn_reminds_its_volunteer(session, now, quay):
    item, (anna, bram, cor), task, turns = quay
    pending = _pending(session, item)
    first, second = turns[0].due_date, turns[1].due_date
    assert (first, 0, bram.id) in pending  # today, the day itself
    assert (second, 1, cor.id) in pending and (second, 0, cor.id) in pending
    assert anna.id not in {person for *_, person in pending}
    assert {person for *_, person in pending} == {bram.id, cor.id}
    reminder = session.scalar(select(Reminder).where(Reminder.source == "maintenance").limit(1))
    assert reminder.kind == "maintenance_due"
    assert reminder.title["en"] == "Maintenance: Plantenbakken water geven"
    assert reminder.link.startswith(f"/initiatives/{item.id}/maintenance/tasks/{task.id}#turn-")


def test_reminders_follow_a_swap_and_stop_when_done(session, now, quay):
    item, (anna, bram, cor), task, turns = quay
    swap_turns(session, anna, item.id, turns[1].id, turns[2].id, now=now)
    pending = _pending(session, item)
    assert (turns[1].due_date, 0, bram.id) in pending
    assert (turns[1].due_date, 0, cor.id) not in pending
    mark_done(session, bram, item.id, turns[0].id, now=now)
    assert turns[0].due_date not in {day for day, *_ in _pending(session, item)}


def test_turns_show_in_the_calendar_feed_and_done_ones_stay(session, now, quay):
    item, _people, task, turns = quay
    entries = _calendar(session, item)
    assert [e.entry_date for e in entries] == [t.due_date for t in turns]
    mark_done(session, _people[1], item.id, turns[0].id, now=now)
    entries = _calendar(session, item)
    assert not entries[0].is_cancelled and entries[0].kind == "maintenance_due"


def test_a_paused_initiative_gets_no_maintenance_reminders(session, now, quay):
    item, (anna, *_), task, turns = quay
    assert _pending(session, item)
    pause_initiative(session, anna, item.id, reason="Winterstop", now=now)
    assert _pending(session, item) == []
    plan(session, None, now + DAY, sources=SOURCES)  # the periodic planner agrees
    assert _pending(session, item) == []
    assert all(e.is_cancelled for e in _calendar(session, item))
    resume_initiative(session, anna, item.id, now=now + DAY)
    assert _pending(session, item)


def test_the_review_reminds_the_association_and_the_coach(session, now, quay):
    item, (anna, bram, cor), *_ = quay
    coach = factories.staff(session, now)
    session.add(CoachAssignment(coach_id=coach.id, initiative_id=item.id, created_dt=now))
    save_agreement(
        session, anna, item.id, association_duties="Water geven.", municipality_duties="Snoeien.",
        start_date=local_date(now), now=now,
    )  # fmt: skip
    pending = _pending(session, item, "maintenance_review")
    people = {person for *_, person in pending}
    assert people == {anna.id, coach.id}  # the contact and chair, and the coach
    assert {offset for _, offset, _ in pending} == {30, 7, 0, -14}
    review = session.scalar(
        select(Reminder).where(Reminder.source == "maintenance_review").limit(1)
    )
    assert review.kind == "maintenance_review"
    assert review.link == f"/initiatives/{item.id}/maintenance/agreement"
