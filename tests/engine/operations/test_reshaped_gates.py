"""Reshaping never weakens a gate: a wijkvisie with an own stage and a skipped consultation.

The consent decision "Wijkvisie vaststellen" guards the way into municipal support. However
the group reshapes its path, it cannot get there without that decision (and its conditions).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.errors import Blocked, Refused
from engine.models import Decision, Initiative
from engine.operations import (
    add_step,
    cast_vote,
    close_decision,
    fire_transition,
    insert_stage,
    list_moves,
    open_decision,
    restore_stage,
    skip_stage,
)
from tests import factories

MIN = timedelta(minutes=1)
DAY = timedelta(days=1)


@pytest.fixture
def wijkvisie(session, now):
    """A wijkvisie in visioning: three residents, a draft vision attached to the stage."""
    item = factories.initiative(session, now, workflow="wijkvisie", members=2)
    people = [m.person for m in item.memberships]
    item.state = "visioning"  # arranged: the group started the vision
    session.flush()
    factories.document(session, item, people[0], now, stage_key="visioning")
    return item, people


def _moves(session, actor, item):
    return {m.trigger: m for m in list_moves(session, actor, item)}


def _reject_the_vision(session, item, people, now):
    """Open "Wijkvisie vaststellen" and let one resident object: the group said no."""
    decision = open_decision(session, people[0], item.id, "adopt_vision", now)
    cast_vote(session, people[1], decision.id, "object", now + MIN)
    assert decision.status == "rejected"
    return decision


def _every_free_way_into(session, actor, item, stage, now):
    """Fire every allowed move, depth first, and return the stages reached from here."""
    reached = set()

    def walk(at, when):
        for move in list_moves(session, actor, item):
            if not move.allowed or move.dest in reached:
                continue
            with session.begin_nested() as nested:
                fire_transition(session, actor, item.id, move.trigger, when)
                reached.add(move.dest)
                if move.dest != stage:
                    walk(move.dest, when + MIN)
                nested.rollback()
            session.expire(item)

    walk(item.state, now)
    return reached


def test_an_own_stage_and_a_skipped_consultation_do_not_bypass_the_decision(
    session, now, wijkvisie
):
    item, people = wijkvisie
    anna = people[0]
    _reject_the_vision(session, item, people, now)
    insert_stage(
        session, anna, item.id, after="visioning", title="Scholen bevragen",
        description="", now=now + 2 * MIN,
    )  # fmt: skip
    skip_stage(session, anna, item.id, "consultation", now + 3 * MIN)

    assert "municipal_support" not in _every_free_way_into(
        session, anna, item, "municipal_support", now + 4 * MIN
    )
    # going into the own stage is free; leaving it is the template's gate
    moves = _moves(session, anna, item)
    assert [(m.dest, m.decision_rule) for m in moves.values()] == [("own_1", None)]

    fire_transition(session, anna, item.id, "enter_own_1", now + 5 * MIN)
    assert item.state == "own_1"
    (gate,) = list_moves(session, anna, item)
    assert (gate.trigger, gate.dest, gate.decision_rule) == (
        "adopt_vision", "municipal_support", "consent",
    )  # fmt: skip
    assert gate.title.nl == "Wijkvisie vaststellen"
    with pytest.raises(Blocked) as blocked:
        fire_transition(session, anna, item.id, "adopt_vision", now + 6 * MIN)
    assert "The group decides on this first: open a group decision." in [
        r.msgid for r in blocked.value.reasons
    ]
    assert item.state == "own_1"


def test_skipping_the_consultation_alone_keeps_the_decision(session, now, wijkvisie):
    item, people = wijkvisie
    anna = people[0]
    _reject_the_vision(session, item, people, now)
    skip_stage(session, anna, item.id, "consultation", now + 2 * MIN)

    assert "municipal_support" not in _every_free_way_into(
        session, anna, item, "municipal_support", now + 3 * MIN
    )
    moves = _moves(session, anna, item)
    # "Conceptvisie voorleggen" no longer leads anywhere on its own: its way on is the vision's
    assert {(t, m.dest, m.decision_rule) for t, m in moves.items()} == {
        ("adopt_vision", "municipal_support", "consent"),
    }
    assert item.state == "visioning"


def test_the_move_out_of_an_own_stage_carries_guards_roles_and_decision(session, now, wijkvisie):
    item, people = wijkvisie
    anna, bram, cor = people
    insert_stage(
        session, anna, item.id, after="visioning", title="Scholen bevragen",
        description="", now=now + MIN,
    )  # fmt: skip
    fire_transition(session, bram, item.id, "enter_own_1", now + 2 * MIN)
    add_step(session, anna, item.id, stage_key="own_1", title="Bel de school", now=now + 3 * MIN)
    moves = _moves(session, anna, item)
    # both ways on out of visioning now leave the own stage, each with its own gate
    assert {t: m.dest for t, m in moves.items()} == {
        "consult_neighbourhood": "consultation", "adopt_vision": "municipal_support",
    }  # fmt: skip
    consult, adopt = moves["consult_neighbourhood"], moves["adopt_vision"]
    assert (consult.roles, consult.decision_rule) == (("initiator", "member"), None)
    assert [r.msgid for r in consult.reasons] == [
        # the template's condition, measured in the own stage, and the own stage's steps done
        "Attach a document to this stage (for example the draft plan).",
        "One step of this stage is still open: complete it or remove it.",
    ]
    assert [r.msgid for r in adopt.reasons] == [
        "One step of this stage is still open: complete it or remove it.",
        "The group decides on this first: open a group decision.",
    ]


def test_a_decision_opened_before_reshaping_is_stopped_with_a_reason(session, now, wijkvisie):
    item, people = wijkvisie
    anna, bram, cor = people
    decision = open_decision(session, anna, item.id, "adopt_vision", now)
    cast_vote(session, bram, decision.id, "for", now + MIN)
    insert_stage(
        session, anna, item.id, after="visioning", title="Scholen bevragen",
        description="", now=now + 2 * MIN,
    )  # fmt: skip
    # the vision is now adopted on the way out of the own stage: this decision no longer fits
    assert decision.status == "cancelled"
    (stopped,) = factories.events_of(session, item.id, "decision.cancelled")
    assert stopped.data == {"decision": decision.id, "trigger": "adopt_vision", "reason": "plan"}
    with pytest.raises(Refused):
        close_decision(session, anna, decision.id, now + 15 * DAY)


def test_a_decision_whose_move_keeps_its_rule_survives_reshaping(session, now, wijkvisie):
    item, people = wijkvisie
    anna = people[0]
    decision = open_decision(session, anna, item.id, "adopt_vision", now)
    skip_stage(session, anna, item.id, "consultation", now + MIN)
    restore_stage(session, anna, item.id, "consultation", now + 2 * MIN)
    assert session.get(Decision, decision.id).status == "open"
    assert factories.event_count(session, item.id, "decision.cancelled") == 0
    assert session.get(Initiative, item.id).state == "visioning"
