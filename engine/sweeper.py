"""The periodic sweep: every timer of the domain is a row with a due time, handled here.

One sweep runs each step in its own transaction, then delivers the outbox. APScheduler only
calls :func:`sweep` every few seconds (see engine.scheduler); nothing holds a job per
initiative. ``verbinding reminders tick`` runs one sweep at a chosen moment.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from engine.db import unit_of_work
from engine.mail import deliver_due
from engine.runtime import Runtime

log = logging.getLogger(__name__)

#: name → step(session, now) -> a short report; run in this order, each in its own transaction
STEPS: dict[str, Callable[[Session, datetime], str]] = {}


def step(name: str):
    """Register a sweep step."""

    def register(fn: Callable[[Session, datetime], str]):
        STEPS[name] = fn
        return fn

    return register


@step("decisions")
def _close_decisions(session: Session, now: datetime) -> str:
    from engine.operations.decisions import close_due_decisions

    closed = close_due_decisions(session, now)
    return f"{len(closed)} consent periods ended"


@dataclass
class SweepReport:
    steps: dict[str, str] = field(default_factory=dict)
    mail: str = ""

    def __str__(self) -> str:
        parts = [f"{k}: {v}" for k, v in self.steps.items()]
        return "; ".join(parts + [f"mail: {self.mail}"])


def sweep(runtime: Runtime, now: datetime, *, deliver: bool = True) -> SweepReport:
    """Run every step once at ``now``, then deliver due mail."""
    report = SweepReport()
    for name, fn in STEPS.items():
        try:
            with unit_of_work(runtime.sessions) as session:
                report.steps[name] = fn(session, now)
        except Exception:  # noqa: BLE001 - one failing step must not stop the others
            log.exception("sweep step %s failed", name)
            report.steps[name] = "failed (see log)"
    if deliver:
        report.mail = str(
            deliver_due(
                runtime.sessions,
                now=now,
                smtp_url=runtime.config.smtp_url,
                mail_from=runtime.config.mail_from,
            )
        )
    log.info("sweep at %s: %s", now.isoformat(), report)
    return report
