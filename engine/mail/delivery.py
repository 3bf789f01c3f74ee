"""Delivering the outbox: claim a batch, hold it while sending, record each outcome fenced.

A delivery run claims at most ``limit`` due messages (pending ones, and ones whose holder's
lease lapsed) under a token of its own, with a lease (``VERBINDING_MAIL_LEASE_SECONDS``, one
minute by default) that a background thread renews while the run works. Before each message
the run checks that it still holds it (renewing at once when half the lease has gone), and
every outcome is written only where the row is still ``sending`` under the run's token. So a
run that lost its claim (frozen, cut off from the database) sends nothing more of the batch
and overwrites nothing, and a run that dies lets go within one lease: another run, in this
process or another, then takes its messages over.

At least once, with a stable ``Message-ID``: a message goes out twice only when its run dies
(or loses the database) between the server's ``250`` and the write of ``sent``, or is frozen
for longer than a lease in the middle of that one message. Both copies carry the same
Message-ID, so mail programs show one.

Failures: a 4xx answer about a message is retried with exponential backoff and fails for good
after :data:`MAX_ATTEMPTS`; a 5xx answer fails at once. A server that cannot be reached is no
fault of the message: the rest of the batch goes back to the queue without using up a try, and
is tried again after :func:`unreachable_backoff` (5 to 45 seconds, so with the
sweep's 15 seconds mail flows within a minute of the server's return), however long it was away.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, literal_column, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.db import bounded, one_line, utcnow
from engine.mail.outbox import build_email
from engine.mail.smtp import PermanentFailure, SmtpTransport, TemporaryFailure, Unreachable
from engine.metrics import MAIL_DELIVERIES
from engine.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
#: how long a claim holds a message unless renewed (the default of VERBINDING_MAIL_LEASE_SECONDS)
LEASE = timedelta(seconds=60)
BATCH = 100
#: how long one delivery run may keep claiming new batches
RUN_SECONDS = 30.0
#: how long mail waits for a server that could not be reached: first, and at most
UNREACHABLE_FIRST = timedelta(seconds=5)
UNREACHABLE_CAP = timedelta(seconds=45)

#: what a secret message's body becomes once it has gone (or failed for good)
REDACTED = {
    "body_text": "(removed after sending: this message held a one-time link)",
    "body_html": None,
}

Clock = Callable[[], datetime]
_O = OutboxMessage.__table__


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8… minutes after the n-th refusal (4xx), at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def unreachable_backoff(row_created: datetime, now: datetime) -> timedelta:
    """Wait a little longer the longer a message has waited: a quarter of its age, from 5 s to
    45 s. The cap keeps mail at most a minute behind a mail server that comes back."""
    age = max(now - row_created, timedelta(0))
    return min(max(age / 4, UNREACHABLE_FIRST), UNREACHABLE_CAP)


def _due(now: datetime, at: datetime):
    """Pending and due at ``now``, or held by a claim that lapsed before ``at`` (the clock)."""
    return or_(
        (_O.c.status == literal_column("'pending'")) & (_O.c.next_attempt_dt <= now),
        (_O.c.status == literal_column("'sending'")) & (_O.c.lease_until_dt < at),
    )


def claim(
    session: Session,
    now: datetime,
    limit: int = BATCH,
    *,
    token: str,
    lease: timedelta = LEASE,
    clock: Clock = utcnow,
) -> tuple[list[int], datetime]:
    """Mark up to ``limit`` due messages as held by ``token``; commit before sending them.

    Return their ids and when the claim lapses unless renewed. Leases are wall-clock times
    (``clock``), whatever moment ``now`` stands for: they are about processes, not about what
    is due.
    """
    at = clock()
    until = at + lease
    batch = bounded(
        select(_O.c.id)
        .where(_due(now, at))
        .order_by(_O.c.next_attempt_dt, _O.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    # one UPDATE: on SQLite it takes the write lock before anything is read
    claimed = session.connection().execute(
        update(_O)
        .where(_O.c.id.in_(select(batch.c.id)), _due(now, at))
        .values(status="sending", claimed_by=token, lease_until_dt=until)
        .returning(_O.c.id)
    )
    return sorted(claimed.scalars()), until


_RENEW = (
    update(_O)
    .where(
        _O.c.id.in_(bindparam("ids", expanding=True)),
        _O.c.claimed_by == bindparam("token"),
        _O.c.status == literal_column("'sending'"),
    )
    .values(lease_until_dt=bindparam("until"))
    .returning(_O.c.id)
)
_RELEASE = (
    update(_O)
    .where(
        _O.c.id == bindparam("oid"),
        _O.c.claimed_by == bindparam("token"),
        _O.c.status == literal_column("'sending'"),
    )
    .values(
        status="pending",
        claimed_by=None,
        lease_until_dt=None,
        next_attempt_dt=bindparam("next"),
        last_error=bindparam("error"),
    )
)


class Hold:
    """The messages a run claimed, kept by renewing their lease until each is recorded.

    A background thread renews every third of a lease; :meth:`has` renews at once when half of
    it has gone (the thread may have failed). Writes go through :meth:`record` and
    :meth:`release`, which change a row only while this run holds it.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        token: str,
        ids: list[int],
        until: datetime,
        lease: timedelta,
        clock: Clock = utcnow,
    ) -> None:
        self.sessions, self.token, self.lease, self.clock = sessions, token, lease, clock
        self.ids = set(ids)
        self.until = until
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="outbox-lease", daemon=True)

    def __enter__(self) -> Hold:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def renew(self) -> None:
        """Extend the lease of every message still held; forget those another run took."""
        with self._lock:
            ids = sorted(self.ids)
            if not ids:
                return
            at = self.clock()
            with self.sessions() as session:
                kept = session.connection().execute(
                    _RENEW, {"ids": ids, "token": self.token, "until": at + self.lease}
                )
                kept_ids = set(kept.scalars())
                session.commit()
            lost = self.ids - kept_ids
            if lost:
                log.warning("outbox: %s claimed messages taken over by another run: %s",
                            len(lost), sorted(lost))  # fmt: skip
            self.ids = kept_ids
            self.until = at + self.lease

    def has(self, message_id: int) -> bool:
        """Whether this run still holds the message, with at least half a lease to send it."""
        if self.clock() >= self.until - self.lease / 2:
            self.renew()
        return message_id in self.ids

    def record(self, message_id: int, values: dict[str, Any]) -> bool:
        """Write a message's outcome if this run still holds it; False when it did not."""
        with self._lock:
            self.ids.discard(message_id)
            with self.sessions() as session:
                written = session.connection().execute(
                    update(_O)
                    .where(
                        _O.c.id == message_id,
                        _O.c.claimed_by == self.token,
                        _O.c.status == literal_column("'sending'"),
                    )
                    .values(claimed_by=None, lease_until_dt=None, **values)
                )
                session.commit()
            return written.rowcount == 1

    def release(self, rows: list[OutboxMessage], now: datetime, error: str) -> list[int]:
        """Give the held ones of ``rows`` back to the queue without using up a try."""
        with self._lock:
            held = [r for r in rows if r.id in self.ids]
            if held:
                with self.sessions() as session:
                    session.connection().execute(_RELEASE, [
                        {"oid": r.id, "token": self.token, "error": error[:2000],
                         "next": now + unreachable_backoff(r.created_dt, now)}
                        for r in held
                    ])  # fmt: skip
                    session.commit()
            self.ids -= {r.id for r in held}
            return [r.id for r in held]

    def _beat(self) -> None:
        while not self._stop.wait(self.lease.total_seconds() / 3):
            try:
                self.renew()
            except Exception as exc:  # noqa: BLE001 - has() renews again before each message
                log.warning("outbox: could not renew the claim: %s", one_line(exc))


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    #: put back because the server could not be reached (no try used up)
    deferred: list[int] = field(default_factory=list)
    #: claimed, but taken over by another run before this one got to them
    overtaken: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        """Whether anything happened (a run that found nothing to send is not worth a line)."""
        return bool(self.sent or self.retried or self.failed or self.deferred or self.overtaken)

    def __str__(self) -> str:
        text = f"sent {len(self.sent)}, to retry {len(self.retried)}, failed {len(self.failed)}"
        text += f", server away: {len(self.deferred)} wait" if self.deferred else ""
        return text + (f", {len(self.overtaken)} taken over" if self.overtaken else "")


