"""Group decisions: who decides is fixed when one opens, a majority vote waits for its closing
moment or for everyone, and nothing of a decision runs while the group pauses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.errors import Paused, PermissionDenied, Refused
from engine.models import Elector, Vote
from engine.operations import (
    cast_vote,
    close_decision,
    fire_transition,
    leave_initiative,
    open_decision,
    pause_initiative,
    resume_initiative,
)
from engine.operations.decisions import close_due_decisions
from engine.sweeper import STEPS
from engine.tally import tally_of
from engine.workflows.loader import load_workflow_text
from engine.workflows.versions import latest_version, register_workflow
from tests import factories
from tests.conftest import TEST_WORKFLOWS
from tests.factories import stored_state

MIN = timedelta(minutes=1)
DAY = timedelta(days=1)
VISION = (
    "Wij schrijven samen met de buurt een wijkvisie voor Paddepoel: groen, veilig en gezellig, "
    "met plekken om elkaar te ontmoeten."
)


def _people(item):
    return [m.person for m in item.memberships]


def _in_visioning(session, now, members=2, workflow="proefproces", **kw):
    item = factories.initiative(session, now, members=members, workflow=workflow, **kw)
    people = _people(item)
    trigger = "start_visioning" if workflow == "wijkvisie" else "start"
    fire_transition(session, people[0], item.id, trigger, now)
    return item, people


def _in_execution(session, now, workflow="proefproces"):
    """Five people in execution, where ``hand_over`` needs a majority vote."""
    item, people = _in_visioning(session, now, members=4, workflow=workflow)
    consent = open_decision(session, people[0], item.id, "plan", now)
    for p in people:
        cast_vote(session, p, consent.id, "for", now)
    fire_transition(session, people[0], item.id, "plan", now)
    return item, people


def _due(session, at) -> bool:
    """What the sweeper's probe says: is a decision due at ``at``?"""
    return session.scalar(select(STEPS["decisions"].probe), {"now": at})


# --- the electorate is fixed when a decision opens ------------------------------------------


def test_who_decides_is_the_group_when_the_decision_opened(session, now):
    item, (anna, bram, cor) = _in_visioning(session, now)
    decision = open_decision(session, anna, item.id, "plan", now + MIN)
    electors = session.scalars(select(Elector.person_id).where(Elector.decision_id == decision.id))
    assert set(electors) == {anna.id, bram.id, cor.id}
    (opened,) = factories.events_of(session, item.id, "decision.opened")
    assert opened.data["electorate"] == 3


def test_a_late_joiner_cannot_vote_and_is_not_counted(session, now):
    item, (anna, bram, cor) = _in_visioning(session, now)
    decision = open_decision(session, anna, item.id, "plan", now + MIN)
    dewi = factories.newcomer(session, item, now + DAY, "Dewi Smit")
    before = stored_state(session, item.id)
    with pytest.raises(PermissionDenied) as refused:
        cast_vote(session, dewi, decision.id, "object", now + DAY)
    assert refused.value.message.msgid.startswith("You joined the group after this decision")
    assert stored_state(session, item.id) == before  # no vote, no event, still open
    # the ones who were there decide; the newcomer's missing vote blocks nothing
    assert tally_of(session, decision).electorate == 3
    for p in (anna, bram, cor):
        cast_vote(session, p, decision.id, "for", now + 2 * DAY)
    assert decision.status == "approved"
    (approved,) = factories.events_of(session, item.id, "decision.approved")
    assert approved.data["electorate"] == 3 and approved.data["yes"] == 3


def test_a_late_joiner_cannot_close_a_decision_either(session, now):
    item, (anna, *_) = _in_visioning(session, now)
    decision = open_decision(session, anna, item.id, "plan", now)
    dewi = factories.newcomer(session, item, now + DAY)
    with pytest.raises(PermissionDenied):
        close_decision(session, dewi, decision.id, decision.closes_dt)
    assert decision.status == "open"


