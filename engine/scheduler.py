"""APScheduler 3 runs the sweeper periodically; it never holds a job per reminder.

Embedded in ``verbinding serve`` (one process) or alone as ``verbinding scheduler`` (beside
several web workers, which then run without it). The job store is in memory: nothing is
pickled and nothing is shared between processes; the database rows are the only state.
"""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine.db import utcnow
from engine.runtime import Runtime
from engine.sweeper import sweep

log = logging.getLogger(__name__)

SWEEP_SECONDS = 15
#: a sweep that starts late (a busy machine, a sleeping laptop) still runs within this window
MISFIRE_GRACE_SECONDS = 60


def _run(runtime: Runtime) -> None:
    try:
        sweep(runtime, utcnow())
    except Exception:  # noqa: BLE001 - the next run tries again
        log.exception("sweep failed")


def build_scheduler(
    runtime: Runtime, *, blocking: bool, seconds: int = SWEEP_SECONDS
) -> BaseScheduler:
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(
        timezone=UTC,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        },
    )
    scheduler.add_job(
        _run, "interval", seconds=seconds, args=[runtime], id="sweep", next_run_time=utcnow()
    )
    return scheduler
