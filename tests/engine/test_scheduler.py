"""The scheduler runs one sweep job: coalesced, one at a time, with an explicit misfire grace."""

from __future__ import annotations

from engine.config import load_config
from engine.runtime import Runtime
from engine.scheduler import MISFIRE_GRACE_SECONDS, build_scheduler
from engine.sweeper import STEPS


def test_one_sweep_job_with_safe_defaults(tmp_path):
    config = load_config({"VERBINDING_INSTANCE_PATH": str(tmp_path),
                          "VERBINDING_SWEEP_SECONDS": "7"})  # fmt: skip
    scheduler = build_scheduler(Runtime(config), blocking=False)
    scheduler.start(paused=True)
    try:
        (job,) = scheduler.get_jobs()
        assert job.id == "sweep" and job.trigger.interval.total_seconds() == 7
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS > 1
    finally:
        scheduler.shutdown(wait=False)


def test_the_reminders_are_steps_of_the_sweep_not_jobs():
    assert {"reminders.plan", "reminders.dispatch"} <= set(STEPS)
    assert STEPS["reminders.dispatch"].own_transactions