def test_only_initiators_vote_on_an_initiators_decision(session, now):
    item = factories.initiative(session, now, members=1, workflow="vergroening")
    anna, bram = _people(item)
    decision = open_decision(session, anna, item.id, "start_design", now)
    assert decision.rule == "initiators"
    with pytest.raises(PermissionDenied) as refused:
        cast_vote(session, bram, decision.id, "against", now)
    assert refused.value.message.msgid == "Only the initiators decide on this."
    cast_vote(session, anna, decision.id, "for", now)
    assert decision.status == "approved"


def test_who_leaves_keeps_their_vote_and_blocks_nothing(session, now):
    item, (anna, bram, cor) = _in_visioning(session, now)
    decision = open_decision(session, anna, item.id, "plan", now)
    cast_vote(session, bram, decision.id, "for", now + MIN)
    leave_initiative(session, bram, item.id, now + DAY)  # voted: the vote stands
    leave_initiative(session, cor, item.id, now + DAY)  # did not vote: no longer waited for
    tally = tally_of(session, decision)
    assert [(b.person_id, b.choice) for b in tally.ballots] == [(bram.id, "for"), (anna.id, None)]
    cast_vote(session, anna, decision.id, "for", now + 2 * DAY)
    assert decision.status == "approved"  # everyone who counts agreed
    dropped = session.scalar(
        select(Elector.dropped_dt).where(
            Elector.decision_id == decision.id, Elector.person_id == cor.id
        )
    )
    assert dropped == now + 2 * DAY
    assert tally_of(session, decision).electorate == 2  # and so it stays, closed


# --- majority votes: a closing moment and a quorum ------------------------------------------


def test_a_majority_vote_does_not_close_at_half_plus_one(session, now):
    item, people = _in_execution(session, now)
    anna, bram, cor, dewi, eva = people
    vote = open_decision(session, anna, item.id, "hand_over", now + DAY)
    assert vote.closes_dt == now + 8 * DAY  # the default: a week
    for p in (anna, bram, cor):
        cast_vote(session, p, vote.id, "for", now + DAY)
    assert vote.status == "open"  # 3 of 5 for, but dewi and eva have not been heard
    cast_vote(session, dewi, vote.id, "against", now + 2 * DAY)
    assert vote.status == "open"
    cast_vote(session, eva, vote.id, "against", now + 3 * DAY)
    assert vote.status == "approved"  # everyone voted: it closes early, 3 for and 2 against


def test_a_majority_vote_can_still_change_until_it_closes(session, now):
    item, (anna, bram, cor, dewi, eva) = _in_execution(session, now)
    vote = open_decision(session, anna, item.id, "hand_over", now)
    for p in (anna, bram, cor):
        cast_vote(session, p, vote.id, "for", now)
    cast_vote(session, cor, vote.id, "against", now + DAY, comment="Toch niet")
    for p in (dewi, eva):
        cast_vote(session, p, vote.id, "against", now + DAY)
    assert vote.status == "rejected"  # 2 for, 3 against


def test_a_majority_vote_closes_at_its_moment_by_the_sweep(session, now):
    item, (anna, bram, cor, dewi, _) = _in_execution(session, now)
    vote = open_decision(session, anna, item.id, "hand_over", now)
    for p, choice in ((anna, "for"), (bram, "for"), (cor, "against")):
        cast_vote(session, p, vote.id, choice, now + MIN)
    with pytest.raises(Refused) as refused:
        close_decision(session, dewi, vote.id, vote.closes_dt - MIN)
    assert "stays open until its closing moment" in refused.value.message.msgid
    assert not _due(session, vote.closes_dt - MIN)
    assert close_due_decisions(session, vote.closes_dt - MIN) == []
    assert _due(session, vote.closes_dt)
    assert close_due_decisions(session, vote.closes_dt) == [vote]
    assert vote.status == "approved"  # 3 of 5 voted (the quorum), 2 for and 1 against
    closed = factories.events_of(session, item.id, "decision.approved")[-1]
    assert closed.actor_id is None
    assert (closed.data["yes"], closed.data["no"], closed.data["electorate"]) == (2, 1, 5)


def test_a_majority_vote_without_its_quorum_is_rejected(session, now):
    item, (anna, bram, *_) = _in_execution(session, now)
    vote = open_decision(session, anna, item.id, "hand_over", now)
    cast_vote(session, anna, vote.id, "for", now)
    cast_vote(session, bram, vote.id, "for", now)
    close_due_decisions(session, vote.closes_dt)
    assert vote.status == "rejected"  # 2 of 5 voted: more than half must
    (closed,) = factories.events_of(session, item.id, "decision.rejected")
    assert closed.data["quorum_missed"] is True


