"""Turns the sweep deals on its own are told to whoever gets them, once, and never to a
paused group."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.maintenance.sweep import sweep_maintenance
from engine.models import Occurrence
from engine.models.notifications import Notification, NotificationEvent
from engine.operations import pause_initiative, resume_initiative
from tests import factories

DAY = timedelta(days=1)
WEEKLY_FRIDAY = "FREQ=WEEKLY;BYDAY=FR"


def _told(session):
    """(reader, turn, the date said) of every rota_assigned notification."""
    return sorted(
        (person_id, event.subject_id, event.data["date"])
        for person_id, event in session.execute(
            select(Notification.person_id, NotificationEvent)
            .join(NotificationEvent, NotificationEvent.id == Notification.event_id)
            .where(NotificationEvent.kind == "rota_assigned")
        )
    )


def _dealt(session, task_id, after):
    return sorted(
        (o.assignee_id, o.id, o.due_date.isoformat())
        for o in session.scalars(
            select(Occurrence).where(Occurrence.task_id == task_id, Occurrence.due_date > after)
        )
    )


def test_the_sweep_tells_each_volunteer_of_the_turn_it_dealt_them_once(session, now):
    item = factories.initiative(session, now, members=2)
    anna, bram, cor = (m.person for m in item.memberships)
    factories.complete_association(session, item, now)
    task = factories.recurring_task(session, item, anna, now, rule=WEEKLY_FRIDAY,
                                    volunteers=[bram.id, cor.id])  # fmt: skip
    assert _told(session) == []  # turns planned with the task: who made it said so there
    horizon = task.materialised_until
    sweep_maintenance(session, now + 14 * DAY)
    new = _dealt(session, task.id, horizon)
    assert len(new) == 2 and {who for who, *_ in new} == {bram.id, cor.id}
    assert _told(session) == new
    sweep_maintenance(session, now + 14 * DAY)  # nothing new, nobody told twice
    assert _told(session) == new


def test_a_paused_group_is_not_told_of_turns_and_hears_after_it_resumes(session, now):
    item = factories.initiative(session, now, members=2)
    anna, bram, _ = (m.person for m in item.memberships)
    factories.complete_association(session, item, now)
    task = factories.recurring_task(session, item, anna, now, rule=WEEKLY_FRIDAY,
                                    volunteers=[bram.id])  # fmt: skip
    horizon = task.materialised_until
    pause_initiative(session, anna, item.id, reason="Winterstop", now=now + DAY)
    sweep_maintenance(session, now + 14 * DAY)
    assert _told(session) == []
    resume_initiative(session, anna, item.id, now=now + 15 * DAY)
    sweep_maintenance(session, now + 15 * DAY)
    told = _told(session)
    assert told and told == _dealt(session, task.id, horizon)
    assert {who for who, *_ in told} == {bram.id}
