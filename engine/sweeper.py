"""The periodic sweep: every timer of the domain is a row with a due time, handled here.

One sweep asks the database once whether anything is due at all (each step's *probe*, one
SELECT for all of them), then runs only the steps that have work, each in its own transaction,
and delivers the outbox. APScheduler only calls :func:`sweep` every few seconds (see
engine.scheduler); nothing holds a job per initiative or per reminder. ``verbinding reminders
tick`` runs one sweep at a chosen moment.

The steps are listed in :data:`STEPS`, in the order they run (a
:class:`~engine.sweepstep.SweepStep` each): ``fn(session, now) -> report``, run in a transaction
of its own; ``own_transactions=True`` gives it ``(runtime, now)`` instead, to commit batch by
batch. A *probe* lets the sweep skip a step cheaply when nothing is due. Best is a SQL boolean
built once with the bind parameters :data:`NOW` (aware UTC) and :data:`TODAY` (the local date in
the configured time zone), e.g. ``probe=exists().where(Thing.due_dt <= NOW)``: every such probe
is compiled into one cached SELECT. A callable ``probe(now, config)`` returning a SQL boolean or
a bool is built on every sweep; with ``probe_every=N`` it is asked at most every N seconds while
it answers "nothing to do" (for work that goes by the day). ``verbinding reminders tick`` starts
afresh, so it always asks.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, false, literal_column, select
from sqlalchemy.orm import Session

from engine.config import Config
from engine.db import is_unavailable, unit_of_work
from engine.mail import deliver_due
from engine.models import Decision, Initiative, OutboxMessage, RateLimit
from engine.models.consultations import Consultation
from engine.models.surveys import Survey
from engine.notifications import digests as notification_steps
from engine.privacy import retention
from engine.reminders import steps as reminder_steps
from engine.runtime import Runtime
from engine.sweepstep import NOW, TODAY, Probe, SweepStep
from engine.timeutil import local_date

__all__ = ["NOW", "STEPS", "TODAY", "Probe", "SweepReport", "SweepStep", "sweep"]

log = logging.getLogger(__name__)


#: a decision whose closing moment has come, of an initiative that is not paused (a paused
#: group's decisions wait: their closing moment moves on when the group resumes)
_decisions_due = exists().where(
    Decision.status == literal_column("'open'"),
    Decision.closes_dt.is_not(None),
    Decision.closes_dt <= NOW,
    Initiative.id == Decision.initiative_id,
    Initiative.is_paused == false(),
)


def _close_decisions(session: Session, now: datetime) -> str:
    from engine.operations.decisions import close_due_decisions

    closed = close_due_decisions(session, now)
    return f"{len(closed)} decisions closed"


#: an open survey whose end has come (it closes whether or not the group pauses: answers are
#: the neighbourhood's, not the group's clock)
_surveys_due = exists().where(
    Survey.status == literal_column("'open'"),
    Survey.closes_dt.is_not(None),
    Survey.closes_dt <= NOW,
)


def _close_surveys(session: Session, now: datetime) -> str:
    from engine.surveys.building import close_due_surveys

    return f"{len(close_due_surveys(session, now))} surveys closed"


#: an open consultation whose last day is over (its partial index answers this)
_consultations_due = exists().where(
    Consultation.status == literal_column("'open'"), Consultation.closes_dt <= NOW
)


def _close_consultations(session: Session, now: datetime) -> str:
    from engine.consultations.operations import close_due_consultations

    return f"{len(close_due_consultations(session, now))} consultations closed"


_maintenance_probe: dict[object, Any] = {}


def _maintenance_due(now: datetime, config: Config):
    """The maintenance probe depends only on the local date: build it once a day."""
    from engine.maintenance.sweep import work_due

    key = (config.timezone, local_date(now, config.timezone))
    found = _maintenance_probe.get(key)
    if found is None:
        _maintenance_probe.clear()
        found = _maintenance_probe[key] = work_due(now, config.timezone)
    return found


def _maintenance(session: Session, now: datetime) -> str:
    """Plan maintenance turns ahead; settle the ones that went by (engine.maintenance.sweep)."""
    from engine.maintenance.sweep import sweep_maintenance

    return sweep_maintenance(session, now)


def _stale_sign_in_state(now: datetime, config: Config):
    """Old rate-limit counters or login sessions over: asked at most hourly."""
    from engine.signin import stale_sessions

    return exists().where(RateLimit.window_start < int(now.timestamp()) - STALE_SECONDS) | (
        stale_sessions(now).exists()
    )


def _forget_sign_in_state(session: Session, now: datetime) -> str:
    from engine.ratelimit import forget_old
    from engine.signin import forget_stale_sessions

    counters = forget_old(session, now, STALE_SECONDS)
    sessions = forget_stale_sessions(session, now)
    return f"{counters} rate-limit counters and {sessions} login sessions forgotten"


#: rate-limit windows are at most an hour or so; a day later nobody needs their counters
STALE_SECONDS = 86400

#: name → step, run in this order
STEPS: dict[str, SweepStep] = {
    s.name: s
    for s in (
        SweepStep("decisions", _close_decisions, probe=_decisions_due),
        SweepStep("surveys", _close_surveys, probe=_surveys_due),
        SweepStep("consultations", _close_consultations, probe=_consultations_due),
        # the maintenance work goes by the day (turns are dates): asking once a minute is plenty
        SweepStep("maintenance", _maintenance, probe=_maintenance_due, probe_every=60),
        *reminder_steps.STEPS,
        *notification_steps.STEPS,
        SweepStep("sign-in", _forget_sign_in_state, probe=_stale_sign_in_state, probe_every=3600),
        retention.STEP,
    )
}


#: a superset of what the outbox would claim (a row being sent has an older attempt time)
MAIL_DUE = exists().where(
    OutboxMessage.status.in_([literal_column("'pending'"), literal_column("'sending'")]),
    OutboxMessage.next_attempt_dt <= NOW,
)


@dataclass
class SweepReport:
    steps: dict[str, Any] = field(default_factory=dict)
    mail: Any = ""
    #: the steps that raised (logged, rolled back); the others ran all the same
    failed: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [f"{k}: {v}" for k, v in self.steps.items()]
        return "; ".join(parts + [f"mail: {self.mail or 'nothing due'}"])


_selects: dict[tuple, Any] = {}


def _probe_select(static: tuple[str, ...], dynamic: tuple[tuple[str, Any], ...]):
    """One SELECT of every probe, each labelled with its step's name, and the mail's
    (``mail_due``); reused while the probes are the same objects."""
    key = (static, tuple((name, id(expr)) for name, expr in dynamic))
    found = _selects.get(key)
    if found is None:
        if len(_selects) > 16:
            _selects.clear()
        named: list[tuple[str, Any]] = [(name, STEPS[name].probe) for name in static]
        named += list(dynamic)
        exprs = [expr.label(name) for name, expr in named] + [MAIL_DUE.label("mail_due")]
        found = _selects[key] = select(*exprs)
    return found


def _probe(runtime: Runtime, now: datetime, deliver: bool) -> tuple[set[str], bool]:
    """Which steps have work, and whether mail is due, in one round trip."""
    tz = runtime.config.timezone
    active: set[str] = set()
    static: list[str] = []
    dynamic: list[tuple[str, Any]] = []
    for name, s in STEPS.items():
        if s.probe is None:
            active.add(name)
        elif callable(s.probe):
            if _resting(s):
                continue
            verdict = s.probe(now, runtime.config)
            if isinstance(verdict, bool):
                active.update([name] if verdict else [])
            else:
                dynamic.append((name, verdict))
        else:
            static.append(name)
    statement = _probe_select(tuple(static), tuple(dynamic))
    with runtime.engine.connect() as connection:
        params = {"now": now, "today": local_date(now, tz)}
        for name in static:
            binds = STEPS[name].binds
            params.update(binds(now) if binds else {})
        row = connection.execute(statement, params).one()
    answers = row._mapping
    active.update(name for name in static + [name for name, _ in dynamic] if answers[name])
    for name, _ in dynamic:
        _asked[name] = (time.monotonic(), name in active)
    return active, bool(row.mail_due) and deliver


#: step → (when its callable probe was last asked, what it answered)
_asked: dict[str, tuple[float, bool]] = {}


def _resting(s: SweepStep) -> bool:
    """A slow probe that said "nothing" a short while ago is not asked again yet."""
    last = _asked.get(s.name)
    return bool(
        s.probe_every and last and not last[1] and time.monotonic() - last[0] < s.probe_every
    )


def sweep(runtime: Runtime, now: datetime, *, deliver: bool = True) -> SweepReport:
    """Run every step that has work at ``now``, then deliver due mail.

    A step that fails is logged and the others run all the same; when the database cannot be
    reached the sweep stops and raises (see engine.db.is_unavailable).
    """
    report = SweepReport()
    active, mail = _probe(runtime, now, deliver)
    for name, s in STEPS.items():
        if name not in active:
            continue
        try:
            if s.own_transactions:
                report.steps[name] = s.fn(runtime, now)
            else:
                with unit_of_work(runtime.sessions) as session:
                    report.steps[name] = s.fn(session, now)
        except Exception as exc:  # noqa: BLE001 - one failing step must not stop the others
            if is_unavailable(exc):
                raise  # no step can work without the database: the caller says so, once
            log.exception("sweep step %s failed", name)
            report.steps[name] = "failed (see log)"
            report.failed.append(name)
    if deliver and (mail or active):
        report.mail = deliver_due(
            runtime.sessions,
            now=now,
            smtp_url=runtime.config.smtp_url,
            mail_from=runtime.config.mail_from,
            lease=timedelta(seconds=runtime.config.mail_lease_seconds),
        )
    if report.steps or report.mail:
        log.info("sweep at %s: %s", now.isoformat(), report)
    return report
