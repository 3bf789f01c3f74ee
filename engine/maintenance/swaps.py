"""A volunteer asks another to swap turns, or to take a turn over; the other agrees or not.

Nothing changes hands until the one asked accepts: then both turns change at once, and only
if they are still what the question was about (a compare-and-set on each row, so two answers
at the same moment cannot both win). The asker can withdraw the question; it expires once a
turn of it went by, was recorded or changed hands some other way (engine.maintenance.proposals).
The association's board and the initiators do not need to ask: they manage the rota
(engine.maintenance.rota.swap_turns and reassign_turn).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Refused
from engine.i18n import msg
from engine.maintenance.occurrences import get_occurrence
from engine.maintenance.proposals import event_data, expire_swaps, fits
from engine.maintenance.reminders import replan
from engine.maintenance.roles import OWN_TURN_SWAP, standing
from engine.models import (
    Association,
    AssociationMember,
    Initiative,
    Occurrence,
    Person,
    SwapProposal,
)
from engine.notifications import events as notifications
from engine.operations.common import get_initiative, record_detail
from engine.timeutil import local_date

MAX_NOTE = 500
TO_COME = msg("Only turns that are still to come can be swapped.")
EXPIRED = msg(
    "This question has expired: a turn of it has gone by, was recorded or went to someone else."
)
CLOSED = msg("This question has already been answered or withdrawn.")
#: the refusals the pages show too (with the name of the one asked filled in)
ANSWER_ONLY = msg("Only %(name)s can answer this question.")
WITHDRAW_ONLY = msg("Only the one who asked can withdraw this question.")


def _clean_note(note: str | None) -> str | None:
    note = " ".join((note or "").split())
    if len(note) > MAX_NOTE:
        raise InvalidInput(
            msg("A note has at most %(max)d characters.", max=MAX_NOTE), field="note"
        )
    return note or None


def _in_association(session: Session, initiative_id: int, person_id: int) -> bool:
    found = session.scalar(
        select(AssociationMember.id)
        .join(Association, Association.id == AssociationMember.association_id)
        .where(
            Association.initiative_id == initiative_id,
            AssociationMember.person_id == person_id,
        )
    )
    return found is not None


def _to_come(turn: Occurrence, today: date) -> bool:
    return turn.status == "planned" and turn.due_date >= today


def _asked_whom(
    session: Session,
    initiative: Initiative,
    actor: Person,
    turn: Occurrence,
    today: date,
    other_id: int | None,
    person_id: int | None,
) -> tuple[Person, Occurrence | None]:
    """Who is asked, and their turn the asker takes in return (None: a take-over)."""
    if (other_id is None) == (person_id is None):
        raise InvalidInput(
            msg("Choose a turn to swap with, or someone to take your turn over."),
            field="other_id",
        )
    other = None
    if other_id is not None:
        other = session.get(Occurrence, other_id)
        if (
            other is None
            or other.task_id != turn.task_id
            or other.id == turn.id
            or other.assignee_id in (None, actor.id)
        ):
            raise InvalidInput(
                msg("Choose a turn of someone else for the same task to swap with."),
                field="other_id",
            )
        if not _to_come(other, today):
            raise Refused(TO_COME)
        person_id = other.assignee_id
    elif person_id == actor.id or not _in_association(session, initiative.id, cast(int, person_id)):
        raise InvalidInput(
            msg("Choose another member of the residents' association to take your turn over."),
            field="other_id",
        )
    asked = session.get(Person, cast(int, person_id))
    if asked is None or not standing(session, initiative.id, asked).asks_swap(own=True):
        raise InvalidInput(msg("Choose someone who is still in the group."), field="other_id")
    return asked, other


def propose_swap(
    session: Session,
    actor: Person,
    initiative_id: int,
    occurrence_id: int,
    *,
    now: datetime,
    other_id: int | None = None,
    person_id: int | None = None,
    note: str | None = None,
) -> SwapProposal:
    """Ask the volunteer of turn ``other_id`` to swap it for your turn, or ask ``person_id``
    to take your turn over. Nothing changes hands until they accept."""
    initiative = get_initiative(session, initiative_id)
    turn = get_occurrence(session, initiative.id, occurrence_id)
    if not standing(session, initiative.id, actor).asks_swap(own=turn.assignee_id == actor.id):
        raise PermissionDenied(OWN_TURN_SWAP)
    today = local_date(now, config_of(session).timezone)
    if not _to_come(turn, today):
        raise Refused(TO_COME)
    asked, other = _asked_whom(session, initiative, actor, turn, today, other_id, person_id)
    note = _clean_note(note)
    waiting = session.scalar(
        select(SwapProposal).where(
            SwapProposal.occurrence_id == turn.id, SwapProposal.status == "pending"
        )
    )
    if waiting is not None and fits(waiting, today):
        raise Refused(
            msg(
                "You already asked %(name)s about this turn. Wait for the answer, or withdraw "
                "that question first.",
                name=waiting.recipient.name,
            )
        )
    if waiting is not None:  # an old question that no longer fits makes way
        expire_swaps(session, now, {initiative.id})
    proposal = SwapProposal(
        initiative_id=initiative.id, task_id=turn.task_id, occurrence_id=turn.id,
        other_occurrence_id=other.id if other else None, proposer_id=actor.id,
        recipient_id=asked.id, status="pending", note=note, created_dt=now,
    )  # fmt: skip
    session.add(proposal)
    session.flush()
    record_detail(
        session, initiative, actor, now, "maintenance.swap_proposed", note=note,
        person=asked.id, **event_data(proposal),
    )  # fmt: skip
    session.flush()
    return proposal


def get_swap(session: Session, initiative_id: int, swap_id: int) -> SwapProposal:
    proposal = session.get(SwapProposal, swap_id)
    if proposal is None or proposal.initiative_id != initiative_id:
        raise NotFound(msg("This question does not exist."))
    return proposal


def _answerable(
    session: Session, actor: Person, initiative_id: int, swap_id: int, now: datetime
) -> tuple[Initiative, SwapProposal]:
    """The question, if the actor is the one asked and it can still be answered."""
    initiative = get_initiative(session, initiative_id)
    proposal = get_swap(session, initiative.id, swap_id)
    if not standing(session, initiative.id, actor).asks_swap(own=proposal.recipient_id == actor.id):
        raise PermissionDenied(ANSWER_ONLY.with_params(name=proposal.recipient.name))
    if proposal.status != "pending":
        raise Refused(CLOSED)
    if not fits(proposal, local_date(now, config_of(session).timezone)):
        raise Refused(EXPIRED)
    return initiative, proposal


def _close(session: Session, proposal: SwapProposal, status: str, now: datetime) -> None:
    """Set the outcome, only if nobody closed the question meanwhile."""
    result = session.execute(
        update(SwapProposal)
        .where(SwapProposal.id == proposal.id, SwapProposal.status == "pending")
        .values(status=status, closed_dt=now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult, result).rowcount != 1:
        raise Conflict(CLOSED)
    session.refresh(proposal)


def _hand_over(session: Session, turn: Occurrence, holder: int, to: int) -> None:
    """Give the turn to ``to``, only if it is still ``holder``'s and still to come."""
    result = session.execute(
        update(Occurrence)
        .where(
            Occurrence.id == turn.id,
            Occurrence.assignee_id == holder,
            Occurrence.status == "planned",
        )
        .values(assignee_id=to)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult, result).rowcount != 1:
        raise Conflict(EXPIRED)
    session.refresh(turn)


