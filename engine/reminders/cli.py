"""What ``verbinding reminders tick`` and ``replan`` do, printed for an operator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from engine.db import unit_of_work
from engine.models import Initiative, OutboxMessage
from engine.reminders import steps as reminder_steps
from engine.reminders.dispatcher import dispatch
from engine.reminders.planner import PlanReport, plan
from engine.reminders.steps import delivery_for, reconcile_batch
from engine.runtime import Runtime
from engine.sweeper import sweep

CHUNK = 200


def tick(
    runtime: Runtime, now: datetime, *, dry_run: bool, echo: Callable[[str], None]
) -> list[str]:
    """One sweep at ``now`` (the scheduler's: the swept sources reconciled batch by batch, each
    batch a transaction of its own); with ``dry_run`` the same batches in one transaction that
    is rolled back (what it would send must see what it planned), each batch's rows let go of
    once it is planned.

    Return the names of the sweep steps that failed (each is logged with its traceback).
    """
    echo(f"tick at {now.isoformat()}{' (dry run: nothing is saved or sent)' if dry_run else ''}")
    if dry_run:
        with runtime.sessions() as session:
            planned, after, batch = PlanReport(), 0, reminder_steps.RECONCILE_BATCH
            while True:
                ids, report_of_batch = reconcile_batch(session, now, after, batch)
                planned += report_of_batch
                session.flush()
                session.expunge_all()  # the batch's loaded rows need not stay
                if len(ids) < batch:
                    break
                after = ids[-1]
            report = dispatch(session, now, delivery_for(runtime), limit=10_000)
            session.rollback()
        echo(f"planned: {planned}")
        echo(f"claimed: {report}")
        for line in report.lines:
            echo(f"  would send {line}")
        return []
    result = sweep(runtime, now)
    for name, step_report in result.steps.items():
        echo(f"{name}: {step_report}")
        for line in getattr(step_report, "lines", ()):
            echo(f"  queued {line}")
    mail = result.mail
    echo(f"mail: {mail or 'nothing due'}")
    if mail and mail.sent:
        with runtime.sessions() as session:
            rows = session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(mail.sent)))
            for row in rows:
                echo(f"  sent {row.id} → {row.to_addr} {row.mail_message_id}")
    return result.failed


def replan(runtime: Runtime, now: datetime, *, echo: Callable[[str], None]) -> None:
    """Plan every initiative, a chunk per transaction."""
    with runtime.sessions() as session:
        ids = list(session.scalars(select(Initiative.id).order_by(Initiative.id)))
    total = PlanReport()
    for start in range(0, len(ids), CHUNK):
        with unit_of_work(runtime.sessions) as session:
            total += plan(session, ids[start : start + CHUNK], now)
    echo(f"{len(ids)} initiatives: {total}")
