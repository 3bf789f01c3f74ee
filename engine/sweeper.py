"""The periodic sweep: every timer of the domain is a row with a due time, handled here.

One sweep asks the database once whether anything is due at all (each step's *probe*, one
SELECT for all of them), then runs only the steps that have work, each in its own transaction,
and delivers the outbox. APScheduler only calls :func:`sweep` every few seconds (see
engine.scheduler); nothing holds a job per initiative or per reminder. ``verbinding reminders
tick`` runs one sweep at a chosen moment.

Register a step with ``@step(name)``: ``fn(session, now) -> report``, run in a transaction of
its own; ``own_transactions=True`` gives it ``(runtime, now)`` instead, to commit batch by batch.
A *probe* lets the sweep skip a step cheaply when nothing is due. Best is a SQL boolean built
once with the bind parameters :data:`NOW` (aware UTC) and :data:`TODAY` (the local date), e.g.
``probe=exists().where(Thing.due_dt <= NOW)``: every such probe is compiled into one cached
SELECT. A callable ``probe(now)`` returning a SQL boolean or a bool is built on every sweep; with
``probe_every=N`` it is asked at most every N seconds while it answers "nothing to do" (for work
that goes by the day). ``verbinding reminders tick`` starts afresh, so it always asks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Date, bindparam, exists, literal_column, select
from sqlalchemy.orm import Session

from engine.db import UTCDateTime, unit_of_work
from engine.mail import deliver_due
from engine.models import Decision, OutboxMessage
from engine.runtime import Runtime

log = logging.getLogger(__name__)

#: the moment of the sweep and its local date, for probes built once
NOW = bindparam("now", type_=UTCDateTime())
TODAY = bindparam("today", type_=Date())
#: a probe: a SQL boolean over NOW/TODAY, or a callable(now) -> SQL boolean or bool
Probe = Any


@dataclass(frozen=True)
class SweepStep:
    name: str
    fn: Callable[..., Any]
    probe: Probe | None = None
    own_transactions: bool = False
    #: ask a callable probe at most this often (seconds) while it answers "nothing to do"
    probe_every: float = 0.0


#: name → step, run in this order
STEPS: dict[str, SweepStep] = {}


def step(
    name: str,
    *,
    probe: Probe | None = None,
    own_transactions: bool = False,
    probe_every: float = 0.0,
):
    """Register a sweep step."""

    def register(fn: Callable[..., Any]):
        STEPS[name] = SweepStep(name, fn, probe, own_transactions, probe_every)
        return fn

    return register


_decisions_due = exists().where(
    Decision.status == literal_column("'open'"),
    Decision.closes_dt.is_not(None),
    Decision.closes_dt <= NOW,
)


@step("decisions", probe=_decisions_due)
def _close_decisions(session: Session, now: datetime) -> str:
    from engine.operations.decisions import close_due_decisions

    closed = close_due_decisions(session, now)
    return f"{len(closed)} consent periods ended"


_maintenance_probe: dict[object, Any] = {}


def _maintenance_due(now: datetime):
    """The maintenance probe depends only on the local date: build it once a day."""
    from engine.maintenance.sweep import work_due
    from engine.timeutil import local_date

    today = local_date(now)
    found = _maintenance_probe.get(today)
    if found is None:
        _maintenance_probe.clear()
        found = _maintenance_probe[today] = work_due(now)
    return found


# the maintenance work goes by the day (turns are dates): asking once a minute is plenty
@step("maintenance", probe=_maintenance_due, probe_every=60)
def _maintenance(session: Session, now: datetime) -> str:
    """Plan maintenance turns ahead; settle the ones that went by (engine.maintenance.sweep)."""
    from engine.maintenance.sweep import sweep_maintenance

    return sweep_maintenance(session, now)


#: a superset of what the outbox would claim (a row being sent has an older attempt time)
MAIL_DUE = exists().where(
    OutboxMessage.status.in_([literal_column("'pending'"), literal_column("'sending'")]),
    OutboxMessage.next_attempt_dt <= NOW,
)


@dataclass
class SweepReport:
    steps: dict[str, Any] = field(default_factory=dict)
    mail: Any = ""

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
        named = [(name, STEPS[name].probe) for name in static] + list(dynamic)
        exprs = [expr.label(name) for name, expr in named] + [MAIL_DUE.label("mail_due")]
        found = _selects[key] = select(*exprs)
    return found


def _probe(runtime: Runtime, now: datetime, deliver: bool) -> tuple[set[str], bool]:
    """Which steps have work, and whether mail is due, in one round trip."""
    from engine.timeutil import local_date

    active: set[str] = set()
    static: list[str] = []
    dynamic: list[tuple[str, Any]] = []
    for name, s in STEPS.items():
        if s.probe is None:
            active.add(name)
        elif callable(s.probe):
            if _resting(s):
                continue
            verdict = s.probe(now)
            if isinstance(verdict, bool):
                active.update([name] if verdict else [])
            else:
                dynamic.append((name, verdict))
        else:
            static.append(name)
    statement = _probe_select(tuple(static), tuple(dynamic))
    with runtime.engine.connect() as connection:
        row = connection.execute(statement, {"now": now, "today": local_date(now)}).one()
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
    """Run every step that has work at ``now``, then deliver due mail."""
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
        except Exception:  # noqa: BLE001 - one failing step must not stop the others
            log.exception("sweep step %s failed", name)
            report.steps[name] = "failed (see log)"
    if deliver and (mail or active):
        report.mail = deliver_due(
            runtime.sessions,
            now=now,
            smtp_url=runtime.config.smtp_url,
            mail_from=runtime.config.mail_from,
        )
    if report.steps or report.mail:
        log.info("sweep at %s: %s", now.isoformat(), report)
    return report


# the reminders register their steps (plan, dispatch) on import; maintenance registers its
# deadline sources (turns, reviews) with the reminders
import engine.maintenance.reminders  # noqa: E402, F401
import engine.reminders.steps  # noqa: E402, F401
