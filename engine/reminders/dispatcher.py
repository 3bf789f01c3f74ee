"""The dispatcher: claim due reminders atomically, render them, hand them to the outbox.

One transaction per batch claims at most a batch of rows (``FOR UPDATE SKIP LOCKED`` in a
materialised CTE on PostgreSQL, see engine.db.bounded; on SQLite the claiming UPDATE takes the
single write lock), writes the outbox rows and marks the reminders sent. Either all of that
commits or none of it does, so two dispatchers never send a reminder twice and one that dies
loses nothing: its transaction is rolled back and its row locks go with its connection. The
outbox then delivers at least once, with a stable Message-ID per reminder or digest.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Row, bindparam, literal_column, select, update
from sqlalchemy.orm import Session

from engine.config import Config, config_of
from engine.db import bounded
from engine.mail.compose import compose
from engine.mail.outbox import queue_many
from engine.models import Initiative, Membership, Person
from engine.models.reminders import Reminder
from engine.notifications.digests import claim_for_digests, with_notifications
from engine.notifications.mail import Shown
from engine.permissions import is_staff
from engine.reminders.digests import Site, list_headers, mail_context
from engine.reminders.planner import PLAN_SOURCES, expire_loaded
from engine.reminders.preferences import modes_for
from engine.reminders.rules import kind_of, next_slot
from engine.timeutil import local_date

log = logging.getLogger(__name__)

BATCH = 500


@dataclass(frozen=True)
class Delivery:
    """What the dispatcher needs to know of the site (the digest times are the session's
    configuration, like every other setting the engine reads)."""

    site: Site
    mail_from: str


@dataclass
class DispatchReport:
    claimed: int = 0
    #: mails queued: one per reminder sent at once, one per digest
    mails: int = 0
    digests: int = 0
    deferred: int = 0
    skipped: int = 0
    cancelled: int = 0
    #: a line per mail queued, for ``verbinding reminders tick``
    lines: list[str] = field(default_factory=list)

    def __add__(self, other: DispatchReport) -> DispatchReport:
        return DispatchReport(
            self.claimed + other.claimed,
            self.mails + other.mails,
            self.digests + other.digests,
            self.deferred + other.deferred,
            self.skipped + other.skipped,
            self.cancelled + other.cancelled,
            self.lines + other.lines,
        )

    def __str__(self) -> str:
        return (
            f"{self.claimed} claimed, {self.mails} mails queued ({self.digests} digests), "
            f"{self.deferred} wait for a digest, {self.skipped} off, {self.cancelled} cancelled"
        )


_R = Reminder.__table__
_PENDING = _R.c.status == literal_column("'pending'")
_HANDLED = (
    update(_R)
    .where(_R.c.id == bindparam("rid"), _PENDING)
    .values(status=bindparam("st"), handled_dt=bindparam("h"), outbox_id=bindparam("ob"))
)
_DEFER = update(_R).where(_R.c.id == bindparam("rid"), _PENDING).values(due_dt=bindparam("due"))


def claim(session: Session, now: datetime, limit: int = BATCH) -> list[Row]:
    """Lock up to ``limit`` due reminders (never more) for this transaction; others skip them.

    Returns plain rows (the columns of ``reminders``): a batch is read and written with Core,
    which is several times faster than loading and flushing hundreds of ORM objects.
    """
    due = bounded(
        select(_R.c.id)
        .where(_PENDING, _R.c.due_dt <= now)
        .order_by(_R.c.due_dt, _R.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    # one UPDATE: on SQLite it takes the write lock before anything is read
    rows = (
        session.connection()
        .execute(
            update(_R)
            .where(_R.c.id.in_(select(due.c.id)), _PENDING)
            .values(due_dt=_R.c.due_dt)
            .returning(*_R.c)
        )
        .all()
    )
    return sorted(rows, key=lambda r: (r.person_id, r.due_dt, r.id))


def dispatch(
    session: Session, now: datetime, delivery: Delivery, *, limit: int = BATCH
) -> DispatchReport:
    """Handle one batch of due reminders in the caller's transaction."""
    rows = claim(session, now, limit)
    report = DispatchReport(claimed=len(rows))
    if not rows:
        return report
    batch = _Batch.load(session, rows)
    config = config_of(session)
    messages: list[dict] = []
    outbox_of: dict[str, list[Row]] = {}
    digests: dict[tuple[int, str, datetime], list[Row]] = defaultdict(list)
    handled: list[dict] = []
    deferred: list[dict] = []
    latest = _latest_per_deadline(rows)
    for row in rows:
        verdict = batch.verdict(row) if row.id in latest else "skipped"  # superseded
        mode = batch.modes[(row.person_id, row.kind)] if verdict == "ok" else "off"
        if verdict != "ok" or mode == "off":
            verdict = verdict if verdict != "ok" else "skipped"
            handled.append({"rid": row.id, "st": verdict, "h": now, "ob": None})
            setattr(report, verdict, getattr(report, verdict) + 1)
        elif mode == "immediate":
            key = f"reminder:{row.id}"
            messages.append(batch.message(key, [row], now, delivery, config, digest=False))
            outbox_of[key] = [row]
        else:
            slot = next_slot(
                row.due_dt, mode, config.digest_hour, config.digest_weekday, config.timezone
            )
            if slot > now:
                deferred.append({"rid": row.id, "due": slot})
            else:
                digests[(row.person_id, mode, slot)].append(row)
    # the reader's overview of notifications due now goes in the same mail: one per slot
    notes = claim_for_digests(session, now, (pid for pid, _, _ in digests)) if digests else {}
    for (person_id, mode, slot), group in digests.items():
        key = f"digest:{person_id}:{mode}:{slot:%Y%m%dT%H%M}:{min(r.id for r in group)}"
        messages.append(batch.message(key, group, now, delivery, config, digest=True,
                                      notes=notes.pop(person_id, [])))  # fmt: skip
        outbox_of[key] = group
        report.digests += 1
    if messages:
        ids = queue_many(session, messages, now=now, mail_from=delivery.mail_from)
        for message in messages:
            outbox_id = ids[message["key"]]
            handled.extend(
                {"rid": row.id, "st": "sent", "h": now, "ob": outbox_id}
                for row in outbox_of[message["key"]]
            )
            report.lines.append(f"{message['key']} → {message['to_addr']}: {message['subject']}")
            log.info("reminder mail %s queued for person %s", message["key"],
                     message["person_id"])  # fmt: skip
        report.mails += len(messages)
    if handled:
        session.connection().execute(_HANDLED, handled)
    if deferred:
        session.connection().execute(_DEFER, deferred)
    report.deferred += len(deferred)
    expire_loaded(session, Reminder)
    return report


