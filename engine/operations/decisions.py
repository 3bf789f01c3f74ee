"""Group decisions: the template's rule says who decides before a move may be made.

* ``initiators`` — every initiator agrees;
* ``majority``  — a vote with a closing moment and a quorum: more for than against;
* ``consent``   — nobody objects within the period the template sets.

Who decides is fixed when a decision opens (see engine.tally, which also holds the rules). A
paused initiative's decisions stand still: no votes, no closing; on resume their closing
moment moves on by the paused time (:func:`shift_open_decisions`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput, NotFound, Paused, PermissionDenied, Refused
from engine.i18n import Msg, msg
from engine.models import Decision, Elector, Initiative, Membership, Person, Vote
from engine.models.initiatives import LIVE_DECISION_STATUSES
from engine.notifications import events as notifications
from engine.operations.common import (
    check_version,
    get_initiative,
    lock_initiative,
    machine_for,
    record,
    record_detail,
    require_change,
)
from engine.permissions import can_vote, electorate_roles
from engine.tally import Tally, outcome, quorum_missed, tally_counts, tally_of
from engine.workflows.definitions import TIMED_RULES

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


PAUSED = msg(
    "The group has paused: nothing of this decision runs until it resumes. Its closing moment "
    "then moves on by the time the group paused."
)


def _require_running(initiative: Initiative) -> None:
    if initiative.is_paused:
        raise Paused(PAUSED)


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
    """Ask the group to decide on a move out of the current stage; who decides is fixed now."""
    initiative = get_initiative(session, initiative_id)
    require_change(session, initiative, actor)
    check_version(initiative, expected_version)
    _require_running(initiative)
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
            Decision.status.in_(LIVE_DECISION_STATUSES),
        )
    )
    if live is not None:
        raise Refused(msg("A decision on this move is already open or taken."))
    rule = t.decision
    decision = Decision(
        initiative_id=initiative.id,
        trigger=trigger,
        stage_key=initiative.state,
        rule=rule.rule,
        question=(question or "").strip(),
        opened_by_id=actor.id,
        opened_dt=now,
        closes_dt=now + timedelta(days=rule.days) if rule.rule in TIMED_RULES else None,
        quorum=rule.quorum if rule.rule == "majority" else None,
    )
    session.add(decision)
    session.flush()
    electorate = list(
        session.scalars(
            select(Membership.person_id).where(
                Membership.initiative_id == initiative.id,
                Membership.role.in_(electorate_roles(rule.rule)),
            )
        )
    )
    session.add_all(Elector(decision_id=decision.id, person_id=p) for p in electorate)
    record(
        session, initiative, actor, now, "decision.opened",
        note=decision.question, decision=decision.id, trigger=trigger, rule=decision.rule,
        electorate=len(electorate),
    )  # fmt: skip
    notifications.decision_opened(session, decision, actor, now)
    session.flush()
    return decision


def vote_refusal(
    decision: Decision,
    *,
    is_elector: bool,
    role: str | None,
    joined_dt: datetime | None,
    is_paused: bool,
) -> Msg | None:
    """Why this member cannot vote on an open decision now (``None``: they can)."""
    if is_paused:
        return PAUSED
    if can_vote(role, is_elector):
        return None
    if joined_dt is not None and joined_dt > decision.opened_dt:
        return msg(
            "You joined the group after this decision was opened, so you do not vote on it: "
            "the people who were in the group then decide."
        )
    if decision.rule == "initiators":
        return msg("Only the initiators decide on this.")
    return msg("You are not one of the people who decide on this.")


def _require_elector(session: Session, decision: Decision, actor: Person, role: str) -> None:
    is_elector = session.get(Elector, (decision.id, actor.id)) is not None
    joined_dt = session.scalar(
        select(Membership.joined_dt).where(
            Membership.initiative_id == decision.initiative_id, Membership.person_id == actor.id
        )
    )
    refusal = vote_refusal(
        decision, is_elector=is_elector, role=role, joined_dt=joined_dt, is_paused=False
    )
    if refusal is not None:
        raise PermissionDenied(refusal)


def _settle(
    session: Session,
    decision: Decision,
    tally: Tally,
    result: str,
    actor: Person | None,
    now: datetime,
) -> None:
    """Take the outcome; electors who no longer counted are marked, so the numbers stay."""
    decision.status, decision.closed_dt = result, now
    counted = {b.person_id for b in tally.ballots}
    for elector in session.scalars(select(Elector).where(Elector.decision_id == decision.id)):
        if elector.person_id not in counted:
            elector.dropped_dt = now
    initiative = session.get(Initiative, decision.initiative_id)
    assert initiative is not None
    data: dict[str, Any] = {"rule": decision.rule, **tally_counts(tally)}
    if result == "rejected" and quorum_missed(tally):
        data["quorum_missed"] = True
    record(
        session, initiative, actor, now, f"decision.{result}",
        decision=decision.id, trigger=decision.trigger, **data,
    )  # fmt: skip
    notifications.decision_closed(session, decision, actor, now)


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

    Only the electorate fixed when the decision opened votes, and not while the group pauses.
    A vote needs no version: the group votes at once from pages opened at once, and nobody's
    vote makes another's stale. It takes the initiative's turn, then reads the decision as it
    is now: a decision closed meanwhile refuses it plainly.
    """
    decision = _get_decision(session, decision_id)
    initiative = lock_initiative(session, decision.initiative_id)
    session.refresh(decision)
    role = require_change(session, initiative, actor)
    if decision.status != "open":
        raise Refused(msg("This decision is closed."))
    _require_running(initiative)
    _require_elector(session, decision, actor, role)
    if choice not in CHOICES[decision.rule]:
        raise InvalidInput(msg("Choose one of the options given."), field="choice")
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
    tally = tally_of(session, decision)
    result = outcome(tally, period_over=_period_over(decision, now), closing=False)
    if result is not None:
        _settle(session, decision, tally, result, None, now)
        session.flush()
    return decision


