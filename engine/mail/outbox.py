"""The outbox: queue in the caller's transaction, claim atomically, send, record the outcome.

Delivery is at least once with a stable ``Message-ID``: a dispatcher that dies after the
server accepted a message but before recording it sends it again, after its claim lapses, with
the same id, which mail clients show once. Two dispatchers never claim the same row: PostgreSQL
skips rows another one locked, SQLite lets one writer at a time.

Failures: a 4xx answer about a message is retried with exponential backoff and fails for good
after :data:`MAX_ATTEMPTS`; a 5xx answer fails at once. A server that cannot be reached is no
fault of the message: the batch goes back to the queue without using up a try, and is sent
when the server is back, however long that takes.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.mail.smtp import PermanentFailure, SmtpTransport, TemporaryFailure, Unreachable
from engine.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)
BATCH = 100
#: how long one delivery run may keep claiming new batches
RUN_SECONDS = 30.0


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8… minutes after the n-th failed attempt, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def unreachable_backoff(row_created: datetime, now: datetime) -> timedelta:
    """Wait longer the longer a server has been away: a quarter of the message's age, 1-15 min."""
    age = max(now - row_created, timedelta(0))
    return min(max(age / 4, timedelta(minutes=1)), timedelta(minutes=15))


def message_id_for(key: str, mail_from: str) -> str:
    domain = mail_from.rsplit("@", 1)[-1].strip(" >") or "verbinding.local"
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def queue_message(
    session: Session,
    *,
    key: str,
    to_addr: str,
    subject: str,
    body_text: str,
    now: datetime,
    mail_from: str,
    body_html: str | None = None,
    to_name: str | None = None,
    person_id: int | None = None,
    headers: dict[str, Any] | None = None,
) -> OutboxMessage:
    """Queue a message once per key (a second call with the same key returns the first)."""
    found = session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    if found is not None:
        return found
    row = OutboxMessage(
        idempotency_key=key,
        message_id=message_id_for(key, mail_from),
        to_addr=to_addr,
        to_name=to_name,
        person_id=person_id,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        headers=headers or {},
        status="pending",
        attempts=0,
        next_attempt_dt=now,
        created_dt=now,
    )
    session.add(row)
    session.flush()
    return row


def queue_many(
    session: Session, messages: list[dict[str, Any]], *, now: datetime, mail_from: str
) -> dict[str, int]:
    """Queue many messages in two statements; return key → outbox id (existing keys kept)."""
    keys = [m["key"] for m in messages]
    found = dict(
        session.execute(
            select(OutboxMessage.idempotency_key, OutboxMessage.id).where(
                OutboxMessage.idempotency_key.in_(keys)
            )
        ).all()
    )
    rows = [
        {
            "idempotency_key": m["key"],
            "message_id": message_id_for(m["key"], mail_from),
            "to_addr": m["to_addr"],
            "to_name": m.get("to_name"),
            "person_id": m.get("person_id"),
            "subject": m["subject"],
            "body_text": m["body_text"],
            "body_html": m.get("body_html"),
            "headers": m.get("headers") or {},
            "status": "pending",
            "attempts": 0,
            "next_attempt_dt": now,
            "created_dt": now,
        }
        for m in messages
        if m["key"] not in found
    ]
    if rows:
        result = session.execute(
            insert(OutboxMessage).returning(OutboxMessage.idempotency_key, OutboxMessage.id),
            rows,
        )
        found.update({key: id_ for key, id_ in result})
    return found


def build_email(row: OutboxMessage, mail_from: str) -> Message:
    """The message as sent: plain text and HTML alternatives, headers folded for SMTP.

    Built with the classic MIME classes: the modern header registry parses every header it
    is given and costs milliseconds per message, which a batch of reminders notices.
    """
    text = MIMEText(row.body_text, "plain", "utf-8")
    if row.body_html:
        message: Message = MIMEMultipart("alternative")
        message.attach(text)
        message.attach(MIMEText(row.body_html, "html", "utf-8"))
    else:
        message = text
    message["From"] = _address(mail_from)
    message["To"] = formataddr((row.to_name or "", row.to_addr), charset="utf-8")
    # compat32 messages take a Header (typeshed allows only str): it folds the subject as UTF-8
    message["Subject"] = Header(row.subject, "utf-8")  # type: ignore[assignment]
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(row.created_dt)
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (row.headers or {}).items():
        message[name] = value
    return message


def _address(value: str) -> str:
    name, addr = parseaddr(value)
    return formataddr((name, addr), charset="utf-8") if addr else value


def _due(now: datetime):
    return or_(
        (OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_dt <= now),
        (OutboxMessage.status == "sending") & (OutboxMessage.lease_until_dt < now),
    )


