"""Questions to swap a turn: which are still open, which no longer fit, and their expiry.

A question fits while both turns are still to come (planned, today or later) and still belong
to the two people it is between. Once a turn went by, was recorded, was cancelled or changed
hands some other way, the question *expires*: :func:`expire_swaps` closes it with an event
(by nobody), from every operation that changes turns (through ``replan``) and from the
sweeper. Until then the pages simply do not offer it (:func:`fits`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from engine.config import config_of
from engine.models import Initiative, Occurrence, SwapProposal
from engine.operations.common import record_detail
from engine.timeutil import local_date

_Mine = aliased(Occurrence)
_Theirs = aliased(Occurrence)


def _still_held(turn, turn_id, person_id, today: date):
    """A SQL boolean: the turn is still to come and still this person's."""
    return exists().where(
        turn.id == turn_id,
        turn.status == "planned",
        turn.due_date >= today,
        turn.assignee_id == person_id,
    )


def no_longer_fits(today: date):
    """A SQL boolean over :class:`SwapProposal`: a turn of it went by or changed hands."""
    P = SwapProposal
    mine = _still_held(_Mine, P.occurrence_id, P.proposer_id, today)
    theirs = _still_held(_Theirs, P.other_occurrence_id, P.recipient_id, today)
    return or_(not_(mine), and_(P.other_occurrence_id.is_not(None), not_(theirs)))


def stale_swaps(today: date):
    """A SQL boolean: is any pending question waiting to expire? (The sweeper's probe.)"""
    return exists().where(SwapProposal.status == "pending", no_longer_fits(today))


def _held(turn: Occurrence | None, person_id: int, today: date) -> bool:
    return (
        turn is not None
        and turn.status == "planned"
        and turn.due_date >= today
        and turn.assignee_id == person_id
    )


def fits(proposal: SwapProposal, today: date) -> bool:
    """Whether a pending question can still be answered (the Python twin of the SQL above)."""
    if proposal.status != "pending":
        return False
    if not _held(proposal.occurrence, proposal.proposer_id, today):
        return False
    if proposal.other_occurrence_id is None:
        return True
    return _held(proposal.other_occurrence, proposal.recipient_id, today)


def expire_swaps(
    session: Session, now: datetime, initiative_ids: Collection[int] | None = None
) -> int:
    """Close the pending questions that no longer fit (of these initiatives, or all); each
    gets an event. Returns how many expired."""
    today = local_date(now, config_of(session).timezone)
    query = select(SwapProposal).where(SwapProposal.status == "pending", no_longer_fits(today))
    if initiative_ids is not None:
        if not initiative_ids:
            return 0
        query = query.where(SwapProposal.initiative_id.in_(sorted(initiative_ids)))
    gone = list(session.scalars(query.order_by(SwapProposal.id)))
    for proposal in gone:
        proposal.status, proposal.closed_dt = "expired", now
        initiative = session.get(Initiative, proposal.initiative_id)
        assert initiative is not None  # a foreign key
        record_detail(
            session, initiative, None, now, "maintenance.swap_expired", **event_data(proposal)
        )
    if gone:
        session.flush()
    return len(gone)


def event_data(proposal: SwapProposal) -> dict:
    """What every event about a question records: who asked whom, about which turns."""
    return {
        "swap": proposal.id,
        "task": proposal.task_id,
        "task_title": proposal.task.title,
        "turn": proposal.occurrence_id,
        "date": proposal.occurrence.due_date.isoformat(),
        "other_turn": proposal.other_occurrence_id,
        "other_date": (
            proposal.other_occurrence.due_date.isoformat() if proposal.other_occurrence else None
        ),
        "proposer": proposal.proposer_id,
        "recipient": proposal.recipient_id,
    }


def open_swaps(session: Session, initiative_id: int, today: date) -> list[SwapProposal]:
    """The questions of an initiative that can still be answered, oldest first."""
    rows = session.scalars(
        select(SwapProposal)
        .options(
            joinedload(SwapProposal.task),
            joinedload(SwapProposal.occurrence),
            joinedload(SwapProposal.other_occurrence),
            joinedload(SwapProposal.proposer),
            joinedload(SwapProposal.recipient),
        )
        .where(SwapProposal.initiative_id == initiative_id, SwapProposal.status == "pending")
        .order_by(SwapProposal.created_dt, SwapProposal.id)
    )
    return [p for p in rows if fits(p, today)]


def count_asked_of(session: Session, initiative_id: int, person_id: int, today: date) -> int:
    """How many questions wait for this person's answer (for the initiative page's panel):
    one count in SQL, with :func:`no_longer_fits` (it read every open question with its turns
    and people on each page view)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(SwapProposal)
            .where(
                SwapProposal.initiative_id == initiative_id,
                SwapProposal.recipient_id == person_id,
                SwapProposal.status == "pending",
                not_(no_longer_fits(today)),
            )
        )
        or 0
    )