def _period_over(decision: Decision, now: datetime) -> bool:
    return decision.closes_dt is not None and now >= decision.closes_dt


def close_decision(
    session: Session,
    actor: Person | None,
    decision_id: int,
    now: datetime,
    *,
    expected_version: int | None = None,
) -> Decision:
    """Close a decision and take its outcome.

    A consent period or a majority vote stays open until its closing moment (a majority vote
    closes earlier only when everyone who decides has voted). Only those who decide close one
    by hand; the sweep (``actor=None``) closes what is due. Nothing closes while paused.
    """
    decision = _get_decision(session, decision_id)
    initiative = get_initiative(session, decision.initiative_id)
    if actor is not None:
        role = require_change(session, initiative, actor)
        check_version(initiative, expected_version)
    if decision.status != "open":
        raise Refused(msg("This decision is closed."))
    _require_running(initiative)
    if actor is not None:
        _require_elector(session, decision, actor, role)
    tally = tally_of(session, decision)
    period_over = _period_over(decision, now)
    if decision.closes_dt is not None and not period_over:
        result = outcome(tally, period_over=False, closing=False)
        if result is None and decision.rule == "consent":
            raise Refused(msg("Members can still object until the end of the consent period."))
        if result is None:
            raise Refused(
                msg("The vote stays open until its closing moment, or until everyone has voted.")
            )
    else:
        result = outcome(tally, period_over=period_over, closing=True)
    assert result is not None
    _settle(session, decision, tally, result, actor, now)
    session.flush()
    return decision


def close_due_decisions(session: Session, now: datetime) -> list[Decision]:
    """Settle every decision whose closing moment has come (for the sweeper); a paused
    initiative's decisions wait."""
    due = list(
        session.scalars(
            select(Decision)
            .join(Initiative, Initiative.id == Decision.initiative_id)
            .where(
                Decision.status == "open",
                Decision.closes_dt.is_not(None),
                Decision.closes_dt <= now,
                Initiative.is_paused.is_(False),
            )
            .order_by(Decision.id)
        )
    )
    for decision in due:
        close_decision(session, None, decision.id, now)
    return due


def shift_open_decisions(session: Session, initiative_id: int, delta: timedelta) -> int:
    """Move the closing moment of the initiative's open decisions on by ``delta`` (a pause)."""
    count = 0
    for decision in session.scalars(
        select(Decision).where(
            Decision.initiative_id == initiative_id,
            Decision.status == "open",
            Decision.closes_dt.is_not(None),
        )
    ):
        assert decision.closes_dt is not None
        decision.closes_dt = decision.closes_dt + delta
        count += 1
    return count
