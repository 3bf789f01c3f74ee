"""Reshaping never weakens a gate: a wijkvisie with an own stage and a skipped consultation.

The consent decision "Wijkvisie vaststellen" guards the way into municipal support. However
the group reshapes its path, it cannot get there without that decision (and its conditions).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import Blocked, InvalidInput, Refused
from engine.machines import parse_graph_key
from engine.models import Decision, Initiative
from engine.operations import (
    add_step,
    cast_vote,
    close_decision,
    fire_transition,
    insert_stage,
    list_moves,
    open_decision,
    pause_initiative,
    remove_stage,
    restore_stage,
    resume_initiative,
    skip_stage,
)
from engine.operations.common import machine_for
from engine.workflows.definitions import DecisionRule
from engine.workflows.process_plan import plan_of
from engine.workflows.versions import definition_of, latest_version, register_workflow
from tests import factories
from tests.engine.workflows.test_reshape import gateless_moves

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
        "The survey needs at least one answer: open it and ask the neighbourhood, online and "
        "on paper.",
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


def test_a_paused_group_cannot_stop_a_running_decision_by_reshaping(session, now, wijkvisie):
    """Pause × reshaping × decisions: while the group pauses no decision closes, and a new own
    stage that would stop one is refused with a reason; nothing changes. After resuming the
    same change goes through and stops the decision as usual."""
    item, people = wijkvisie
    anna = people[0]
    decision = open_decision(session, anna, item.id, "adopt_vision", now)
    pause_initiative(session, anna, item.id, reason="Zomervakantie", now=now + MIN)
    session.flush()
    graph_key = session.get(Initiative, item.id).graph_key
    # the refusal in a savepoint, as a request's transaction (the test's own rolls back at its end)
    nested = session.begin_nested()
    with pytest.raises(Refused) as refused:
        insert_stage(
            session, anna, item.id, after="visioning", title="Scholen bevragen",
            description="", now=now + 2 * MIN,
        )  # fmt: skip
    assert refused.value.message.msgid.startswith("The group has paused, and this change")
    nested.rollback()
    assert session.get(Decision, decision.id).status == "open"
    assert session.get(Initiative, item.id).graph_key == graph_key
    assert factories.event_count(session, item.id, "decision.cancelled") == 0
    resume_initiative(session, anna, item.id, shift_dates=False, now=now + 3 * MIN)
    insert_stage(
        session, anna, item.id, after="visioning", title="Scholen bevragen",
        description="", now=now + 4 * MIN,
    )  # fmt: skip
    assert session.get(Decision, decision.id).status == "cancelled"


def test_a_decision_whose_move_keeps_its_rule_survives_reshaping(session, now, wijkvisie):
    item, people = wijkvisie
    anna = people[0]
    decision = open_decision(session, anna, item.id, "adopt_vision", now)
    skip_stage(session, anna, item.id, "consultation", now + MIN)
    restore_stage(session, anna, item.id, "consultation", now + 2 * MIN)
    assert session.get(Decision, decision.id).status == "open"
    assert factories.event_count(session, item.id, "decision.cancelled") == 0
    assert session.get(Initiative, item.id).state == "visioning"


# --- a skip the rule cannot make safe is refused, and changes nothing --------------------------


def _older_template(session, now, **start):
    """A template version stored before 'workflows check' refused it: skipping visioning would
    join 'start' (changed by ``start``) and 'plan' (consent) into one move."""
    defn = definition_of(latest_version(session, "proefproces"))
    moves = tuple(
        replace(t, **start) if t.trigger == "start" else t for t in defn.transitions
    )  # fmt: skip
    register_workflow(session, replace(defn, name="oudproces", transitions=moves), now)
    return factories.initiative(session, now, workflow="oudproces", members=1)


@pytest.mark.parametrize(
    ("start", "reason"),
    [
        ({"decision": DecisionRule("majority")}, "different kinds of group decision"),
        ({"roles": ("partner",)}, "nobody may make both"),
    ],
)
def test_a_skip_that_would_lose_a_gate_is_refused(session, now, start, reason):
    item = _older_template(session, now, **start)
    before = factories.stored_state(session, item.id)
    with pytest.raises(Refused) as refused:
        skip_stage(session, item.memberships[0].person, item.id, "visioning", now + MIN)
    assert reason in refused.value.message.render()
    assert factories.stored_state(session, item.id) == before


def test_no_skip_of_a_stage_an_own_stage_follows(session, now):
    defn = definition_of(latest_version(session, "proefproces"))
    stages = tuple(
        replace(s, allow_insert_after=True) if s.id == "visioning" else s for s in defn.stages
    )
    register_workflow(session, replace(defn, name="eigenproces", stages=stages), now)
    item = factories.initiative(session, now, workflow="eigenproces")
    anna = item.memberships[0].person
    insert_stage(
        session, anna, item.id, after="visioning", title="Proefaanplant", description="",
        now=now + MIN,
    )  # fmt: skip
    before = factories.stored_state(session, item.id)
    with pytest.raises(Refused) as refused:
        skip_stage(session, anna, item.id, "visioning", now + 2 * MIN)
    assert refused.value.message.msgid == (
        "An own stage of the group follows this stage. Remove it first, then skip this one."
    )
    assert factories.stored_state(session, item.id) == before


# --- a property: whatever the group reshapes through the operations, every gate holds ----------

SHIPPED = ("wijkvisie", "parkplan", "vergroening")
_ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["insert", "skip", "restore", "remove", "advance"]), st.integers(0, 9)
    ),
    max_size=8,
)


def _try(session, change) -> bool:
    """Make one change in a savepoint; a refusal leaves nothing behind."""
    nested = session.begin_nested()
    try:
        change()
    except (Refused, InvalidInput):
        nested.rollback()
        return False
    nested.commit()
    return True


def _act(session, item, anna, action, pick, when):
    plan = plan_of(session, item)
    ahead = plan.from_here(item.state)
    pick_from = lambda options: options[pick % len(options)] if options else None  # noqa: E731
    if action == "insert":
        after = pick_from([s for s in ahead if s in plan.path])
        return after and _try(session, lambda: insert_stage(
            session, anna, item.id, after=after, title="Eigen fase", description="", now=when,
        ))  # fmt: skip
    if action in ("skip", "restore", "remove"):
        # mostly the stages it is meant for; now and then any stage, which is refused
        fits = {
            "skip": lambda s: getattr(plan.template_stage(s), "optional", False),
            "restore": plan.is_skipped,
            "remove": plan.is_own,
        }[action]
        stage = pick_from([s for s in ahead if pick == 9 or fits(s)])
        op = {"skip": skip_stage, "restore": restore_stage, "remove": remove_stage}[action]
        return stage and _try(session, lambda: op(session, anna, item.id, stage, when))
    following = plan.next(item.state)  # advance: arranged, as if the group moved on
    if following is not None and following not in plan.finals:
        item.state = following
        session.flush()
    return False


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(name=st.sampled_from(SHIPPED), actions=_ACTIONS)
def test_reshaping_through_the_operations_keeps_every_gate(session, now, name, actions):
    savepoint = session.begin_nested()
    try:
        item = factories.initiative(session, now, workflow=name)
        anna = item.memberships[0].person
        for i, (action, pick) in enumerate(actions):
            key = item.graph_key
            changed = _act(session, item, anna, action, pick, now + i * MIN)
            assert changed or item.graph_key == key  # a refusal changes nothing
            defn, pm = machine_for(session, item)
            ops = parse_graph_key(item.graph_key)
            assert gateless_moves(defn, ops, pm.graph) == []
            assert item.state in pm.graph.stages and pm.graph.reaches_final()
    finally:
        savepoint.rollback()
