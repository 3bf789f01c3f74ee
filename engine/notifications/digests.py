"""The notifications' part of the sweep: overviews for daily and weekly readers, and the
decision-closing notice for who has not voted.

A digest reader's notifications wait (``mail_status = 'pending'``) until their slot
(``mail_due_dt``); the sweep claims what is due, one overview per reader, in the reader's
language, and marks the rows sent in the same transaction as the outbox rows.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, exists, literal_column, select, update
from sqlalchemy.orm import Session

from engine.config import Config, config_of
from engine.db import UTCDateTime, bounded
from engine.i18n import msg, nmsg, translate
from engine.mail.outbox import queue_many
from engine.models import Decision, Initiative, Person
from engine.models.notifications import Notification, NotificationEvent
from engine.notifications.events import CLOSING_NOTICE, decision_closing
from engine.notifications.kinds import event_kind
from engine.notifications.mail import (
    UNSUBSCRIBE_PATH,
    Shown,
    compose_mail,
    items_of,
    locale_of,
    signed_token,
    site_of,
)
from engine.reminders.digests import Site
from engine.reminders.tokens import unsubscribe_token
from engine.sweepstep import NOW, SweepStep

log = logging.getLogger(__name__)

BATCH = 500
_N = Notification.__table__
_E = NotificationEvent.__table__
_PENDING = _N.c.mail_status == literal_column("'pending'")

#: the question the partial index answers: is any digest notification due?
DIGESTS_DUE = exists().where(_PENDING, _N.c.mail_due_dt <= NOW)


def send_digests(session: Session, now: datetime, limit: int = BATCH) -> str:
    """Claim due digest notifications and queue one overview per reader."""
    due = bounded(
        select(_N.c.id)
        .where(_PENDING, _N.c.mail_due_dt <= now)
        .order_by(_N.c.mail_due_dt, _N.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = session.execute(
        update(_N)
        .where(_N.c.id.in_(select(due.c.id)), _PENDING)
        .values(mail_status="sent", mailed_dt=now)
        .returning(_N.c.id, _N.c.person_id, _N.c.event_id)
    ).all()
    if not claimed:
        return "0 overviews"
    config = config_of(session)
    site = site_of(config)
    events = _events(session, claimed)
    people = {
        p.id: p
        for p in session.scalars(
            select(Person).where(Person.id.in_(sorted({c.person_id for c in claimed})))
        )
    }
    per_reader: dict[int, list] = defaultdict(list)
    for row in sorted(claimed, key=lambda r: r.id):
        per_reader[row.person_id].append(row)
    messages = [
        _overview(people[pid], rows, events, site, config) for pid, rows in per_reader.items()
    ]
    queue_many(session, messages, now=now, mail_from=config.mail_from)
    log.info("notifications: %s overviews for %s notifications", len(messages), len(claimed))
    return f"{len(messages)} overviews"


def _events(session: Session, claimed) -> dict:
    return {
        row.id: row
        for row in session.execute(
            select(_E.c.id, _E.c.kind, _E.c.initiative_id, _E.c.data, _E.c.link).where(
                _E.c.id.in_(sorted({c.event_id for c in claimed}))
            )
        )
    }


def claim_for_digests(
    session: Session, now: datetime, person_ids: Iterable[int]
) -> dict[int, list[Shown]]:
    """Claim the due overview notifications of readers who get a reminder digest now, so that
    both go in one mail (engine.reminders.dispatcher): what each of them is shown, oldest
    first. The rows are marked sent in the caller's transaction, as by :func:`send_digests`;
    a row another sweep claimed meanwhile is not pending any more and is left out."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    claimed = session.execute(
        update(_N)
        .where(_PENDING, _N.c.mail_due_dt <= now, _N.c.person_id.in_(ids))
        .values(mail_status="sent", mailed_dt=now)
        .returning(_N.c.id, _N.c.person_id, _N.c.event_id)
    ).all()
    if not claimed:
        return {}
    events = _events(session, claimed)
    shown: dict[int, list[Shown]] = defaultdict(list)
    for row in sorted(claimed, key=lambda r: r.id):
        e = events[row.event_id]
        shown[row.person_id].append(Shown(e.kind, e.initiative_id, e.data, e.link))
    log.info("notifications: %s go in %s reminder digests", len(claimed), len(shown))
    return dict(shown)


