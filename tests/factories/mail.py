"""Mail: an outbox message that could not be delivered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session


def failed_mail(session: Session, now: datetime, to_addr: str = "onbereikbaar@example.nl"):
    """An outbox message that could not be delivered (for the operator's retry)."""
    import uuid

    from engine.mail import queue_message

    row = queue_message(
        session, key=f"test-failed:{uuid.uuid4().hex}", to_addr=to_addr, to_name=None,
        person_id=None, subject="Herinnering", body_text="Tekst", body_html=None, headers=None,
        now=now, mail_from="Verbinding <noreply@example.nl>",
    )  # fmt: skip
    row.status, row.attempts, row.last_error = "failed", 5, "550 mailbox unavailable"
    session.flush()
    return row
