"""Group decisions: the template's rule says who decides before a move may be made.

* ``initiators`` — every initiator agrees;
* ``majority``  — more than half of the group (initiators, members, partners) agrees;
* ``consent``   — nobody objects within the period the template sets.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput, NotFound, Refused
from engine.i18n import msg
from engine.models import Decision, Initiative, Membership, Person, Vote
from engine.operations.common import (
    check_version,
    get_initiative,
    lock_initiative,
    machine_for,
    record,
    record_detail,
    require_change,
)
from engine.permissions import RESIDENT_ROLES

CHOICES = {
    "initiators": ("for", "against"),
    "majority": ("for", "against"),
    "consent": ("for", "object"),
}


def _get_decision(session: Session, decision_id: int) -> Decision:
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise NotFound(msg("This decision does not exist."))
    return decision


def open_decision(
    session: Session,
    actor: Person,
    initiative_id: int,
    trigger: str,
    now: datetime,
    *,
    question: str = "",
    expected_version: int | None = None,
) -> Decision:
    """Ask the group to decide on a move out of the current stage."""
    initiative = get_initiative(session, initiative_id)
    require_change(session, initiative, actor)
    check_version(initiative, expected_version)
    _, pm = machine_for(session, initiative)
    t = pm.graph.find(trigger, initiative.state)
    if t is None:
        raise InvalidInput(msg("This move is not possible from the current stage."))
    if t.decision is None:
        raise Refused(msg("This move needs no group decision."))
    live = session.scalar(
        select(Decision.id).where(
            Decision.initiative_id == initiative.id,
            Decision.trigger == trigger,
            Decision.status.in_(("open", "approved")),
        )
    )
    if live is not None:
        raise Refused(msg("A decision on this move is already open or taken."))
    decision = Decision(
        initiative_id=initiative.id,
        trigger=trigger,
        stage_key=initiative.state,
        rule=t.decision.rule,
        question=(question or "").strip(),
        opened_by_id=actor.id,
        opened_dt=now,
        closes_dt=now + timedelta(days=t.decision.days) if t.decision.rule == "consent" else None,
    )
    session.add(decision)
    session.flush()
    record(
        session, initiative, actor, now, "decision.opened",
        note=decision.question, decision=decision.id, trigger=trigger, rule=decision.rule,
    )  # fmt: skip
    session.flush()
    return decision


def _tally(session: Session, decision: Decision) -> tuple[dict[int, str], dict[int, str]]:
    """Roles of the group's members, and their votes."""
    roles = dict(
        session.execute(
            select(Membership.person_id, Membership.role).where(
                Membership.initiative_id == decision.initiative_id,
                Membership.role.in_(RESIDENT_ROLES),
            )
        ).all()
    )
    votes = {v.person_id: v.choice for v in decision.votes if v.person_id in roles}
    return roles, votes


def outcome(session: Session, decision: Decision, now: datetime, closing: bool) -> str | None:
    """``approved``, ``rejected``, or ``None`` while the outcome is still open."""
    roles, votes = _tally(session, decision)
    if decision.rule == "initiators":
        initiators = [p for p, r in roles.items() if r == "initiator"]
        if any(votes.get(p) == "against" for p in initiators):
            return "rejected"
        if all(votes.get(p) == "for" for p in initiators):
            return "approved"
        return "rejected" if closing else None
    if decision.rule == "majority":
        yes = sum(1 for c in votes.values() if c == "for")
        no = sum(1 for c in votes.values() if c == "against")
        if yes * 2 > len(roles):
            return "approved"
        if (len(roles) - no) * 2 <= len(roles):
            return "rejected"
        return "rejected" if closing else None
    # consent
    if any(c == "object" for c in votes.values()):
        return "rejected"
    if all(votes.get(p) == "for" for p in roles):
        return "approved"
    if decision.closes_dt is not None and now >= decision.closes_dt:
        return "approved"
    return None


def _settle(
    session: Session, decision: Decision, result: str, actor: Person | None, now: datetime
) -> None:
    decision.status, decision.closed_dt = result, now
    initiative = session.get(Initiative, decision.initiative_id)
    assert initiative is not None
    record(
        session, initiative, actor, now, f"decision.{result}",
        decision=decision.id, trigger=decision.trigger,
    )  # fmt: skip


def cast_vote(
    session: Session,
    actor: Person,
    decision_id: int,
    choice: str,
    now: datetime,
    *,
    comment: str | None = None,
) -> Decision:
    """Vote for or against, or object (consent). A later vote replaces an earlier one.

    A vote needs no version: the group votes at once from pages opened at once, and nobody's
    vote makes another's stale. It takes the initiative's turn, then reads the decision as it
    is now: a decision closed meanwhile refuses it plainly."""
    decision = _get_decision(session, decision_id)
    initiative = lock_initiative(session, decision.initiative_id)
    session.refresh(decision)
    require_change(session, initiative, actor)
    if decision.status != "open":
        raise Refused(msg("This decision is closed."))
    if choice not in CHOICES[decision.rule]:
        raise InvalidInput(msg("Choose one of the options given."))
    vote = next((v for v in decision.votes if v.person_id == actor.id), None)
    if vote is None:
        vote = Vote(decision=decision, person_id=actor.id, choice=choice, cast_dt=now)
        session.add(vote)
    else:
        vote.choice, vote.cast_dt = choice, now
    vote.comment = (comment or "").strip() or None
    record_detail(
        session, initiative, actor, now, "decision.vote",
        note=vote.comment, decision=decision.id, choice=choice,
    )  # fmt: skip
    session.flush()
    result = outcome(session, decision, now, closing=False)
    if result is not None:
        _settle(session, decision, result, None, now)
        session.flush()
    return decision


def close_decision(
    session: Session,
    actor: Person | None,
    decision_id: int,
    now: datetime,
    *,
    expected_version: int | None = None,
) -> Decision:
    """Close a decision and take its outcome (a consent period must have ended)."""
    decision = _get_decision(session, decision_id)
    if actor is not None:
        initiative = get_initiative(session, decision.initiative_id)
        require_change(session, initiative, actor)
        check_version(initiative, expected_version)
    if decision.status != "open":
        raise Refused(msg("This decision is closed."))
    if decision.rule == "consent" and decision.closes_dt and now < decision.closes_dt:
        result = outcome(session, decision, now, closing=False)
        if result is None:
            raise Refused(msg("Members can still object until the end of the consent period."))
    else:
        result = outcome(session, decision, now, closing=True)
    assert result is not None
    _settle(session, decision, result, actor, now)
    session.flush()
    return decision


def close_due_decisions(session: Session, now: datetime) -> list[Decision]:
    """Settle every consent decision whose objection period has ended (for the sweeper)."""
    due = list(
        session.scalars(
            select(Decision).where(
                Decision.status == "open",
                Decision.closes_dt.is_not(None),
                Decision.closes_dt <= now,
            )
        )
    )
    for decision in due:
        close_decision(session, None, decision.id, now)
    return due
