"""Fan-out: one event, one ``INSERT … SELECT`` of a row per person told, mail for who wants it now.

The rules live here and nowhere else: nobody is told about their own action; a paused group
hears only about the pause; people who no longer have an active account hear nothing. Each
row takes the reader's preference for its kind when it is made (at once, daily, weekly, off):
"at once" is composed and queued in the outbox in the same transaction (sent after commit by
the outbox, as every mail), a digest reader's row waits for the next overview
(engine.notifications.digests), "off" is shown on the page only.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    null,
    select,
    update,
)
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.mail.outbox import message_id_for
from engine.models import Initiative, Membership, OutboxMessage, Person
from engine.models.notifications import Notification, NotificationEvent
from engine.models.reminders import ReminderPreference
from engine.notifications.kinds import default_mode, event_kind
from engine.notifications.mail import Shown, compose_mail, locale_of, site_of, unsubscribe_url
from engine.reminders.rules import next_slot

log = logging.getLogger(__name__)

_N = Notification.__table__
_E = NotificationEvent.__table__
_P = Person.__table__
_RP = ReminderPreference.__table__
_M = Membership.__table__
_I = Initiative.__table__
_DT = _N.c.created_dt.type


def notify(
    session: Session,
    *,
    kind: str,
    initiative_id: int | None,
    actor_id: int | None,
    recipients: Select,
    link: str,
    now: datetime,
    data: dict[str, Any] | None = None,
    subject_id: int | None = None,
) -> int:
    """Tell the people ``recipients`` selects (one column of person ids) that ``kind`` happened.

    Call it after the fact is recorded, in the same transaction. Returns the event's id.
    """
    event = event_kind(kind)
    config = config_of(session)
    event_id = session.execute(
        insert(NotificationEvent).returning(NotificationEvent.id),
        [{"kind": kind, "initiative_id": initiative_id, "actor_id": actor_id,
          "subject_id": subject_id, "data": data or {}, "link": link, "created_dt": now}],
    ).scalar_one()  # fmt: skip
    mode = func.coalesce(_RP.c.mode, literal(default_mode(event.pref)))
    slot = {m: next_slot(now, m, config.digest_hour, config.digest_weekday, config.timezone)
            for m in ("daily", "weekly")}  # fmt: skip
    told = (
        select(
            literal(event_id).label("event_id"),
            _P.c.id,
            literal(now, _DT),
            mode,
            case((mode == "off", literal("skipped")), else_=literal("pending")),
            case(
                (mode == "immediate", literal(now, _DT)),
                (mode == "daily", literal(slot["daily"], _DT)),
                (mode == "weekly", literal(slot["weekly"], _DT)),
                else_=null(),
            ),
        )
        .select_from(_P.outerjoin(_RP, and_(_RP.c.person_id == _P.c.id, _RP.c.kind == event.pref)))
        .where(_P.c.id.in_(recipients), _P.c.is_active.is_(True))
    )
    if actor_id is not None:
        told = told.where(_P.c.id != actor_id)
    if initiative_id is not None and not event.is_pause:
        told = told.where(~_paused_member(initiative_id))
    columns = ["event_id", "person_id", "created_dt", "mail_mode", "mail_status", "mail_due_dt"]
    session.execute(insert(_N).from_select(columns, told))
    mails = mail_now(session, event_id, now)
    log.info("notification %s (%s) on initiative %s: %s mails at once", event_id, kind,
             initiative_id, mails)  # fmt: skip
    return event_id


def _paused_member(initiative_id: int):
    """The reader is in the group and the group is paused."""
    return exists().where(
        _M.c.initiative_id == initiative_id,
        _M.c.person_id == _P.c.id,
        _I.c.id == _M.c.initiative_id,
        _I.c.is_paused.is_(True),
    )


_SENT = (
    update(_N)
    .where(
        _N.c.event_id == bindparam("eid"),
        _N.c.mail_mode == "immediate",
        _N.c.mail_status == "pending",
    )
    .values(mail_status="sent", mailed_dt=bindparam("now"))
)


def mail_now(session: Session, event_id: int, now: datetime) -> int:
    """Queue the mail of every reader of one event who wants it at once; return how many."""
    readers = session.execute(
        select(_N.c.id, _P.c.id.label("person_id"), _P.c.email, _P.c.name, _P.c.locale)
        .join(_P, _P.c.id == _N.c.person_id)
        .where(
            _N.c.event_id == event_id,
            _N.c.mail_mode == "immediate",
            _N.c.mail_status == "pending",
        )
    ).all()
    if not readers:
        return 0
    config = config_of(session)
    site = site_of(config)
    event = session.execute(
        select(_E.c.kind, _E.c.initiative_id, _E.c.data, _E.c.link).where(_E.c.id == event_id)
    ).one()
    shown = [Shown(event.kind, event.initiative_id, event.data, event.link)]
    pref = event_kind(event.kind).pref
    by_locale: dict[str, list] = defaultdict(list)
    for reader in readers:
        by_locale[locale_of(reader.locale)].append(reader)
    messages = []
    for locale, group in by_locale.items():
        composed = compose_mail(shown, locale, site, config, digest=False)
        for reader in group:
            messages.append({
                "key": f"notification:{reader.id}",
                "to_addr": reader.email,
                "to_name": reader.name,
                "person_id": reader.person_id,
                **composed.for_reader(reader.name, unsubscribe_url(site, reader.person_id, [pref])),
            })  # fmt: skip
    _queue_new(session, messages, now, config.mail_from)
    session.execute(_SENT, {"eid": event_id, "now": now})
    return len(messages)


def _queue_new(session: Session, messages: list[dict], now: datetime, mail_from: str) -> None:
    """Queue the mails of a new event in one Core executemany: their keys name notification
    rows made in this transaction, so none can be queued already (no lookup, no ORM)."""
    session.execute(insert(OutboxMessage.__table__), [
        {"idempotency_key": m["key"], "message_id": message_id_for(m["key"], mail_from),
         "to_addr": m["to_addr"], "to_name": m["to_name"], "person_id": m["person_id"],
         "subject": m["subject"], "body_text": m["body_text"], "body_html": m["body_html"],
         "headers": m["headers"], "status": "pending", "attempts": 0,
         "next_attempt_dt": now, "created_dt": now}
        for m in messages
    ])  # fmt: skip
