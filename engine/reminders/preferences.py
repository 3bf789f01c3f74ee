"""What each person chooses: per kind at once, a daily or weekly digest, or off; and a language."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.i18n import LOCALES, msg
from engine.models import Person
from engine.models.reminders import ReminderPreference
from engine.permissions import is_staff
from engine.reminders.rules import MODES, kind_of, kinds_for

log = logging.getLogger(__name__)


def modes_of(session: Session, person: Person) -> dict[str, str]:
    """Every kind the person can choose about, with their choice or the default."""
    chosen = dict(
        session.execute(
            select(ReminderPreference.kind, ReminderPreference.mode).where(
                ReminderPreference.person_id == person.id
            )
        ).all()
    )
    return {k.name: chosen.get(k.name, k.default_mode) for k in kinds_for(is_staff(person))}


def modes_for(
    session: Session, person_ids: Collection[int], kinds: Collection[str]
) -> dict[tuple[int, str], str]:
    """(person, kind) → mode for many people at once, defaults filled in."""
    found = {
        (row.person_id, row.kind): row.mode
        for row in session.execute(
            select(
                ReminderPreference.person_id, ReminderPreference.kind, ReminderPreference.mode
            ).where(ReminderPreference.person_id.in_(list(person_ids)))
        )
    }
    return {
        (pid, kind): found.get((pid, kind), kind_of(kind).default_mode)
        for pid in person_ids
        for kind in kinds
    }


def _set(session: Session, person_id: int, kind: str, mode: str, now: datetime) -> bool:
    row = session.scalar(
        select(ReminderPreference).where(
            ReminderPreference.person_id == person_id, ReminderPreference.kind == kind
        )
    )
    if row is None:
        session.add(ReminderPreference(person_id=person_id, kind=kind, mode=mode, updated_dt=now))
        return True
    if row.mode != mode:
        row.mode, row.updated_dt = mode, now
        return True
    return False


def set_preferences(
    session: Session,
    actor: Person,
    *,
    modes: Mapping[str, str],
    now: datetime,
    locale: str | None = None,
) -> dict[str, str]:
    """Save how the actor wants each kind of reminder, and their language."""
    allowed = {k.name for k in kinds_for(is_staff(actor))}
    for kind, mode in modes.items():
        if kind not in allowed or mode not in MODES:
            raise InvalidInput(msg("Choose at once, daily, weekly or off for each reminder."))
    if locale is not None and locale not in LOCALES:
        raise InvalidInput(msg("Choose Dutch or English."), field="locale")
    changed = [kind for kind, mode in modes.items() if _set(session, actor.id, kind, mode, now)]
    if locale is not None and actor.locale != locale:
        actor.locale = locale
    session.flush()
    log.info("person %s: reminder preferences changed for %s", actor.id, changed)
    return modes_of(session, actor)


def unsubscribe(session: Session, person_id: int, kinds: Collection[str], now: datetime) -> Person:
    """Turn the named kinds off for a person (the one-click link in a reminder mail)."""
    person = session.get(Person, person_id)
    if person is None:
        raise InvalidInput(msg("This link is not valid (any more)."))
    for kind in kinds:
        _set(session, person_id, kind, "off", now)
    session.flush()
    log.info("person %s unsubscribed from %s", person_id, sorted(kinds))
    return person
