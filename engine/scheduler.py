"""APScheduler 3 runs the sweeper periodically; it never holds a job per reminder.

Started by ``verbinding serve`` as a process of its own beside the web server (the hourly
reconciliation of every initiative's reminders must not take the web process's CPU and memory),
or alone as ``verbinding scheduler`` (beside several web workers, which then run without it:
``serve --no-scheduler``). The web process itself never sweeps. The job store is in
memory: nothing is pickled and nothing is shared between processes; the database rows are the
only state, so several scheduler processes may run at once (each reminder and each mail is
claimed by one of them) and one killed at any moment loses nothing.

One job, the sweep, every ``VERBINDING_SWEEP_SECONDS``: ``coalesce`` (runs missed while the
machine slept become one), ``max_instances=1`` (a slow sweep is never overtaken by the next)
and an explicit misfire grace (APScheduler's default of one second would drop late runs).
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from datetime import UTC

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine.db import is_unavailable, one_line, utcnow
from engine.metrics import SWEEP_SECONDS
from engine.readiness import beat
from engine.runtime import Runtime
from engine.sweeper import sweep

log = logging.getLogger(__name__)

#: a sweep that starts late (a busy machine, a sleeping laptop) still runs within this window
MISFIRE_GRACE_SECONDS = 60


def _run(runtime: Runtime, seconds: int | None = None) -> None:
    """One sweep, then the heartbeat (see engine.readiness); a failure is logged and the next
    sweep tries again.

    While the database cannot be reached (a restart, a network fault) that is one line per
    sweep, not a traceback; other failures keep their traceback.
    """
    try:
        started = time.perf_counter()
        sweep(runtime, utcnow())
        took = time.perf_counter() - started
        SWEEP_SECONDS.observe(took)
    except Exception as exc:  # noqa: BLE001 - the next run tries again
        if is_unavailable(exc):
            log.warning("sweep failed: the database cannot be reached (%s); next try in %s s",
                        one_line(exc), runtime.config.sweep_seconds)  # fmt: skip
        else:
            log.exception("sweep failed")
        return
    try:
        beat(runtime.sessions, utcnow(), seconds=seconds or runtime.config.sweep_seconds,
             sweep_ms=round(took * 1000))  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - the sweep was done; /readyz will tell
        # e.g. a database not yet migrated by `verbinding init` (no heartbeats table)
        log.warning("heartbeat not written: %s", one_line(exc))


def build_scheduler(
    runtime: Runtime, *, blocking: bool, seconds: int | None = None
) -> BaseScheduler:
    seconds = seconds or runtime.config.sweep_seconds
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
        _run, "interval", seconds=seconds, args=[runtime, seconds], id="sweep",
        next_run_time=utcnow(),
    )  # fmt: skip
    log.info("scheduler: sweep every %s s", seconds)
    return scheduler


def run_foreground(runtime: Runtime) -> None:
    """``verbinding scheduler``: sweep until SIGINT or SIGTERM, finishing the running sweep."""
    scheduler = build_scheduler(runtime, blocking=True)

    def stop(_signum, _frame) -> None:
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


def _die_with_parent() -> None:
    """Linux: the scheduler gets SIGTERM when the server that started it dies, however it dies."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux: SIGTERM on stop only
        pass


def start_beside() -> subprocess.Popen:
    """``verbinding scheduler`` as a child process, with this process's environment."""
    child = subprocess.Popen(
        [sys.executable, "-m", "engine", "scheduler"], preexec_fn=_die_with_parent
    )
    log.info("scheduler: process %s beside the web server", child.pid)
    return child


def stop_beside(child: subprocess.Popen, timeout: float = 30.0) -> int:
    """Ask the scheduler process to finish its sweep and stop (SIGTERM); its exit status."""
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            child.kill()
    return child.wait()
