"""The zelfbeheer panel's next turns as columns (``next_turns``) are ``upcoming``'s first turns:
the same turns in the same order, with the task's title and the volunteer's name."""

from __future__ import annotations

from datetime import timedelta

from engine.maintenance.occurrences import next_turns, upcoming
from engine.models import Occurrence
from engine.timeutil import local_date
from tests import factories

WEEKLY_FRIDAY = "FREQ=WEEKLY;BYDAY=FR"


def test_the_first_turns_of_upcoming(session, now):
    item = factories.initiative(session, now, members=2)
    anna, bram, _ = [m.person for m in item.memberships]
    factories.complete_association(session, item, now)
    water = factories.recurring_task(
        session, item, anna, now, rule=WEEKLY_FRIDAY, volunteers=[bram.id, anna.id]
    )
    factories.recurring_task(session, item, anna, now, title="Vegen", rule=WEEKLY_FRIDAY)
    session.flush()
    today = local_date(now)
    first = session.query(Occurrence).filter_by(task_id=water.id).order_by("due_date").first()
    first.assignee_id = None  # nobody on the rota for this one
    session.flush()
    for limit in (1, 3, 5, 40):
        for day in (today, today + timedelta(days=10), today - timedelta(days=3)):
            turns = upcoming(session, item.id, day, limit=limit)
            assert turns, (limit, day)
            light = next_turns(session, item.id, day, limit)
            assert [
                (t.id, t.task_id, t.due_date, t.task_title, t.assignee_name, t.has_assignee)
                for t in light
            ] == [
                (
                    t.id,
                    t.task_id,
                    t.due_date,
                    t.task.title,
                    t.assignee.name if t.assignee else None,
                    t.assignee is not None,
                )
                for t in turns
            ]
    assert any(not t.has_assignee for t in next_turns(session, item.id, today, 40))