def accept_swap(
    session: Session, actor: Person, initiative_id: int, swap_id: int, *, now: datetime
) -> SwapProposal:
    """The one asked agrees: the turns change hands now."""
    initiative, proposal = _answerable(session, actor, initiative_id, swap_id, now)
    _close(session, proposal, "accepted", now)
    _hand_over(session, proposal.occurrence, proposal.proposer_id, proposal.recipient_id)
    if proposal.other_occurrence is not None:
        _hand_over(session, proposal.other_occurrence, proposal.recipient_id, proposal.proposer_id)
    record_detail(
        session, initiative, actor, now, "maintenance.swap_accepted",
        person=proposal.proposer_id, **event_data(proposal),
    )  # fmt: skip
    notifications.swap_accepted(session, proposal, actor, now)
    session.flush()
    replan(session, {initiative.id}, now)  # other questions about these turns expire
    return proposal


def decline_swap(
    session: Session, actor: Person, initiative_id: int, swap_id: int, *, now: datetime
) -> SwapProposal:
    """The one asked says no: nothing changes hands."""
    initiative, proposal = _answerable(session, actor, initiative_id, swap_id, now)
    _close(session, proposal, "declined", now)
    record_detail(
        session, initiative, actor, now, "maintenance.swap_declined",
        person=proposal.proposer_id, **event_data(proposal),
    )  # fmt: skip
    session.flush()
    return proposal


def withdraw_swap(
    session: Session, actor: Person, initiative_id: int, swap_id: int, *, now: datetime
) -> SwapProposal:
    """The asker takes the question back (also one that no longer fits)."""
    initiative = get_initiative(session, initiative_id)
    proposal = get_swap(session, initiative.id, swap_id)
    if not standing(session, initiative.id, actor).asks_swap(own=proposal.proposer_id == actor.id):
        raise PermissionDenied(WITHDRAW_ONLY)
    if proposal.status != "pending":
        raise Refused(CLOSED)
    _close(session, proposal, "withdrawn", now)
    record_detail(
        session, initiative, actor, now, "maintenance.swap_withdrawn",
        person=proposal.recipient_id, **event_data(proposal),
    )  # fmt: skip
    session.flush()
    return proposal
