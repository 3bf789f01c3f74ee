"""How long the site keeps what it no longer needs: a step of the periodic sweep.

* the text of mail that was sent (or gave up) goes after ``MAIL_RETENTION_DAYS``; the row stays,
  so the same mail is never sent twice;
* used or expired password-reset links and invitations go after ``LINK_RETENTION_DAYS``;
* notifications go after ``NOTIFICATION_RETENTION_DAYS`` (those still to be mailed wait);
* a text shared by many readers' mails (``outbox_bodies``) goes once no mail points at it any
  more and it is older than ``MAIL_RETENTION_DAYS``.

A shared text is only ever pointed at by the mails queued in the transaction that stored it
(engine.notifications.fanout.mail_now), so a text another transaction is storing right now is
never taken: it is younger than the period, invisible until it commits (PostgreSQL), or the
sweep waits for its write lock (SQLite); and the foreign key would refuse a mail pointing at a
text that is gone.

The privacy page states the same periods, read from the same settings.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, String, and_, delete, exists, func, or_, select, update
from sqlalchemy import cast as cast_
from sqlalchemy.orm import Session

from engine.config import Config, config_of
from engine.models import Invitation, OutboxBody, OutboxMessage, PasswordReset
from engine.models.notifications import Notification, NotificationEvent
from engine.models.outbox import NOTIFICATION
from engine.sweepstep import SweepStep


def _cutoffs(now: datetime, config: Config) -> tuple[datetime, datetime, datetime]:
    return (
        now - timedelta(days=config.mail_retention_days),
        now - timedelta(days=config.link_retention_days),
        now - timedelta(days=config.notification_retention_days),
    )


def _old_mail(cutoff: datetime) -> Any:
    return and_(
        OutboxMessage.status.in_(("sent", "failed")),
        OutboxMessage.created_dt < cutoff,
        or_(
            OutboxMessage.body_text != "",
            OutboxMessage.body_html.is_not(None),
            OutboxMessage.body_id.is_not(None),
        ),
    )


_BODY = OutboxBody.__table__
#: a notification's mail keeps the subject and Message-ID it was sent with when its shared text
#: goes (as every mail keeps its own): written out from the text before it is let go of
_HEADLINE = {
    "subject": func.coalesce(
        OutboxMessage.subject,
        select(_BODY.c.subject).where(_BODY.c.id == OutboxMessage.body_id).scalar_subquery(),
    ),
    "message_id": func.coalesce(
        OutboxMessage.message_id,
        select(
            func.replace(
                _BODY.c.message_id, NOTIFICATION, cast_(OutboxMessage.notification_id, String)
            )
        )
        .where(_BODY.c.id == OutboxMessage.body_id)
        .scalar_subquery(),
    ),
}


def _unused_bodies(cutoff: datetime) -> Any:
    """Shared texts no mail points at (any more), past the period."""
    return and_(
        OutboxBody.created_dt < cutoff,
        ~exists().where(OutboxMessage.body_id == OutboxBody.id),
    )


def _old_resets(cutoff: datetime) -> Any:
    return PasswordReset.created_dt < cutoff


def _old_invitations(cutoff: datetime) -> Any:
    return or_(Invitation.accepted_dt < cutoff, Invitation.expires_dt < cutoff)


def _old_notifications(cutoff: datetime) -> Any:
    return and_(Notification.created_dt < cutoff, Notification.mail_status != "pending")


def _orphan_events(cutoff: datetime) -> Any:
    return and_(
        NotificationEvent.created_dt < cutoff,
        ~exists().where(Notification.event_id == NotificationEvent.id),
    )


def due(now: datetime, config: Config) -> Any:
    """Whether anything is past its period (asked at most hourly)."""
    mail, links, told = _cutoffs(now, config)
    return (
        exists().where(_old_mail(mail))
        | exists().where(_old_resets(links))
        | exists().where(_old_invitations(links))
        | exists().where(_old_notifications(told))
        | exists().where(_unused_bodies(mail))
    )


def _count(result: Any) -> int:
    return cast(CursorResult, result).rowcount or 0


def prune(session: Session, now: datetime) -> str:
    """Forget what is past its period; say how much."""
    mail, links, told = _cutoffs(now, config_of(session))
    wiped = _count(
        session.execute(
            update(OutboxMessage)
            .where(_old_mail(mail))
            .values(body_text="", body_html=None, body_id=None, fill=None, **_HEADLINE)
        )
    )
    # after the wipe above, in the same transaction: the texts it let go of go too
    bodies = _count(session.execute(delete(OutboxBody).where(_unused_bodies(mail))))
    resets = _count(session.execute(delete(PasswordReset).where(_old_resets(links))))
    invitations = _count(session.execute(delete(Invitation).where(_old_invitations(links))))
    notes = _count(session.execute(delete(Notification).where(_old_notifications(told))))
    _count(session.execute(delete(NotificationEvent).where(_orphan_events(told))))
    return (
        f"{wiped} mail texts ({bodies} shared), {resets} reset links, {invitations} "
        f"invitations and {notes} notifications forgotten"
    )


STEP = SweepStep("retention", prune, probe=due, probe_every=3600)
