"""The outbox: queue in the caller's transaction, claim atomically, send, record the outcome.

Delivery is at least once with a stable ``Message-ID``: a dispatcher that dies after the
server accepted a message but before recording it sends it again with the same id, which mail
clients show once. Two dispatchers never claim the same row: PostgreSQL skips rows another one
locked, SQLite lets one writer at a time.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.mail.smtp import PermanentFailure, SmtpTransport, TemporaryFailure
from engine.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)
BATCH = 100


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8… minutes after the n-th failed attempt, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


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


def build_email(row: OutboxMessage, mail_from: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = formataddr((row.to_name or "", row.to_addr))
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(row.created_dt)
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (row.headers or {}).items():
        message[name] = value
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    return message


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

    def __str__(self) -> str:
        return f"sent {len(self.sent)}, to retry {len(self.retried)}, failed {len(self.failed)}"


def deliver_due(
    sessions: sessionmaker[Session],
    *,
    now: datetime,
    smtp_url: str,
    mail_from: str,
    limit: int = BATCH,
    transport: SmtpTransport | None = None,
) -> DeliveryReport:
    """Claim due messages and send them over one connection; record each outcome."""
    report = DeliveryReport()
    with sessions() as session:
        ids = claim(session, now, limit)
        session.commit()
    if not ids:
        return report
    own = transport is None
    transport = transport or SmtpTransport(smtp_url)
    try:
        for position, message_id in enumerate(ids):
            if not _deliver_one(sessions, transport, message_id, now, mail_from, report):
                _release(sessions, ids[position + 1 :], now, report)
                break
    finally:
        if own:
            transport.close()
    log.info("outbox: %s", report)
    return report


def _release(sessions, ids: list[int], now: datetime, report: DeliveryReport) -> None:
    """The server is unreachable: give the rest of the batch back for a later try."""
    if not ids:
        return
    with sessions() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "sending")
            .values(
                status="pending",
                attempts=OutboxMessage.attempts - 1,
                next_attempt_dt=now + backoff(1),
                claimed_by=None,
                lease_until_dt=None,
            )
            .execution_options(synchronize_session=False)
        )
        session.commit()
    report.retried.extend(ids)


def _deliver_one(sessions, transport, message_id, now, mail_from, report) -> bool:
    """Send one claimed message; False when the server could not be reached at all."""
    reachable = True
    with sessions() as session:
        row = session.get(OutboxMessage, message_id)
        if row is None or row.status != "sending":
            return True
        try:
            transport.send(build_email(row, mail_from))
        except TemporaryFailure as exc:
            reachable = transport.connected
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
    return reachable
