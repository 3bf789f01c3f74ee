"""What a person reads: their notifications, newest first; how many are unread; marking read."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from markupsafe import Markup
from sqlalchemy import CursorResult, bindparam, func, select, update
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.i18n import msg
from engine.models import Person
from engine.models.notifications import Notification, NotificationEvent
from engine.notifications.mail import initiative_html, sentence_html

log = logging.getLogger(__name__)

PAGE = 50


@dataclass(frozen=True)
class Line:
    """One notification as the page shows it: the sentence and the initiative's title are
    HTML (escaped; words in the other language than the reader's carry ``lang``)."""

    id: int
    sentence: Markup
    initiative: Markup
    link: str
    created_dt: datetime
    is_read: bool


#: the header's count of unread notifications, on every page a signed-in person reads
_UNREAD = (
    select(func.count())
    .select_from(Notification)
    .where(Notification.person_id == bindparam("pid"), Notification.read_dt.is_(None))
)


def unread_count(session: Session, person_id: int) -> int:
    """One count over the partial index of unread rows."""
    return session.scalar(_UNREAD, {"pid": person_id}) or 0


def notifications_of(
    session: Session, person_id: int, locale: str, tz: str, *, limit: int = PAGE
) -> list[Line]:
    """The person's newest notifications, said in ``locale``."""
    rows = session.execute(
        select(
            Notification.id, Notification.created_dt, Notification.read_dt,
            NotificationEvent.kind, NotificationEvent.data, NotificationEvent.link,
        )
        .join(NotificationEvent, NotificationEvent.id == Notification.event_id)
        .where(Notification.person_id == person_id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )  # fmt: skip
    return [
        Line(r.id, sentence_html(r.kind, r.data, locale, tz), initiative_html(r.data, locale),
             r.link, r.created_dt, r.read_dt is not None)
        for r in rows
    ]  # fmt: skip


def mark_read(session: Session, actor: Person, notification_id: int, now: datetime) -> str:
    """Mark one of the actor's notifications read; return where it leads."""
    found = session.execute(
        select(Notification.id, NotificationEvent.link)
        .join(NotificationEvent, NotificationEvent.id == Notification.event_id)
        .where(Notification.id == notification_id, Notification.person_id == actor.id)
    ).first()
    if found is None:
        raise NotFound(msg("This notification does not exist."))
    session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.read_dt.is_(None))
        .values(read_dt=now)
    )
    return found.link


def mark_all_read(session: Session, actor: Person, now: datetime) -> int:
    """Mark every unread notification of the actor read; return how many."""
    result = cast(CursorResult, session.execute(
        update(Notification)
        .where(Notification.person_id == actor.id, Notification.read_dt.is_(None))
        .values(read_dt=now)
    ))  # fmt: skip
    log.info("person %s marked %s notifications read", actor.id, result.rowcount)
    return int(result.rowcount or 0)
