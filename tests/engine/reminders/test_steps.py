"""The reminders' sweep steps: reconciliation by one scheduler at a time, done once it worked."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from engine.db import make_session_factory, try_lock
from engine.models.reminders import Reminder
from engine.models.support import CoachAssignment
from engine.reminders import steps
from engine.reminders.planner import PlanReport
from tests import factories
from tests.conftest import DB_KINDS

DAY = timedelta(days=1)


@pytest.fixture
def runtime(committed_engine, monkeypatch):
    """What the step needs of a Runtime, and a scheduler that has not reconciled yet."""
    monkeypatch.setattr(steps, "_last_housekeeping", [])
    return SimpleNamespace(sessions=make_session_factory(committed_engine))


def test_a_failed_reconciliation_is_tried_again_at_the_next_sweep(runtime, now, monkeypatch):
    def broken(session, now, ids=None):
        raise RuntimeError("a source broke")

    monkeypatch.setattr(steps, "sweep_sources", broken)
    with pytest.raises(RuntimeError):
        steps.plan_swept(runtime, now)
    assert steps.housekeeping_due(now)  # not an hour's wait, as when it was noted first
    monkeypatch.undo()
    monkeypatch.setattr(steps, "_last_housekeeping", [])
    assert isinstance(steps.plan_swept(runtime, now), PlanReport)
    assert not steps.housekeeping_due(now)


# SQLite lets one writer at a time: there is no lock to take there (try_lock is always True)
@pytest.mark.parametrize("committed_engine", DB_KINDS[1:], indirect=True)
def test_a_second_scheduler_leaves_reconciliation_to_the_one_doing_it(runtime, now, monkeypatch):
    with runtime.sessions() as other:
        assert try_lock(other, steps.HOUSEKEEPING_LOCK)  # another scheduler is reconciling

        def not_again(session, now, ids=None):
            raise AssertionError("reconciled twice at once")

        monkeypatch.setattr(steps, "sweep_sources", not_again)
        assert steps.plan_swept(runtime, now) == "another scheduler is reconciling"
        assert not steps.housekeeping_due(now)
        other.rollback()  # the lock goes with the other transaction
    monkeypatch.setattr(steps, "sweep_sources", lambda session, now, ids=None: PlanReport())
    monkeypatch.setattr(steps, "_last_housekeeping", [])
    assert steps.plan_swept(runtime, now) == PlanReport()


def test_reconciliation_commits_batch_by_batch(runtime, now, monkeypatch):
    """A reconciliation that fails half-way keeps the batches before it: each was committed."""
    with runtime.sessions() as session:
        coach = factories.staff(session, now)
        items = [factories.initiative(session, now - 60 * DAY, members=1) for _ in range(3)]
        for item in items:  # stalled for weeks, with a coach to hear of it
            session.add(CoachAssignment(coach_id=coach.id, initiative_id=item.id, created_dt=now))
        session.commit()
        ids = [item.id for item in items]
    real = steps.sweep_sources

    def failing_at_the_last(session, now, batch=None):
        if batch is not None and ids[-1] in batch:
            raise RuntimeError("the database went away")
        return real(session, now, batch)

    monkeypatch.setattr(steps, "sweep_sources", failing_at_the_last)
    with pytest.raises(RuntimeError):
        steps.plan_swept(runtime, now, batch=1)
    with runtime.sessions() as session:
        query = select(Reminder.initiative_id).where(
            Reminder.kind == "initiative_stalled", Reminder.initiative_id.in_(ids)
        )
        assert set(session.scalars(query)) == set(ids[:-1])
    monkeypatch.setattr(steps, "sweep_sources", real)
    monkeypatch.setattr(steps, "_last_housekeeping", [])
    report = steps.plan_swept(runtime, now, batch=2)
    assert isinstance(report, PlanReport) and report.added >= 1  # the last one, at the next try
    with runtime.sessions() as session:
        assert set(session.scalars(query)) == set(ids)
