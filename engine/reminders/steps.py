"""The reminders' part of the sweep: plan what is swept, dispatch what is due."""

from __future__ import annotations

import logging
import time
from datetime import datetime

from sqlalchemy import bindparam, exists, literal_column, select
from sqlalchemy.orm import Session

from engine.config import Config
from engine.db import try_lock, unit_of_work
from engine.metrics import REMINDERS_SENT
from engine.models import Initiative
from engine.models.reminders import Reminder
from engine.reminders.digests import Site
from engine.reminders.dispatcher import BATCH, Delivery, DispatchReport, dispatch
from engine.reminders.planner import PlanReport, sweep_sources
from engine.reminders.tokens import signing_secret
from engine.runtime import Runtime
from engine.sweepstep import NOW, SweepStep

log = logging.getLogger(__name__)

#: the swept sources (support requests, stalls, …) are reconciled this often per process
HOUSEKEEPING_SECONDS = 3600.0
#: how long one sweep may keep dispatching batches of reminders
DISPATCH_SECONDS = 30.0
_last_housekeeping: list[float] = []


def housekeeping_due(_now: datetime, _config: Config | None = None) -> bool:
    return not _last_housekeeping or (
        time.monotonic() - _last_housekeeping[-1] >= HOUSEKEEPING_SECONDS
    )


#: the database lock that lets one scheduler at a time reconcile the swept sources
HOUSEKEEPING_LOCK = "verbinding:reminders.plan"


#: initiatives reconciled per transaction: a city of 100,000 is 200 short transactions, not one
#: that holds its locks (and its memory) for seconds
RECONCILE_BATCH = 500

_BATCH = (
    select(Initiative.id)
    .where(Initiative.id > bindparam("after"))
    .order_by(Initiative.id)
    .limit(bindparam("size"))
)


def reconcile_batch(
    session: Session, now: datetime, after: int, batch: int = RECONCILE_BATCH
) -> tuple[list[int], PlanReport]:
    """Reconcile the swept sources of the next ``batch`` initiatives after id ``after``, in the
    caller's transaction; return their ids (fewer than ``batch``: the last batch) and report."""
    ids = list(session.scalars(_BATCH, {"after": after, "size": batch}))
    return ids, sweep_sources(session, now, ids)


def plan_swept(
    runtime: Runtime, now: datetime, *, batch: int = RECONCILE_BATCH
) -> PlanReport | str:
    """Reconcile the swept sources, ``batch`` initiatives per transaction, one scheduler at a
    time; noted as done once every batch is committed.

    Another scheduler reconciling right now (it holds the lock) does this one's work too. A
    reconciliation that fails is tried again at the next sweep (the batches committed before
    the failure stay: each is complete in itself).
    """
    report = PlanReport()
    after, batches = 0, 0
    while True:
        with unit_of_work(runtime.sessions) as session:
            if not try_lock(session, HOUSEKEEPING_LOCK):
                _last_housekeeping[:] = [time.monotonic()]
                return report if batches else "another scheduler is reconciling"
            ids, planned = reconcile_batch(session, now, after, batch)
            report += planned
        batches += 1
        if len(ids) < batch:
            break
        after = ids[-1]
    log.debug("reconciled in %s batches of up to %s initiatives", batches, batch)
    _last_housekeeping[:] = [time.monotonic()]
    return report


#: the bare question the partial index answers: is any pending reminder due?
REMINDERS_DUE = exists().where(
    Reminder.status == literal_column("'pending'"), Reminder.due_dt <= NOW
)


def delivery_for(runtime: Runtime) -> Delivery:
    config = runtime.config
    return Delivery(
        site=Site(config.base_url, signing_secret(config)),
        mail_from=config.mail_from,
    )


def dispatch_due(runtime: Runtime, now: datetime, *, limit: int = BATCH) -> DispatchReport:
    """Dispatch batch after batch, each in its own transaction, until nothing is due."""
    delivery = delivery_for(runtime)
    report = DispatchReport()
    started = time.monotonic()
    while time.monotonic() - started < DISPATCH_SECONDS:
        with unit_of_work(runtime.sessions) as session:
            batch = dispatch(session, now, delivery, limit=limit)
        if batch.mails:
            REMINDERS_SENT.inc(batch.mails)
        report += batch
        if batch.claimed < limit:
            break
    return report


#: the reminders' steps of the sweep, in the order they run (engine.sweeper lists them)
STEPS = (
    SweepStep("reminders.plan", plan_swept, probe=housekeeping_due, own_transactions=True),
    SweepStep("reminders.dispatch", dispatch_due, probe=REMINDERS_DUE, own_transactions=True),
)
