"""Machines are shared, few and model-less: a city of customised plans holds a handful of them."""

from __future__ import annotations

from datetime import timedelta

from engine.machines import MachineCache, build_graph, make_graph_key
from engine.operations import fire_transition, insert_stage, skip_stage
from engine.operations.common import machine_for
from engine.workflows.versions import definition_of, latest_version
from tests import factories

MIN = timedelta(minutes=1)


def _defn(session):
    row = latest_version(session, "proefproces")
    return row.content_hash, definition_of(row)


def test_initiatives_on_one_template_share_one_machine(session, now):
    a = factories.initiative(session, now, title="Voermanhaven")
    b = factories.initiative(session, now, title="Coenderspark")
    _, machine_a = machine_for(session, a)
    _, machine_b = machine_for(session, b)
    assert machine_a is machine_b
    # steps are data: adding and completing them does not change the machine
    from engine.operations import add_step

    add_step(session, a.memberships[0].person, a.id, stage_key="proposal", title="Stap", now=now)
    assert machine_for(session, a)[1] is machine_b


def test_a_changed_stage_graph_gets_its_own_shared_machine(session, now):
    plain = factories.initiative(session, now, title="Gewoon")
    skips = [factories.initiative(session, now, title=f"Zonder visie {i}") for i in (1, 2)]
    for item in skips:
        skip_stage(session, item.memberships[0].person, item.id, "visioning", now + MIN)
    own = factories.initiative(session, now, title="Met eigen fase")
    insert_stage(
        session, own.memberships[0].person, own.id, after="proposal", title="Buurt vragen",
        description="", now=now + MIN,
    )  # fmt: skip

    m_plain = machine_for(session, plain)[1]
    m_skip = [machine_for(session, item)[1] for item in skips]
    m_own = machine_for(session, own)[1]
    assert m_skip[0] is m_skip[1]
    assert len({id(m_plain), id(m_skip[0]), id(m_own)}) == 3
    assert "visioning" not in m_skip[0].machine.states
    assert "own_1" in m_own.machine.states and "own_1" not in m_plain.machine.states


def test_the_cache_is_bounded_and_keeps_what_is_used(session):
    digest, defn = _defn(session)
    keys = [
        "",
        make_graph_key([("skip", "visioning")]),
        make_graph_key([("insert", "own_1", "proposal")]),
    ]
    cache = MachineCache(maxsize=2)
    first = cache.get(digest, defn, keys[0])
    cache.get(digest, defn, keys[1])
    assert cache.get(digest, defn, keys[0]) is first  # used again: the most recent now
    assert (len(cache), cache.builds) == (2, 2)

    cache.get(digest, defn, keys[2])  # pushes out the least recently used: the skip graph
    assert (len(cache), cache.builds) == (2, 3)
    assert cache.get(digest, defn, keys[0]) is first
    assert cache.builds == 3
    cache.get(digest, defn, keys[1])
    assert (len(cache), cache.builds) == (2, 4)


def test_one_template_in_two_versions_are_two_machines(session):
    digest, defn = _defn(session)
    cache = MachineCache(maxsize=8)
    assert cache.get(digest, defn, "") is not cache.get("another-version", defn, "")


def test_machines_have_only_the_template_moves(session):
    digest, defn = _defn(session)
    pm = MachineCache().get(digest, defn, "")
    assert set(pm.machine.events) == {"start", "plan", "rethink", "hand_over"}
    assert not any(name.startswith("to_") for name in pm.machine.events)
    assert pm.machine.auto_transitions is False

    own = MachineCache().get(digest, defn, make_graph_key([("insert", "own_1", "proposal")]))
    assert set(own.machine.events) == {"enter_own_1", "start", "plan", "rethink", "hand_over"}
    assert not any(name.startswith("to_") for name in own.machine.events)


def test_machines_hold_no_models_however_often_they_fire(session, now):
    digest, defn = _defn(session)
    pm = MachineCache().get(digest, defn, "")
    assert pm.machine.models == []
    for _ in range(500):
        assert pm.fire("proposal", "start") == "visioning"
        assert pm.fire("visioning", "plan") == "execution"
        assert pm.fire("execution", "rethink") == "visioning"
    assert pm.machine.models == []

    # and firing through the operations binds no initiative either
    item = factories.initiative(session, now, members=1)
    fire_transition(session, item.memberships[0].person, item.id, "start", now + MIN)
    shared = machine_for(session, item)[1]
    assert shared.machine.models == []


def test_a_move_that_is_not_there_is_refused_by_the_machine(session):
    import pytest
    from transitions import MachineError

    digest, defn = _defn(session)
    pm = MachineCache().get(digest, defn, "")
    with pytest.raises(MachineError):
        pm.fire("proposal", "hand_over")
    with pytest.raises(MachineError):
        pm.fire("proposal", "to_maintenance")


def test_graph_of_a_skip_goes_around_the_stage(session):
    _, defn = _defn(session)
    graph = build_graph(defn, make_graph_key([("skip", "visioning")]))
    assert graph.stages == ("proposal", "execution", "maintenance")
    assert [(t.trigger, t.dest) for t in graph.outgoing("proposal")] == [("start", "execution")]
    assert graph.reaches_final()
