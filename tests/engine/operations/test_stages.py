"""Residents reshape their path: skip an optional stage, insert and remove stages of their own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.errors import Blocked, InvalidInput, Refused
from engine.models import StagePlan
from engine.operations import (
    add_step,
    cast_vote,
    fire_transition,
    insert_stage,
    list_moves,
    open_decision,
    remove_stage,
    remove_step,
    restore_stage,
    skip_stage,
)
from tests import factories
from tests.factories import stored_state

MIN = timedelta(minutes=1)


def _people(item):
    return [m.person for m in item.memberships]


def _moves(session, actor, item):
    return [(m.trigger, m.dest) for m in list_moves(session, actor, item)]


def _plans(session, item):
    rows = session.execute(
        select(StagePlan.stage_key, StagePlan.is_skipped, StagePlan.is_custom)
        .where(StagePlan.initiative_id == item.id)
        .order_by(StagePlan.position)
    )
    return [tuple(r) for r in rows]


def _insert(session, actor, item, after, title, now):
    return insert_stage(
        session, actor, item.id, after=after, title=title, description="Onze eigen fase",
        now=now,
    )  # fmt: skip


# --- skip and restore -----------------------------------------------------------------------


def test_skipping_visioning_goes_straight_to_execution(session, now):
    item = factories.initiative(session, now, members=1)
    anna = _people(item)[0]
    assert _moves(session, anna, item) == [("start", "visioning")]
    skip_stage(session, anna, item.id, "visioning", now + MIN, note="We weten al wat we willen")
    assert _moves(session, anna, item) == [("start", "execution")]
    assert ("visioning", True, False) in _plans(session, item)
    (skipped,) = factories.events_of(session, item.id, "stage.skipped")
    assert (skipped.data["stage"], skipped.note) == ("visioning", "We weten al wat we willen")

    # the way around carries both gates: start's conditions and plan's consent decision
    (move,) = list_moves(session, anna, item)
    assert move.decision_rule == "consent"
    with pytest.raises(Blocked):
        fire_transition(session, anna, item.id, "start", now + 2 * MIN)
    decision = open_decision(session, anna, item.id, "start", now + 2 * MIN)
    for p in _people(item):
        cast_vote(session, p, decision.id, "for", now + 3 * MIN)
    fire_transition(session, anna, item.id, "start", now + 4 * MIN)
    assert item.state == "execution"
    # there is no way back to a stage the group left out
    assert [t for t, _ in _moves(session, anna, item)] == ["hand_over"]


def test_restoring_puts_the_stage_back(session, now):
    item = factories.initiative(session, now, members=1)
    anna = _people(item)[0]
    skip_stage(session, anna, item.id, "visioning", now + MIN)
    restore_stage(session, anna, item.id, "visioning", now + 2 * MIN)
    assert _moves(session, anna, item) == [("start", "visioning")]
    assert ("visioning", False, False) in _plans(session, item)
    assert item.graph_key == ""
    assert factories.event_count(session, item.id, "stage.restored") == 1
    with pytest.raises(Refused):
        restore_stage(session, anna, item.id, "visioning", now + 3 * MIN)


def test_a_skipped_stage_cannot_be_planned(session, now):
    item = factories.initiative(session, now)
    anna = _people(item)[0]
    skip_stage(session, anna, item.id, "visioning", now + MIN)
    before = stored_state(session, item.id)
    with pytest.raises(Refused):
        add_step(session, anna, item.id, stage_key="visioning", title="Visie", now=now)
    with pytest.raises(Refused):
        skip_stage(session, anna, item.id, "visioning", now + 2 * MIN)
    assert stored_state(session, item.id) == before


@pytest.mark.parametrize("stage", ["proposal", "execution", "maintenance"])
def test_only_optional_stages_are_skipped(session, now, stage):
    item = factories.initiative(session, now)
    before = stored_state(session, item.id)
    with pytest.raises(Refused):
        skip_stage(session, _people(item)[0], item.id, stage, now + MIN)
    assert stored_state(session, item.id) == before


def test_the_current_and_past_stages_are_not_skipped(session, now):
    item = factories.initiative(session, now, members=1)
    anna, bram = _people(item)
    fire_transition(session, anna, item.id, "start", now + MIN)
    before = stored_state(session, item.id)
    with pytest.raises(Refused):
        skip_stage(session, anna, item.id, "visioning", now + 2 * MIN)
    assert stored_state(session, item.id) == before

    decision = open_decision(session, anna, item.id, "plan", now + 2 * MIN)
    for p in (anna, bram):
        cast_vote(session, p, decision.id, "for", now + 3 * MIN)
    fire_transition(session, anna, item.id, "plan", now + 4 * MIN)
    before = stored_state(session, item.id)
    with pytest.raises(Refused) as caught:
        skip_stage(session, anna, item.id, "visioning", now + 5 * MIN)
    assert "history" in caught.value.message.render()
    assert stored_state(session, item.id) == before


# --- own stages -----------------------------------------------------------------------------


def test_an_own_stage_after_the_proposal(session, now):
    item = factories.initiative(session, now, members=1)
    anna = _people(item)[0]
    plan = _insert(session, anna, item, "proposal", "  Buurt  raadplegen ", now + MIN)
    assert (plan.stage_key, plan.custom_title, plan.is_custom) == (
        "own_1", "Buurt raadplegen", True,
    )  # fmt: skip
    assert [key for key, *_ in _plans(session, item)] == [
        "proposal", "own_1", "visioning", "execution", "maintenance",
    ]  # fmt: skip
    (inserted,) = factories.events_of(session, item.id, "stage.inserted")
    assert inserted.data == {"stage": "own_1", "after": "proposal", "title": "Buurt raadplegen"}

    # the own stage sits in front of the template's gate: going in is free ...
    assert _moves(session, anna, item) == [("enter_own_1", "own_1")]
    fire_transition(session, anna, item.id, "enter_own_1", now + 2 * MIN)
    assert item.state == "own_1"
    # ... and the way out is the template's move, with its conditions and the own steps done
    assert _moves(session, anna, item) == [("start", "visioning")]
    step = add_step(session, anna, item.id, stage_key="own_1", title="Enquête", now=now)
    (move,) = list_moves(session, anna, item)
    assert move.title.nl == "Begin met de visie"
    assert [r.msgid for r in move.reasons] == [
        "One step of this stage is still open: complete it or remove it."
    ]
    remove_step(session, anna, item.id, step.id, now + 3 * MIN)
    fire_transition(session, anna, item.id, "start", now + 4 * MIN)
    assert item.state == "visioning"


def test_an_own_stage_follows_skipped_visioning(session, now):
    item = factories.initiative(session, now, members=1)
    anna = _people(item)[0]
    skip_stage(session, anna, item.id, "visioning", now + MIN)
    _insert(session, anna, item, "proposal", "Ontwerp tekenen", now + 2 * MIN)
    fire_transition(session, anna, item.id, "enter_own_1", now + 3 * MIN)
    (move,) = list_moves(session, anna, item)
    # the way out goes around visioning, with start's conditions and plan's consent decision
    assert (move.trigger, move.dest, move.decision_rule) == ("start", "execution", "consent")


@pytest.mark.parametrize("after", ["visioning", "maintenance"])
def test_own_stages_only_where_the_template_allows(session, now, after):
    item = factories.initiative(session, now)
    before = stored_state(session, item.id)
    with pytest.raises(Refused):
        _insert(session, _people(item)[0], item, after, "Ertussen", now + MIN)
    assert stored_state(session, item.id) == before


def test_an_own_stage_needs_a_title(session, now):
    item = factories.initiative(session, now)
    before = stored_state(session, item.id)
    with pytest.raises(InvalidInput):
        _insert(session, _people(item)[0], item, "proposal", " x ", now + MIN)
    assert stored_state(session, item.id) == before


def test_no_own_stage_after_a_past_stage(session, now):
    item = factories.initiative(session, now, members=1)
    anna = _people(item)[0]
    fire_transition(session, anna, item.id, "start", now + MIN)
    before = stored_state(session, item.id)
    with pytest.raises(Refused):
        _insert(session, anna, item, "proposal", "Te laat", now + 2 * MIN)
    assert stored_state(session, item.id) == before


def test_removing_an_own_stage(session, now):
    item = factories.initiative(session, now, members=1)
    anna = _people(item)[0]
    _insert(session, anna, item, "execution", "Buurtfeest", now + MIN)
    step = add_step(session, anna, item.id, stage_key="own_1", title="Taart", now=now + MIN)
    before = stored_state(session, item.id)
    with pytest.raises(Refused) as caught:
        remove_stage(session, anna, item.id, "own_1", now + 2 * MIN)
    assert "steps" in caught.value.message.render()
    assert stored_state(session, item.id) == before

    remove_step(session, anna, item.id, step.id, now + 3 * MIN)
    remove_stage(session, anna, item.id, "own_1", now + 4 * MIN)
    assert [key for key, *_ in _plans(session, item)] == [
        "proposal", "visioning", "execution", "maintenance",
    ]  # fmt: skip
    assert item.graph_key == ""
    (removed,) = factories.events_of(session, item.id, "stage.removed")
    assert removed.data == {"stage": "own_1", "title": "Buurtfeest"}


def test_template_stages_are_skipped_not_removed(session, now):
    item = factories.initiative(session, now)
    before = stored_state(session, item.id)
    with pytest.raises(Refused):
        remove_stage(session, _people(item)[0], item.id, "visioning", now + MIN)
    assert stored_state(session, item.id) == before


def test_the_current_own_stage_stays(session, now):
    item = factories.initiative(session, now, members=1)
    anna = _people(item)[0]
    _insert(session, anna, item, "proposal", "Buurt raadplegen", now + MIN)
    fire_transition(session, anna, item.id, "enter_own_1", now + 2 * MIN)
    before = stored_state(session, item.id)
    with pytest.raises(Refused):
        remove_stage(session, anna, item.id, "own_1", now + 3 * MIN)
    assert stored_state(session, item.id) == before


def test_an_own_stage_with_another_after_it_stays(session, now):
    item = factories.initiative(session, now)
    anna = _people(item)[0]
    _insert(session, anna, item, "proposal", "Eerste eigen", now + MIN)
    _insert(session, anna, item, "own_1", "Tweede eigen", now + 2 * MIN)
    before = stored_state(session, item.id)
    with pytest.raises(Refused):
        remove_stage(session, anna, item.id, "own_1", now + 3 * MIN)
    assert stored_state(session, item.id) == before


def test_a_new_own_stage_after_removing_one_gets_a_free_name(session, now):
    item = factories.initiative(session, now)
    anna = _people(item)[0]
    _insert(session, anna, item, "proposal", "Eerste eigen", now + MIN)
    _insert(session, anna, item, "execution", "Tweede eigen", now + 2 * MIN)
    remove_stage(session, anna, item.id, "own_1", now + 3 * MIN)
    third = _insert(session, anna, item, "proposal", "Derde eigen", now + 4 * MIN)
    keys = [key for key, *_ in _plans(session, item)]
    assert len(set(keys)) == len(keys) == 6
    assert third.stage_key != "own_2"


def test_a_removal_the_path_check_refuses_writes_nothing(session, now):
    """A path stored before skips had to keep every group decision: its template asks a majority
    into the optional visioning and consent out of it, and visioning was skipped behind the
    group's own stage. Taking the own stage out would leave the two decisions on one move: the
    path check refuses, and every row stays as it was."""
    from dataclasses import replace as changed

    from engine.machines import make_graph_key, parse_graph_key
    from engine.workflows.definitions import DecisionRule
    from engine.workflows.versions import definition_of, latest_version, register_workflow

    defn = definition_of(latest_version(session, "proefproces"))
    moves = tuple(
        changed(t, decision=DecisionRule("majority")) if t.trigger == "start" else t
        for t in defn.transitions
    )
    register_workflow(session, changed(defn, name="oudproces", transitions=moves), now)
    item = factories.initiative(session, now, workflow="oudproces", members=1)
    anna = _people(item)[0]
    _insert(session, anna, item, "proposal", "Buurt raadplegen", now + MIN)
    # arranged: the skip stored before the rule (skip_stage refuses it now)
    item.graph_key = make_graph_key([*parse_graph_key(item.graph_key), ("skip", "visioning")])
    session.scalars(
        select(StagePlan).where(
            StagePlan.initiative_id == item.id, StagePlan.stage_key == "visioning"
        )
    ).one().is_skipped = True
    session.flush()
    before = stored_state(session, item.id)
    with pytest.raises(Refused) as caught:
        remove_stage(session, anna, item.id, "own_1", now + 2 * MIN)
    assert "cannot be left out" in caught.value.message.render()
    assert stored_state(session, item.id) == before