def deliver_due(
    sessions: sessionmaker[Session],
    *,
    now: datetime,
    smtp_url: str,
    mail_from: str,
    limit: int = BATCH,
    transport: SmtpTransport | None = None,
    run_seconds: float = RUN_SECONDS,
    lease: timedelta = LEASE,
    clock: Clock = utcnow,
) -> DeliveryReport:
    """Claim due messages batch by batch and send them over one connection; record outcomes."""
    report = DeliveryReport()
    own = transport is None
    transport = transport or SmtpTransport(smtp_url)
    token = uuid.uuid4().hex
    started = time.monotonic()
    try:
        while time.monotonic() - started < run_seconds:
            with sessions() as session:
                ids, until = claim(session, now, limit, token=token, lease=lease, clock=clock)
                session.commit()
            if not ids:
                break
            with Hold(sessions, token, ids, until, lease, clock) as hold:
                if not _deliver_batch(sessions, transport, hold, now, mail_from, report):
                    break
            if len(ids) < limit:
                break
    finally:
        if own:
            transport.close()
    if report:
        log.info("outbox: %s", report)
    return report


def _deliver_batch(sessions, transport, hold: Hold, now, mail_from, report) -> bool:
    """Send a held batch, recording each outcome as it happens (one small commit each).

    Return False when the server went away: what is left goes back to the queue.
    """
    with sessions() as session:  # what a message says never changes: read it once
        rows = list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.id.in_(sorted(hold.ids)))
                .order_by(OutboxMessage.id)
            )
        )
    for position, row in enumerate(rows):
        if not hold.has(row.id):
            report.overtaken.append(row.id)
            continue
        try:
            transport.send(build_email(row, mail_from))
        except Unreachable as exc:
            log.warning("outbox %s: mail server unreachable: %s", row.id, exc,
                        extra=_line(row, "deferred"))  # fmt: skip
            deferred = hold.release(rows[position:], now, str(exc))
            MAIL_DELIVERIES.labels("deferred").inc(len(deferred))
            report.deferred += deferred
            return False
        except TemporaryFailure as exc:
            outcome = _refused(row, now, exc, report)
        except PermanentFailure as exc:
            outcome = {"status": "failed", "last_error": str(exc)[:2000]}
            report.failed.append(row.id)
            log.warning("outbox %s to %s failed for good: %s", row.id, row.to_addr, exc,
                        extra=_line(row, "failed"))  # fmt: skip
        else:
            outcome = {"status": "sent", "sent_dt": now, "last_error": None}
            report.sent.append(row.id)
            log.info("outbox %s sent to %s (%s)", row.id, row.to_addr, row.mail_message_id,
                     extra=_line(row, "sent"))  # fmt: skip
        MAIL_DELIVERIES.labels(
            "retry" if outcome["status"] == "pending" else outcome["status"]
        ).inc()
        if row.is_secret and outcome["status"] in ("sent", "failed"):
            outcome.update(REDACTED)  # the link stays in the reader's mailbox, not in ours
        if not hold.record(row.id, {"attempts": row.attempts + 1, **outcome}):
            log.warning(
                "outbox %s: another run took it over while it was being sent; it may arrive "
                "twice, with the same Message-ID %s", row.id, row.mail_message_id,
            )  # fmt: skip
    return True


def _refused(row: OutboxMessage, now: datetime, exc: Exception, report) -> dict[str, Any]:
    """A 4xx about this message: try again later, or give up after the last try."""
    attempts = row.attempts + 1
    log.warning("outbox %s to %s: %s", row.id, row.to_addr, exc,
                extra=_line(row, "failed" if attempts >= MAX_ATTEMPTS else "retry"))  # fmt: skip
    if attempts >= MAX_ATTEMPTS:
        report.failed.append(row.id)
        return {"status": "failed", "last_error": str(exc)[:2000]}
    report.retried.append(row.id)
    return {
        "status": "pending",
        "next_attempt_dt": now + backoff(attempts),
        "last_error": str(exc)[:2000],
    }


def _line(row: OutboxMessage, outcome: str) -> dict[str, Any]:
    """The fields of a delivery's log line (a JSON log's own fields)."""
    return {"event": "mail_delivery", "outbox_id": row.id, "outcome": outcome,
            "message_id": row.mail_message_id, "attempt": row.attempts + 1}  # fmt: skip