def claim(session: Session, now: datetime, limit: int = BATCH) -> list[int]:
    """Mark up to ``limit`` due messages as ours; commit before sending them."""
    token = uuid.uuid4().hex
    ids = (
        select(OutboxMessage.id)
        .where(_due(now))
        .order_by(OutboxMessage.next_attempt_dt, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids.scalar_subquery()), _due(now))
        .values(
            status="sending",
            claimed_by=token,
            lease_until_dt=now + LEASE,
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return list(
        session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.claimed_by == token, OutboxMessage.status == "sending")
            .order_by(OutboxMessage.id)
        )
    )


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    #: put back because the server could not be reached (no try used up)
    deferred: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"sent {len(self.sent)}, to retry {len(self.retried)}, failed {len(self.failed)}"
        return text + (f", server away: {len(self.deferred)} wait" if self.deferred else "")


def deliver_due(
    sessions: sessionmaker[Session],
    *,
    now: datetime,
    smtp_url: str,
    mail_from: str,
    limit: int = BATCH,
    transport: SmtpTransport | None = None,
    run_seconds: float = RUN_SECONDS,
) -> DeliveryReport:
    """Claim due messages batch by batch and send them over one connection; record outcomes."""
    report = DeliveryReport()
    own = transport is None
    transport = transport or SmtpTransport(smtp_url)
    started = time.monotonic()
    try:
        while time.monotonic() - started < run_seconds:
            with sessions() as session:
                ids = claim(session, now, limit)
                session.commit()
            if not ids or not _deliver_batch(sessions, transport, ids, now, mail_from, report):
                break
            if len(ids) < limit:
                break
    finally:
        if own:
            transport.close()
    if report.sent or report.retried or report.failed or report.deferred:
        log.info("outbox: %s", report)
    return report


def _deliver_batch(sessions, transport, ids: list[int], now, mail_from, report) -> bool:
    """Send a claimed batch, recording each outcome as it happens (one small commit each).

    Return False when the server went away: what is left goes back to the queue.
    """
    with sessions() as session:
        rows = list(
            session.scalars(
                select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
            )
        )
        for position, row in enumerate(rows):
            if row.status != "sending":
                continue
            if not _deliver_one(session, transport, row, now, mail_from, report):
                _release(sessions, [r.id for r in rows[position:]], now, report)
                return False
    return True


def _release(sessions, ids: list[int], now: datetime, report: DeliveryReport) -> None:
    """The server is unreachable: give the batch back for later, without using up a try."""
    with sessions() as session:
        rows = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.id.in_(ids), OutboxMessage.status == "sending"
            )
        )
        for row in rows:
            row.status, row.claimed_by, row.lease_until_dt = "pending", None, None
            row.attempts = max(row.attempts - 1, 0)
            row.next_attempt_dt = now + unreachable_backoff(row.created_dt, now)
            report.deferred.append(row.id)
        session.commit()


def _deliver_one(session, transport, row: OutboxMessage, now, mail_from, report) -> bool:
    """Send one claimed message and commit its outcome; False when the server is unreachable."""
    try:
        transport.send(build_email(row, mail_from))
    except Unreachable as exc:
        row.last_error = str(exc)[:2000]
        session.commit()
        log.warning("outbox %s: mail server unreachable: %s", row.id, exc)
        return False
    except TemporaryFailure as exc:
        row.last_error = str(exc)[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
            report.failed.append(row.id)
        else:
            row.status = "pending"
            row.next_attempt_dt = now + backoff(row.attempts)
            report.retried.append(row.id)
        log.warning("outbox %s to %s: %s", row.id, row.to_addr, exc)
    except PermanentFailure as exc:
        row.status, row.last_error = "failed", str(exc)[:2000]
        report.failed.append(row.id)
        log.warning("outbox %s to %s failed for good: %s", row.id, row.to_addr, exc)
    else:
        row.status, row.sent_dt, row.last_error = "sent", now, None
        report.sent.append(row.id)
        log.info("outbox %s sent to %s (%s)", row.id, row.to_addr, row.message_id)
    row.claimed_by, row.lease_until_dt = None, None
    session.commit()
    return True


def retry_failed(session: Session, message_id: int, now: datetime) -> OutboxMessage | None:
    """An operator sends a failed message once more (with the same Message-ID)."""
    row = session.get(OutboxMessage, message_id)
    if row is None or row.status != "failed":
        return None
    row.status, row.attempts, row.next_attempt_dt = "pending", 0, now
    session.flush()
    log.info("outbox %s: queued again by an operator", row.id)
    return row


def outbox_overview(
    session: Session, status: str, limit: int
) -> tuple[dict[str, int], list[OutboxMessage]]:
    """For an operator: how many messages are in each state, and the newest of one state."""
    counts = dict(
        session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == status)
        .order_by(OutboxMessage.next_attempt_dt.desc(), OutboxMessage.id.desc())
        .limit(limit)
    )
    return counts, list(rows)
