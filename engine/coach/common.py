"""What support-request and coach operations share: staff checks, staff history, text limits.

Nothing here imports ``engine.operations``, so ``engine.operations`` can export the coach's
operations without an import cycle.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import NotFound, PermissionDenied
from engine.i18n import Msg, msg
from engine.models import Event, Initiative, Person
from engine.permissions import is_staff

log = logging.getLogger(__name__)

MAX_TEXT = 5000


def require_staff(actor: Person, message: Msg | None = None) -> None:
    if not is_staff(actor):
        raise PermissionDenied(
            message or msg("Only the municipality's process coaches can answer support requests.")
        )


def load_initiative(session: Session, initiative_id: int) -> Initiative:
    initiative = session.get(Initiative, initiative_id)
    if initiative is None:
        raise NotFound(msg("This initiative does not exist."))
    return initiative


def record_staff_event(
    session: Session,
    initiative_id: int,
    actor: Person,
    now: datetime,
    kind: str,
    *,
    note: str | None = None,
    **data: Any,
) -> Event:
    """Append a coach's action to an initiative's history without touching the initiative.

    A coach's action is history, not a change to the residents' process: the initiative's
    version stays (a resident's open page stays valid) and so does its last activity (a coach's
    note must not hide that the group itself has stalled).
    """
    event = Event(
        initiative_id=initiative_id,
        actor_id=actor.id,
        created_dt=now,
        kind=kind,
        note=note or None,
        data=data,
    )
    session.add(event)
    log.info("initiative %s: %s by %s %s", initiative_id, kind, actor.id, data)
    return event
