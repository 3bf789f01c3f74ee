"""Fan-out: one event, one ``INSERT … SELECT`` of a row per person told, mail for who wants it now.

The rules live here and nowhere else: nobody is told about their own action; a paused group
hears only about the pause; people who no longer have an active account hear nothing. Each
row takes the reader's preference for its kind when it is made (at once, daily, weekly, off):
"at once" is composed once per language and queued in the outbox by a second ``INSERT …
SELECT`` in the same transaction (sent after commit by the outbox, as every mail), a digest
reader's row waits for the next overview (engine.notifications.digests), "off" is shown on the
page only.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    null,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.i18n import LOCALES
from engine.models import Initiative, Membership, OutboxMessage, Person
from engine.models.notifications import Notification, NotificationEvent
from engine.models.reminders import ReminderPreference
from engine.notifications.kinds import default_mode, event_kind
from engine.notifications.mail import NAME, TOKEN, Shown, compose_mail, site_of
from engine.notifications.tokens import random_token
from engine.reminders.rules import next_slot

log = logging.getLogger(__name__)

_N = Notification.__table__
_O = OutboxMessage.__table__
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
            case(
                (mode == "off", literal("skipped")),
                # queued in the outbox below, in this same transaction
                (mode == "immediate", literal("sent")),
                else_=literal("pending"),
            ),
            case(
                (mode == "immediate", literal(now, _DT)),
                (mode == "daily", literal(slot["daily"], _DT)),
                (mode == "weekly", literal(slot["weekly"], _DT)),
                else_=null(),
            ),
            case((mode == "immediate", literal(now, _DT)), else_=null()),
            case((mode == "immediate", random_token()), else_=null()),
        )
        .select_from(_P.outerjoin(_RP, and_(_RP.c.person_id == _P.c.id, _RP.c.kind == event.pref)))
        .where(_P.c.id.in_(recipients), _P.c.is_active.is_(True))
    )
    if actor_id is not None:
        told = told.where(_P.c.id != actor_id)
    if initiative_id is not None and not event.is_pause:
        told = told.where(~_paused_member(initiative_id))
    columns = ["event_id", "person_id", "created_dt", "mail_mode", "mail_status", "mail_due_dt",
               "mailed_dt", "mail_token"]  # fmt: skip
    session.execute(insert(_N).from_select(columns, told))
    mails = mail_now(session, event_id, now, kind=kind, initiative_id=initiative_id, data=data,
                     link=link)  # fmt: skip
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


def _escaped(name):
    """``name`` escaped for HTML in SQL, as :func:`html.escape` does in Python."""
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"),
                         ("'", "&#x27;")):  # fmt: skip
        name = func.replace(name, char, entity)
    return name


def _per_locale(column, composed: dict[str, Any], part: str):
    """The reader's language's version of one part of the mail."""
    # a mapping, not a list of tuples: case() formats a list into an error message it then
    # drops (the repr of every mail text: milliseconds)
    whens = {loc: literal(getattr(c, part)) for loc, c in composed.items() if loc != "nl"}
    default = literal(getattr(composed["nl"], part))
    return case(whens, value=column, else_=default) if whens else default


def mail_now(
    session: Session,
    event_id: int,
    now: datetime,
    *,
    kind: str,
    initiative_id: int | None,
    data: dict[str, Any] | None,
    link: str,
) -> int:
    """Queue the mail of every reader of one event who wants it at once; return how many.

    The mail is composed once per language; one ``INSERT … SELECT`` makes the outbox rows,
    putting each reader's name and unsubscribe token into their language's text with SQL
    ``replace()``: no row passes through Python.
    """
    at_once = _N.c.event_id == event_id, _N.c.mail_mode == "immediate"
    if not session.execute(select(exists().where(*at_once))).scalar():
        return 0  # a digest kind, or nobody wants it at once: nothing to compose
    config = config_of(session)
    site = site_of(config)
    shown = [Shown(kind, initiative_id, data or {}, link)]
    composed = {loc: compose_mail(shown, loc, site, config, digest=False) for loc in LOCALES}
    token = literal("n") + cast(_N.c.id, String) + literal("-") + _N.c.mail_token
    locale = _P.c.locale

    def filled(part: str, name):
        return func.replace(func.replace(_per_locale(locale, composed, part), TOKEN, token),
                            NAME, name)  # fmt: skip

    # the headers are the same in every language (json, ready for the reader's token)
    headers = func.replace(
        literal(json.dumps(composed["nl"].headers, ensure_ascii=False)), TOKEN, token
    )
    postgres = session.get_bind().dialect.name == "postgresql"
    domain = config.mail_from.rsplit("@", 1)[-1].strip(" >") or "verbinding.local"
    # one Message-ID per notification, unique beyond this database: the row's id and a tag of
    # the event, the sender and the moment
    tag = hashlib.sha256(f"{config.mail_from}|{event_id}|{now.isoformat()}".encode())
    rows = (
        select(
            literal("notification:") + cast(_N.c.id, String),
            literal("<notification-") + cast(_N.c.id, String)
            + literal(f".{tag.hexdigest()[:16]}@{domain}>"),
            _P.c.email,
            _P.c.name,
            _P.c.id,
            _per_locale(locale, composed, "subject"),
            filled("text", _P.c.name),
            filled("html", _escaped(_P.c.name)),
            cast(headers, JSON) if postgres else type_coerce(headers, JSON),
            literal("pending"),
            literal(0),
            literal(now, _DT),
            literal(now, _DT),
            literal(False),
        )
        .select_from(_N.join(_P, _P.c.id == _N.c.person_id))
        .where(*at_once)
    )  # fmt: skip
    columns = ["idempotency_key", "message_id", "to_addr", "to_name", "person_id", "subject",
               "body_text", "body_html", "headers", "status", "attempts", "next_attempt_dt",
               "created_dt", "is_secret"]  # fmt: skip
    result = session.execute(insert(_O).from_select(columns, rows))
    return int(getattr(result, "rowcount", 0) or 0)
