"""The outbox: a message is a row, queued in the caller's transaction with a stable Message-ID.

Sending is engine.mail.delivery's: after the commit, claimed, at least once. Here: queueing
(once per idempotency key), the message as sent (:func:`build_email`), and what an operator
sees and does (:func:`outbox_overview`, :func:`retry_failed`).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from html import escape
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from engine.models import OutboxMessage
from engine.models.outbox import NOTIFICATION as NOTIFICATION

log = logging.getLogger(__name__)


#: stand-ins for what differs per reader in a text shared by many (an OutboxBody): characters
#: of Unicode's private use area, which no escaping touches and both databases store (a NUL,
#: PostgreSQL's text refuses)
NAME = "\ue000name\ue000"
TOKEN = "\ue000token\ue000"


def fill_in(text: str, name: str, token: str, *, html: bool = False) -> str:
    """One reader's copy of a shared text."""
    return text.replace(TOKEN, token).replace(NAME, escape(name) if html else name)


def contents(row: OutboxMessage) -> tuple[str, str | None, dict[str, Any]]:
    """A message's plain text, HTML and extra headers: its own, or its shared text filled in."""
    body = row.body
    if body is None:
        return row.body_text, row.body_html, row.headers or {}
    name, token = row.to_name or "", _token(row)
    return (
        fill_in(body.body_text, name, token),
        fill_in(body.body_html, name, token, html=True) if body.body_html else None,
        {k: fill_in(v, name, token) for k, v in (body.headers or {}).items()},
    )


def _token(row: OutboxMessage) -> str:
    """A notification's token in its unsubscribe link: ``n<id>-<the notification's random
    token>`` (engine.notifications.tokens); a row queued before 0032 carries it itself."""
    if row.fill is not None or row.notification is None:
        return row.fill or ""
    return f"n{row.notification_id}-{row.notification.mail_token or ''}"


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
    secret: bool = False,
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
        is_secret=secret,
    )
    session.add(row)
    session.flush()
    return row


def queue_many(
    session: Session, messages: list[dict[str, Any]], *, now: datetime, mail_from: str
) -> dict[str, int]:
    """Queue many messages in two statements; return key → outbox id (existing keys kept)."""
    keys = [m["key"] for m in messages]
    found: dict[str, int] = {
        str(key): id_
        for key, id_ in session.execute(
            select(OutboxMessage.idempotency_key, OutboxMessage.id).where(
                OutboxMessage.idempotency_key.in_(keys)
            )
        )
    }
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
            "is_secret": False,
        }
        for m in messages
        if m["key"] not in found
    ]
    if rows:
        result = session.execute(
            insert(OutboxMessage).returning(OutboxMessage.idempotency_key, OutboxMessage.id),
            rows,
        )
        found.update({str(key): id_ for key, id_ in result})
    return found


def build_email(row: OutboxMessage, mail_from: str) -> Message:
    """The message as sent: plain text and HTML alternatives, headers folded for SMTP.

    Built with the classic MIME classes: the modern header registry parses every header it
    is given and costs milliseconds per message, which a batch of reminders notices.
    """
    body_text, body_html, headers = contents(row)
    text = MIMEText(body_text, "plain", "utf-8")
    if body_html:
        message: Message = MIMEMultipart("alternative")
        message.attach(text)
        message.attach(MIMEText(body_html, "html", "utf-8"))
    else:
        message = text
    message["From"] = _address(mail_from)
    message["To"] = formataddr((row.to_name or "", row.to_addr), charset="utf-8")
    # compat32 messages take a Header (typeshed allows only str): it folds the subject as UTF-8
    message["Subject"] = Header(row.mail_subject, "utf-8")  # type: ignore[assignment]
    message["Message-ID"] = row.mail_message_id
    message["Date"] = format_datetime(row.created_dt)
    message["Auto-Submitted"] = "auto-generated"
    for name, value in headers.items():
        message[name] = value
    return message


def _address(value: str) -> str:
    name, addr = parseaddr(value)
    return formataddr((name, addr), charset="utf-8") if addr else value


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
