"""The scheduler runs one sweep job: coalesced, one at a time, with an explicit misfire grace."""

from __future__ import annotations

import logging
import time

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


#: a PostgreSQL that is not there: nothing listens on port 1
AWAY = "postgresql+psycopg://postgres@127.0.0.1:1/verbinding"


def test_without_a_database_each_sweep_logs_one_line_and_the_scheduler_carries_on(tmp_path, caplog):
    config = load_config({"VERBINDING_INSTANCE_PATH": str(tmp_path),
                          "VERBINDING_DATABASE_URL": AWAY})  # fmt: skip
    runtime = Runtime(config)
    scheduler = build_scheduler(runtime, blocking=False, seconds=1)
    with caplog.at_level(logging.WARNING):
        scheduler.start()
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and len(_failures(caplog)) < 3:
                time.sleep(0.1)
            assert scheduler.running and scheduler.get_job("sweep") is not None
        finally:
            scheduler.shutdown(wait=True)
            runtime.close()
    failures = _failures(caplog)
    assert len(failures) >= 3  # one per sweep, and it kept sweeping
    for record in failures:
        assert record.exc_info is None and "\n" not in record.getMessage()
        assert "cannot be reached" in record.getMessage()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def _failures(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage().startswith("sweep failed")]