def _latest_per_deadline(rows: list[Row]) -> set[int]:
    """After a delay (a server that was down), only the newest reminder per deadline counts."""
    best: dict[tuple[int, str, object], Row] = {}
    for row in rows:
        key = (row.person_id, row.deadline_key, row.deadline_date)
        if key not in best or row.offset_days < best[key].offset_days:
            best[key] = row
    return {row.id for row in best.values()}


@dataclass
class _Batch:
    """Everything a batch needs about its readers and initiatives, loaded in a few queries."""

    people: dict[int, Person]
    modes: dict[tuple[int, str], str]
    initiatives: dict[int, tuple[str, bool]]
    members: set[tuple[int, int]]

    @classmethod
    def load(cls, session: Session, rows: list[Row]) -> _Batch:
        pids = sorted({r.person_id for r in rows})
        iids = sorted({r.initiative_id for r in rows if r.initiative_id is not None})
        people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(pids)))}
        initiatives = {
            i.id: (i.title, bool(i.is_paused))
            for i in session.execute(
                select(Initiative.id, Initiative.title, Initiative.is_paused).where(
                    Initiative.id.in_(iids)
                )
            )
        }
        query = select(Membership.initiative_id, Membership.person_id).where(
            Membership.initiative_id.in_(iids), Membership.person_id.in_(pids)
        )
        members = {(iid, pid) for iid, pid in session.execute(query)}
        modes = modes_for(session, pids, {r.kind for r in rows})
        return cls(people, modes, initiatives, members)

    def verdict(self, row: Row) -> str:
        """ok, or why it will not be sent: skipped (no reader) or cancelled (no longer fits)."""
        person = self.people.get(row.person_id)
        if person is None or not person.is_active:
            return "skipped"
        if row.initiative_id is not None:
            found = self.initiatives.get(row.initiative_id)
            if found is None or found[1]:
                return "cancelled"  # gone, or the group paused
            member = (row.initiative_id, row.person_id) in self.members
            if row.source in PLAN_SOURCES and not member:
                return "cancelled"  # left the group
            if kind_of(row.kind).audience == "coaches" and not is_staff(person):
                return "cancelled"
        return "ok"

    def message(
        self, key: str, rows: list[Row], now: datetime, delivery: Delivery, config: Config, *,
        digest: bool, notes: list[Shown] | None = None,
    ) -> dict:  # fmt: skip
        person = self.people[rows[0].person_id]
        titles = {iid: title for iid, (title, _) in self.initiatives.items()}
        subject, context = mail_context(
            person, rows, titles, local_date(now, config.timezone), delivery.site, digest,
            stalled_days=config.stalled_days,
        )  # fmt: skip
        if notes:
            subject, context = with_notifications(
                person, {r.kind for r in rows}, len(rows), context, notes, delivery.site, config
            )
        _, text, html = compose("reminder", person.locale, subject=subject, **context)
        return {
            "key": key,
            "to_addr": person.email,
            "to_name": person.name,
            "person_id": person.id,
            "subject": subject,
            "body_text": text,
            "body_html": html,
            "headers": list_headers(context, delivery.site),
        }
