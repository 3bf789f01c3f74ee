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
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    null,
    select,
)
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.i18n import LOCALES
from engine.mail.outbox import NOTIFICATION
from engine.models import Initiative, Membership, OutboxBody, OutboxMessage, Person
from engine.models.notifications import Notification, NotificationEvent
from engine.models.reminders import ReminderPreference
from engine.notifications.kinds import default_mode, event_kind
from engine.notifications.mail import Shown, compose_mail, site_of
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
    # Core on the session's connection: the ORM's bulk path costs more than the rows it writes
    conn = session.connection()
    # the event row, and whether its group is paused: asked once, in the same statement,
    # not for every reader (a correlated test per row cost more than the rows)
    event_id, paused = conn.execute(
        _EVENT,
        {"kind": kind, "initiative_id": initiative_id, "actor_id": actor_id, "iid": initiative_id,
         "subject_id": subject_id, "data": data or {}, "link": link, "created_dt": now},
    ).one()  # fmt: skip
    slot = {m: next_slot(now, m, config.digest_hour, config.digest_weekday, config.timezone)
            for m in ("daily", "weekly")}  # fmt: skip
    told = _TOLD.where(_P.c.id.in_(recipients))
    if actor_id is not None:
        told = told.where(_P.c.id != actor_id)
    if paused and initiative_id is not None and not event.is_pause:
        told = told.where(_P.c.id.not_in(_members(initiative_id)))
    conn.execute(
        insert(_N).from_select(_TOLD_INTO, told),
        {"event_id": event_id, "now": now, "pref": event.pref, "daily": slot["daily"],
         "weekly": slot["weekly"], "default_mode": default_mode(event.pref)},
    )  # fmt: skip
    mails = mail_now(session, event_id, now, kind=kind, initiative_id=initiative_id, data=data,
                     link=link, surely=default_mode(event.pref) == "immediate")  # fmt: skip
    log.info("notification %s (%s) on initiative %s: %s mails at once", event_id, kind,
             initiative_id, mails)  # fmt: skip
    return event_id


_E = NotificationEvent.__table__
_EVENT = insert(_E).returning(
    _E.c.id, select(_I.c.is_paused).where(_I.c.id == bindparam("iid")).scalar_subquery()
)
_NOW = bindparam("now", type_=_DT)
_MODE = func.coalesce(_RP.c.mode, bindparam("default_mode", type_=String))
#: a row for each active reader, with their choice for the kind (built once, as _QUEUE)
_TOLD = (
    select(
        bindparam("event_id", type_=Integer),
        _P.c.id,
        _NOW,
        _MODE,
        case(
            (_MODE == "off", literal("skipped")),
            # queued in the outbox by mail_now, in this same transaction
            (_MODE == "immediate", literal("sent")),
            else_=literal("pending"),
        ),
        case(
            (_MODE == "immediate", _NOW),
            (_MODE == "daily", bindparam("daily", type_=_DT)),
            (_MODE == "weekly", bindparam("weekly", type_=_DT)),
            else_=null(),
        ),
        case((_MODE == "immediate", _NOW), else_=null()),
        case((_MODE == "immediate", random_token()), else_=null()),
    )
    .select_from(
        _P.outerjoin(_RP, and_(_RP.c.person_id == _P.c.id, _RP.c.kind == bindparam("pref")))
    )
    .where(_P.c.is_active.is_(True))
)
_TOLD_INTO = ["event_id", "person_id", "created_dt", "mail_mode", "mail_status", "mail_due_dt",
              "mailed_dt", "mail_token"]  # fmt: skip


def _members(initiative_id: int) -> Select:
    return select(_M.c.person_id).where(_M.c.initiative_id == initiative_id)


def _per_locale(name: str, type_=None):
    """The reader's language's value of the parameters ``<name>_<locale>`` (Dutch for a
    language we do not have)."""
    # a mapping, not a list of tuples: case() formats a list into an error message it drops
    whens = {loc: bindparam(f"{name}_{loc}", type_=type_) for loc in LOCALES if loc != "nl"}
    default = bindparam(f"{name}_nl", type_=type_)
    return case(whens, value=_P.c.locale, else_=default) if whens else default


_BODY = insert(OutboxBody.__table__).returning(
    OutboxBody.__table__.c.id, sort_by_parameter_order=True
)
_AT_ONCE = (_N.c.event_id == bindparam("event_id"), _N.c.mail_mode == "immediate")
_ANY_AT_ONCE = select(exists().where(*_AT_ONCE))
#: the outbox rows of one event's readers who want it at once (built once: a statement made
#: anew for every event costs more than the rows). Only what differs per reader: the address,
#: the name, the language's text; the subject and Message-ID are the text's, the Message-ID's
#: number and the unsubscribe token the notification's (both read when the mail is sent)
_QUEUE = insert(_O).from_select(
    ["to_addr", "to_name", "person_id", "body_text", "headers", "status", "attempts",
     "next_attempt_dt", "created_dt", "is_secret", "body_id", "notification_id"],
    select(
        _P.c.email,
        _P.c.name,
        _P.c.id,
        literal(""),
        literal({}, JSON),
        literal("pending"),
        literal(0),
        bindparam("now", type_=_DT),
        bindparam("now", type_=_DT),
        literal(False),
        _per_locale("body", Integer),
        _N.c.id,
    )
    .select_from(_N.join(_P, _P.c.id == _N.c.person_id))
    .where(*_AT_ONCE),
)  # fmt: skip


def mail_now(
    session: Session,
    event_id: int,
    now: datetime,
    *,
    kind: str,
    initiative_id: int | None,
    data: dict[str, Any] | None,
    link: str,
    surely: bool = False,
) -> int:
    """Queue the mail of every reader of one event who wants it at once; return how many.

    The mail is composed once per language and stored once per language (an OutboxBody, with
    its subject and Message-ID); one ``INSERT … SELECT`` makes the readers' outbox rows, each
    pointing at its language's text and at its notification, whose id and token are filled in
    when it is sent (the name is the row's ``to_name``): no row passes through Python, and no
    text is stored a thousand times.
    """
    conn = session.connection()
    # a kind mailed at once by default (``surely``) is not asked about: if nobody wants it at
    # once after all, two unused texts wait for the retention sweep
    if not surely and not conn.execute(_ANY_AT_ONCE, {"event_id": event_id}).scalar():
        return 0  # a digest kind, and nobody wants it at once: nothing to compose
    config = config_of(session)
    site = site_of(config)
    shown = [Shown(kind, initiative_id, data or {}, link)]
    composed = {loc: compose_mail(shown, loc, site, config, digest=False) for loc in LOCALES}
    domain = config.mail_from.rsplit("@", 1)[-1].strip(" >") or "verbinding.local"
    # one Message-ID per notification, unique beyond this database: the notification's id and
    # a tag of the event, the sender and the moment
    tag = hashlib.sha256(f"{config.mail_from}|{event_id}|{now.isoformat()}".encode())
    message_id = f"<notification-{NOTIFICATION}.{tag.hexdigest()[:16]}@{domain}>"
    bodies = conn.execute(
        _BODY,
        [{"body_text": c.text, "body_html": c.html, "headers": c.headers, "created_dt": now,
          "subject": c.subject, "message_id": message_id}
         for c in composed.values()],
    ).scalars()  # fmt: skip
    params: dict[str, Any] = {"event_id": event_id, "now": now}
    for loc, body_id in zip(composed, bodies, strict=True):
        params[f"body_{loc}"] = body_id
    result = conn.execute(_QUEUE, params)
    return int(getattr(result, "rowcount", 0) or 0)