def with_notifications(
    person: Person, reminder_kinds: Iterable[str], reminders: int, context: dict,
    shown: list[Shown], site: Site, config: Config,
) -> tuple[str, dict]:  # fmt: skip
    """A reminder digest's subject and context with the reader's notifications added: one
    mail per slot. Its unsubscribe link turns off every kind in it."""
    locale = locale_of(person.locale)
    prefs = {event_kind(s.kind).pref for s in shown}
    token = unsubscribe_token(site.secret, person.id, sorted(set(reminder_kinds) | prefs))
    title = translate(
        msg("Your overview: %(reminders)s and %(notifications)s",
            reminders=nmsg("%(num)d reminder", "%(num)d reminders", reminders),
            notifications=nmsg("%(num)d notification", "%(num)d notifications", len(shown))),
        locale,
    )  # fmt: skip
    return title, {
        **context,
        "notifications": items_of(shown, locale, site, config.timezone),
        "notifications_url": site.url("/notifications"),
        "unsubscribe_url": site.url(UNSUBSCRIBE_PATH + token),
    }


def _overview(person: Person, rows, events, site, config: Config) -> dict:
    shown = [
        Shown(e.kind, e.initiative_id, e.data, e.link) for e in (events[r.event_id] for r in rows)
    ]
    composed = compose_mail(shown, locale_of(person.locale), site, config, digest=True)
    prefs = {event_kind(s.kind).pref for s in shown}
    return {
        "key": f"notification-digest:{person.id}:{min(r.id for r in rows)}",
        "to_addr": person.email,
        "to_name": person.name,
        "person_id": person.id,
        **composed.for_reader(person.name, signed_token(site, person.id, prefs)),
    }


# -- a decision about to close ---------------------------------------------------------------


def _closing_soon(until: object):
    """Open decisions of running groups closing within the notice (before ``until``: a moment
    or a bind parameter), not yet announced; closed ones are past ``NOW`` or ``now``."""
    return (
        select(Decision.id)
        .join(Initiative, Initiative.id == Decision.initiative_id)
        .where(
            Decision.status == "open",
            Decision.closes_dt.is_not(None),
            Decision.closes_dt <= until,
            Initiative.is_paused.is_(False),
            ~exists().where(
                NotificationEvent.kind == "decision_closing",
                NotificationEvent.subject_id == Decision.id,
            ),
        )
    )


#: the end of the notice, bound at each sweep: the probe is built once (one cached statement;
#: a probe built per sweep missed the statement cache and cost 20-40x its bare query)
CLOSING_UNTIL = bindparam("closing_until", type_=UTCDateTime())
CLOSING_PROBE = _closing_soon(CLOSING_UNTIL).where(Decision.closes_dt > NOW).exists()


def closing_binds(now: datetime) -> dict[str, datetime]:
    return {"closing_until": now + CLOSING_NOTICE}


def announce_closing(session: Session, now: datetime) -> str:
    soon = _closing_soon(now + CLOSING_NOTICE).where(Decision.closes_dt > now)
    ids = list(session.scalars(soon.order_by(Decision.id)))
    for decision_id in ids:
        decision = session.get(Decision, decision_id)
        assert decision is not None
        decision_closing(session, decision, now)
    return f"{len(ids)} decisions closing soon"


#: the notifications' steps of the sweep (engine.sweeper lists them)
STEPS = (
    SweepStep("notifications.closing", announce_closing, probe=CLOSING_PROBE, binds=closing_binds),
    SweepStep("notifications.digests", send_digests, probe=DIGESTS_DUE),
)