def test_the_template_sets_the_days_and_the_quorum_of_a_majority_vote(session, now):
    source = (TEST_WORKFLOWS / "proefproces.yaml").read_text()
    text = source.replace("name: proefproces", "name: stemproces").replace(
        "decision: {rule: majority}", "decision: {rule: majority, days: 3, quorum: 80}"
    )
    defn, problems = load_workflow_text(text, "stemproces.yaml")
    assert problems == []
    register_workflow(session, defn, now)
    assert latest_version(session, "stemproces")
    item, (anna, bram, cor, dewi, _) = _in_execution(session, now, "stemproces")
    vote = open_decision(session, anna, item.id, "hand_over", now)
    assert (vote.closes_dt, vote.quorum) == (now + 3 * DAY, 80)
    for p in (anna, bram, cor):
        cast_vote(session, p, vote.id, "for", now)
    close_due_decisions(session, vote.closes_dt)
    assert vote.status == "rejected"  # 3 of 5 is 60%: the template asks 80%


# --- a pause stops the decision's clock -----------------------------------------------------


def test_a_14_day_consent_waits_while_the_group_pauses(session, now):
    item, (anna, bram, cor) = _in_visioning(session, now, workflow="wijkvisie", description=VISION)
    decision = open_decision(session, anna, item.id, "adopt_vision", now)
    assert decision.closes_dt == now + 14 * DAY
    pause_initiative(session, bram, item.id, reason="Zomerstop", now=now + DAY)
    # the period would have ended during the pause: the sweep leaves it alone
    assert not _due(session, now + 15 * DAY)
    assert close_due_decisions(session, now + 15 * DAY) == []
    assert decision.status == "open"
    resume_initiative(session, cor, item.id, now=now + 20 * DAY)  # paused for 19 days
    assert decision.closes_dt == now + 14 * DAY + 19 * DAY
    (resumed,) = factories.events_of(session, item.id, "resumed")
    assert resumed.data["decisions"] == 1
    assert close_due_decisions(session, decision.closes_dt - MIN) == []
    assert close_due_decisions(session, decision.closes_dt) == [decision]
    assert decision.status == "approved"


def test_a_pause_moves_the_closing_moment_to_the_second(session, now):
    item, (anna, bram, _) = _in_visioning(session, now)
    decision = open_decision(session, anna, item.id, "plan", now)
    pause_initiative(session, anna, item.id, reason="Even rust", now=now + 2 * DAY)
    resume_initiative(session, bram, item.id, now=now + 2 * DAY + timedelta(hours=5, seconds=7))
    assert decision.closes_dt == now + 7 * DAY + timedelta(hours=5, seconds=7)


def test_nothing_of_a_decision_runs_while_paused(session, now):
    item, (anna, bram, cor) = _in_visioning(session, now)
    decision = open_decision(session, anna, item.id, "plan", now)
    cast_vote(session, bram, decision.id, "for", now)
    pause_initiative(session, anna, item.id, reason="Even rust", now=now + DAY)
    before = stored_state(session, item.id)
    with pytest.raises(Paused) as refused:
        cast_vote(session, cor, decision.id, "object", now + 2 * DAY)
    assert "nothing of this decision runs" in refused.value.message.msgid
    with pytest.raises(Paused):
        close_decision(session, anna, decision.id, now + 30 * DAY)
    with pytest.raises(Paused):
        close_decision(session, None, decision.id, now + 30 * DAY)
    assert stored_state(session, item.id) == before
    assert session.scalar(select(Vote.choice).where(Vote.person_id == cor.id)) is None


def test_no_decision_opens_while_paused(session, now):
    item, (anna, *_) = _in_visioning(session, now)
    pause_initiative(session, anna, item.id, reason="Even rust", now=now)
    with pytest.raises(Paused):
        open_decision(session, anna, item.id, "plan", now + MIN)
    assert factories.event_count(session, item.id, "decision.opened") == 0
