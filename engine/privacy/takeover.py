"""When the last initiator deleted their account, a member of the group takes over.

The group is asked by a notification (``initiator_needed``); the first member who says "I take
over" becomes initiator. Nothing else waits for it: the group keeps working meanwhile.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.errors import Refused
from engine.i18n import msg
from engine.models import Initiative, Membership, Person
from engine.operations.common import lock_initiative, record
from engine.operations.membership import _membership, initiator_count
from engine.permissions import RESIDENT_ROLES


def needs_initiator(session: Session, initiative: Initiative) -> bool:
    """Whether the group has members but no initiator (the last one deleted their account)."""
    from engine.operations.membership import resident_count

    return (
        initiator_count(session, initiative.id) == 0 and resident_count(session, initiative.id) > 0
    )


def take_over(session: Session, actor: Person, initiative_id: int, now: datetime) -> Membership:
    """Make the acting member the group's initiator, if it has none."""
    initiative = lock_initiative(session, initiative_id)  # two members at once: one wins
    membership = _membership(session, initiative.id, actor.id)
    if membership is None or membership.role not in RESIDENT_ROLES:
        raise Refused(msg("You are not a member of this initiative."))
    if initiator_count(session, initiative.id) > 0:
        raise Refused(msg("The group has an initiator again. Nothing was changed."))
    old, membership.role, membership.organisation = membership.role, "initiator", None
    record(session, initiative, actor, now, "role", person=actor.id, old=old, new="initiator")
    session.flush()
    return membership
