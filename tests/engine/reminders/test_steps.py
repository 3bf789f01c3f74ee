"""The reminders' sweep steps: reconciliation by one scheduler at a time, done once it worked."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from engine.db import make_session_factory, try_lock
from engine.reminders import steps
from engine.reminders.planner import PlanReport
from tests.conftest import DB_KINDS


@pytest.fixture
def runtime(committed_engine, monkeypatch):
    """What the step needs of a Runtime, and a scheduler that has not reconciled yet."""
    monkeypatch.setattr(steps, "_last_housekeeping", [])
    return SimpleNamespace(sessions=make_session_factory(committed_engine))


def test_a_failed_reconciliation_is_tried_again_at_the_next_sweep(runtime, now, monkeypatch):
    def broken(session, now):
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

        def not_again(session, now):
            raise AssertionError("reconciled twice at once")

        monkeypatch.setattr(steps, "sweep_sources", not_again)
        assert steps.plan_swept(runtime, now) == "another scheduler is reconciling"
        assert not steps.housekeeping_due(now)
        other.rollback()  # the lock goes with the other transaction
    monkeypatch.setattr(steps, "sweep_sources", lambda session, now: PlanReport())
    monkeypatch.setattr(steps, "_last_housekeeping", [])
    assert steps.plan_swept(runtime, now) == PlanReport()
