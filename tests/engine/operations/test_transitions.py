"""Moving an initiative through its stages: reasons, refusals, decisions and the full walk."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.errors import Blocked, Conflict, InvalidInput, PermissionDenied, Refused
from engine.models import Decision
from engine.operations import (
    add_step,
    cast_vote,
    close_decision,
    fire_transition,
    join_initiative,
    list_moves,
    open_decision,
    pause_initiative,
    update_initiative,
)
from engine.operations.decisions import close_due_decisions
from tests import factories
from tests.factories import stored_state

MIN = timedelta(minutes=1)
DAY = timedelta(days=1)


def _people(item):
    return [m.person for m in item.memberships]


def _move(session, actor, item, trigger):
    return next(m for m in list_moves(session, actor, item) if m.trigger == trigger)


def _register_association(session, item, now):
    # complete: a name, a contact, a board and members (the guard asks for each)
    factories.complete_association(session, item, now, name="Vereniging Voermanhaven")


def _to_execution(session, item, now):
    """start, then a consent decision everyone agrees to, then plan."""
    people = _people(item)
    fire_transition(session, people[0], item.id, "start", now)
    decision = open_decision(session, people[0], item.id, "plan", now + MIN)
    for p in people:
        cast_vote(session, p, decision.id, "for", now + 2 * MIN)
    fire_transition(session, people[0], item.id, "plan", now + 3 * MIN)
    return decision


# --- reasons --------------------------------------------------------------------------------


def test_moves_say_why_they_are_blocked(session, now):
    item = factories.initiative(session, now)
    anna = _people(item)[0]
    for title in ("Idee opschrijven", "Buren spreken", "Tekening maken"):
        add_step(session, anna, item.id, stage_key="proposal", title=title, now=now)

    (move,) = list_moves(session, anna, item)
    assert (move.trigger, move.dest, move.allowed) == ("start", "visioning", False)
    members, steps = move.reasons
    assert members.n == 1
    assert members.render() == "One more member needed: invite a neighbour to join."
    assert steps.n == 3
    assert steps.plural and "%(num)d steps" in steps.plural
    assert "3 steps of this stage are still open" in steps.render()
    # the Dutch reading (English while the catalogue is still empty) keeps the number
    assert "3" in str(steps)


def test_enough_members_and_done_steps_unblock_start(session, now):
    item = factories.initiative(session, now)
    anna = _people(item)[0]
    bram = factories.person(session, now, "Bram")
    join_initiative(session, bram, item.id, now)
    (move,) = list_moves(session, anna, item)
    assert move.allowed and move.reasons == []


def test_blocked_fire_gives_the_same_reasons_and_writes_nothing(session, now):
    item = factories.initiative(session, now)
    anna = _people(item)[0]
    add_step(session, anna, item.id, stage_key="proposal", title="Idee", now=now)
    (move,) = list_moves(session, anna, item)
    before = stored_state(session, item.id)
    with pytest.raises(Blocked) as caught:
        fire_transition(session, anna, item.id, "start", now + MIN, note="Nu!")
    assert caught.value.reasons == move.reasons
    assert stored_state(session, item.id) == before
    assert item.state == "proposal"


def test_wrong_role_is_refused_before_anything_else(session, now):
    item = factories.initiative(session, now, members=2)
    bram = _people(item)[1]
    _to_execution(session, item, now)
    move = _move(session, bram, item, "hand_over")
    assert move.reasons[0].render() == "Only initiators can do this."
    before = stored_state(session, item.id)
    with pytest.raises(PermissionDenied) as caught:
        fire_transition(session, bram, item.id, "hand_over", now + DAY)
    assert caught.value.message.render() == "Only initiators can do this."
    assert stored_state(session, item.id) == before


@pytest.mark.parametrize("trigger", ["fly_away", "plan", "hand_over", "finish_own_1"])
def test_unknown_move_is_invalid(session, now, trigger):
    item = factories.initiative(session, now, members=1)
    before = stored_state(session, item.id)
    with pytest.raises(InvalidInput):
        fire_transition(session, _people(item)[0], item.id, trigger, now + MIN)
    assert stored_state(session, item.id) == before


def test_paused_initiative_does_not_move(session, now):
    item = factories.initiative(session, now, members=1)
    anna = _people(item)[0]
    pause_initiative(session, anna, item.id, reason="Iedereen op vakantie", now=now + MIN)
    (move,) = list_moves(session, anna, item)
    assert [r.msgid for r in move.reasons] == ["This initiative is paused. Resume it first."]
    before = stored_state(session, item.id)
    with pytest.raises(Blocked) as caught:
        fire_transition(session, anna, item.id, "start", now + 2 * MIN)
    assert any("paused" in r.render() for r in caught.value.reasons)
    assert stored_state(session, item.id) == before


def test_stale_page_is_a_conflict(session, now):
    item = factories.initiative(session, now, members=1)
    anna = _people(item)[0]
    seen = item.version  # the page Anna looks at
    bram = _people(item)[1]
    update_initiative(
        session, bram, item.id, title="Groen op de kade", description=item.description, now=now
    )
    assert stored_state(session, item.id)["initiative"][0] > seen
    before = stored_state(session, item.id)
    with pytest.raises(Conflict):
        fire_transition(session, anna, item.id, "start", now + 2 * MIN, expected_version=seen)
    assert stored_state(session, item.id) == before


def test_a_step_added_meanwhile_leaves_the_page_fresh_but_counts_for_the_guards(session, now):
    item = factories.initiative(session, now, members=1)
    anna, bram = _people(item)
    seen = item.version  # the page Anna looks at: nothing open, "start" is possible
    assert _move(session, anna, item, "start").allowed
    add_step(session, bram, item.id, stage_key="proposal", title="Bram plant iets", now=now + MIN)
    assert stored_state(session, item.id)["initiative"][0] == seen
    with pytest.raises(Blocked) as caught:  # not a conflict: the step is what stops the move
        fire_transition(session, anna, item.id, "start", now + 2 * MIN, expected_version=seen)
    assert [r.render() for r in caught.value.reasons] == [
        "One step of this stage is still open: complete it or remove it."
    ]
    assert item.state == "proposal"


def test_fire_records_one_transition_event(session, now):
    item = factories.initiative(session, now, members=1)
    anna = _people(item)[0]
    version = item.version
    events = factories.event_count(session, item.id)
    fire_transition(
        session, anna, item.id, "start", now + MIN, note="We zijn er klaar voor",
        expected_version=version,
    )  # fmt: skip
    assert item.state == "visioning"
    assert item.stage_entered_dt == now + MIN
    assert factories.event_count(session, item.id) == events + 1
    (stored,) = factories.events_of(session, item.id, "transition")
    assert stored.created_dt == now + MIN
    assert (stored.from_stage, stored.to_stage) == ("proposal", "visioning")
    assert (stored.note, stored.actor_id) == ("We zijn er klaar voor", anna.id)
    assert stored.data["trigger"] == "start"
    assert stored_state(session, item.id)["initiative"][0] > version


# --- decisions and the full walk ------------------------------------------------------------


def test_full_walk_to_self_management(session, now):
    item = factories.initiative(session, now, members=2)
    anna, bram, cor = _people(item)
    fire_transition(session, anna, item.id, "start", now)

    # visioning -> execution needs the group's consent
    move = _move(session, anna, item, "plan")
    assert move.decision_rule == "consent" and move.decision is None
    assert move.reasons[0].msgid.startswith("The group decides on this first")
    with pytest.raises(Blocked):
        fire_transition(session, anna, item.id, "plan", now + MIN)

    first = open_decision(session, anna, item.id, "plan", now + MIN, question="Gaan we?")
    assert first.closes_dt == now + MIN + 7 * DAY
    with pytest.raises(Refused):
        open_decision(session, bram, item.id, "plan", now + MIN)
    with pytest.raises(InvalidInput):
        cast_vote(session, bram, first.id, "against", now + 2 * MIN)
    assert "still open" in _move(session, anna, item, "plan").reasons[0].render()

    # one objection is enough to stop it
    cast_vote(session, cor, first.id, "object", now + 2 * MIN, comment="Eerst de buren vragen")
    assert first.status == "rejected"
    assert factories.event_count(session, item.id, "decision.rejected") == 1
    with pytest.raises(Refused):
        cast_vote(session, anna, first.id, "for", now + 3 * MIN)
    with pytest.raises(Blocked):
        fire_transition(session, anna, item.id, "plan", now + 3 * MIN)

    # a new decision after the rejection; silence until the period ends means consent
    second = open_decision(session, bram, item.id, "plan", now + DAY)
    cast_vote(session, anna, second.id, "for", now + DAY)
    with pytest.raises(Refused):
        close_decision(session, anna, second.id, now + 7 * DAY)
    assert close_due_decisions(session, second.closes_dt - MIN) == []
    assert close_due_decisions(session, second.closes_dt) == [second]
    assert second.status == "approved"
    fire_transition(session, anna, item.id, "plan", second.closes_dt + MIN)
    assert item.state == "execution"
    assert session.get(Decision, second.id).status == "used"

    # execution -> maintenance: initiators only, an association, a majority
    reasons = _move(session, anna, item, "hand_over").reasons
    assert [r.msgid.split(" ")[0] for r in reasons] == ["Register", "The"]
    _register_association(session, item, now + 10 * DAY)
    vote = open_decision(session, bram, item.id, "hand_over", now + 10 * DAY)
    assert vote.rule == "majority" and vote.closes_dt == now + 17 * DAY
    cast_vote(session, anna, vote.id, "for", now + 10 * DAY)
    cast_vote(session, bram, vote.id, "against", now + 10 * DAY)
    assert vote.status == "open"
    cast_vote(session, cor, vote.id, "for", now + 11 * DAY)  # everyone voted: it closes
    assert vote.status == "approved"
    fire_transition(session, anna, item.id, "hand_over", now + 12 * DAY, note="Aan de buurt")
    assert item.state == "maintenance"
    assert list_moves(session, anna, item) == []
    walked = [
        (e.from_stage, e.to_stage) for e in factories.events_of(session, item.id, "transition")
    ]
    assert walked == [
        ("proposal", "visioning"),
        ("visioning", "execution"),
        ("execution", "maintenance"),
    ]


def test_consent_closed_by_a_member_after_the_period(session, now):
    item = factories.initiative(session, now, members=1)
    anna = _people(item)[0]
    fire_transition(session, anna, item.id, "start", now)
    decision = open_decision(session, anna, item.id, "plan", now)
    close_decision(session, anna, decision.id, decision.closes_dt)
    assert decision.status == "approved"
    (closed,) = factories.events_of(session, item.id, "decision.approved")
    assert closed.actor_id == anna.id


def test_everyone_agreeing_approves_consent_early(session, now):
    item = factories.initiative(session, now, members=1)
    anna, bram = _people(item)
    fire_transition(session, anna, item.id, "start", now)
    decision = open_decision(session, anna, item.id, "plan", now)
    cast_vote(session, anna, decision.id, "for", now + MIN)
    assert decision.status == "open"
    cast_vote(session, bram, decision.id, "for", now + 2 * MIN)
    assert decision.status == "approved"
    assert _move(session, anna, item, "plan").allowed


def test_majority_against_rejects(session, now):
    item = factories.initiative(session, now, members=2)
    anna, bram, cor = _people(item)
    _to_execution(session, item, now)
    vote = open_decision(session, anna, item.id, "hand_over", now + DAY)
    cast_vote(session, bram, vote.id, "against", now + DAY)
    cast_vote(session, cor, vote.id, "against", now + DAY)
    assert vote.status == "open"  # anna has not voted yet: she may still be heard
    cast_vote(session, anna, vote.id, "for", now + 2 * DAY)
    assert vote.status == "rejected"


def test_closing_a_majority_vote_without_a_majority_rejects_it(session, now):
    item = factories.initiative(session, now, members=2)
    anna, bram, cor = _people(item)
    _to_execution(session, item, now)
    vote = open_decision(session, anna, item.id, "hand_over", now + DAY)
    cast_vote(session, anna, vote.id, "for", now + DAY)
    with pytest.raises(Refused) as refused:
        close_decision(session, bram, vote.id, now + 2 * DAY)
    assert "stays open until its closing moment" in refused.value.message.msgid
    close_decision(session, bram, vote.id, vote.closes_dt)
    assert vote.status == "rejected"  # one vote of three: too few to count
    (closed,) = factories.events_of(session, item.id, "decision.rejected")
    assert closed.actor_id == bram.id
    assert closed.data["quorum_missed"] is True and closed.data["yes"] == 1
    with pytest.raises(Refused):
        close_decision(session, cor, vote.id, vote.closes_dt + DAY)


def test_a_used_decision_is_not_used_again(session, now):
    item = factories.initiative(session, now, members=1)
    anna = _people(item)[0]
    used = _to_execution(session, item, now)
    fire_transition(session, anna, item.id, "rethink", now + DAY, note="Toch anders")
    assert item.state == "visioning"
    move = _move(session, anna, item, "plan")
    assert move.decision is None
    assert move.reasons[0].msgid.startswith("The group decides on this first")
    before = stored_state(session, item.id)
    with pytest.raises(Blocked):
        fire_transition(session, anna, item.id, "plan", now + 2 * DAY)
    assert stored_state(session, item.id) == before
    assert session.get(Decision, used.id).status == "used"


def test_an_approval_does_not_survive_going_back(session, now):
    item = factories.initiative(session, now, members=1)
    anna, bram = _people(item)
    _to_execution(session, item, now)
    _register_association(session, item, now)
    old = open_decision(session, anna, item.id, "hand_over", now + DAY)
    cast_vote(session, anna, old.id, "for", now + DAY)
    cast_vote(session, bram, old.id, "for", now + DAY)
    assert old.status == "approved"
    fire_transition(session, anna, item.id, "rethink", now + 2 * DAY)
    again = open_decision(session, anna, item.id, "plan", now + 3 * DAY)
    for p in (anna, bram):
        cast_vote(session, p, again.id, "for", now + 3 * DAY)
    fire_transition(session, anna, item.id, "plan", now + 4 * DAY)
    assert item.state == "execution"
    assert _move(session, anna, item, "hand_over").decision is None
    with pytest.raises(Blocked):
        fire_transition(session, anna, item.id, "hand_over", now + 5 * DAY)
