"""The unsubscribe token of a notification mailed at once: random, made by the database.

A thousand readers of one event get their mails from one ``INSERT … SELECT``, so their tokens
cannot be signed in Python; each notification row gets 128 random bits from the database
instead (``mail_token``), and its link carries ``n<id>-<token>``. The link turns off the kind
of that one notification for its reader, as the signed links of the overviews do
(engine.reminders.tokens), and keeps working for the life of the mail.
"""

from __future__ import annotations

import hmac
import re

from sqlalchemy import String, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from engine.models.notifications import Notification, NotificationEvent
from engine.notifications.kinds import EVENTS

_FORM = re.compile(r"^n([0-9]{1,18})-([0-9a-f]{32})$")


class random_token(FunctionElement):
    """32 hexadecimal digits from the database's random source (SQLite's ``randomblob``,
    PostgreSQL's ``gen_random_uuid``: 122 random bits), a new one for every row."""

    type = String()
    inherit_cache = True


@compiles(random_token, "sqlite")
def _random_token_sqlite(element, compiler, **kw):
    return "lower(hex(randomblob(16)))"


@compiles(random_token, "postgresql")
def _random_token_postgresql(element, compiler, **kw):
    return "replace(CAST(gen_random_uuid() AS TEXT), '-', '')"


def is_mail_token(token: str) -> bool:
    return _FORM.match(token or "") is not None


def read_mail_token(session: Session, token: str) -> tuple[int, list[str]] | None:
    """The reader and the preference kind a notification's token turns off, or None."""
    found = _FORM.match(token or "")
    if found is None:
        return None
    row = session.execute(
        select(Notification.person_id, Notification.mail_token, NotificationEvent.kind)
        .join(NotificationEvent, NotificationEvent.id == Notification.event_id)
        .where(Notification.id == int(found.group(1)))
    ).first()
    if row is None or not row.mail_token or row.kind not in EVENTS:
        return None
    if not hmac.compare_digest(row.mail_token.encode(), found.group(2).encode()):
        return None
    return row.person_id, [EVENTS[row.kind].pref]
