"""Reshaped paths keep the template's gates: the rule, its check, and a property over templates.

The oracle here is written apart from the engine's check (engine/workflows/reshape.py) and asks
more of each move: a move into a template stage must carry *by itself* the gate of a template
walk into that stage from where its own stages hang, through the stages the group skipped.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.machines import Graph, build_graph, make_graph_key
from engine.workflows.definitions import GuardRef, TransitionDef, WorkflowDef
from engine.workflows.loader import load_directory, workflows_dir
from engine.workflows.reshape import reshaping_problems, unguarded_ways
from tests.conftest import TEST_WORKFLOWS


def _templates() -> dict[str, WorkflowDef]:
    shipped, problems = load_directory(workflows_dir())
    test, more = load_directory(TEST_WORKFLOWS)
    assert not problems and not more
    return {**shipped, **test}


TEMPLATES = _templates()
WIJKVISIE = TEMPLATES["wijkvisie"]
OWN_AFTER_VISIONING = [("insert", "own_1", "visioning")]
SKIP_CONSULTATION = [("skip", "consultation")]


def _graph(defn: WorkflowDef, ops) -> Graph:
    return build_graph(defn, make_graph_key(ops))


# --- the oracle -------------------------------------------------------------------------------


def _decision_kept(move: TransitionDef, template: TransitionDef) -> bool:
    want, have = template.decision, move.decision
    if want is None:
        return True
    if have is None or have.rule != want.rule:
        return False
    return want.rule != "consent" or have.days >= want.days


def _keeps(move: TransitionDef, template: TransitionDef) -> bool:
    return (
        set(template.guards) <= set(move.guards)
        and set(move.roles) <= set(template.roles)
        and _decision_kept(move, template)
    )


def _walks(defn: WorkflowDef, start: str, dest: str, skipped: set[str], seen=()):
    for t in defn.transitions:
        if start in t.sources:
            if t.dest == dest:
                yield [t]
            elif t.dest in skipped and t.dest not in seen:
                for rest in _walks(defn, t.dest, dest, skipped, (*seen, start)):
                    yield [t, *rest]


def gateless_moves(defn: WorkflowDef, ops, graph: Graph) -> list[tuple[str, str, str]]:
    """Every (source, trigger, dest) into a template stage that drops part of the gate."""
    template = set(defn.stage_ids)
    skipped = template - set(graph.stages)
    hangs_after = {op[1]: op[2] for op in ops if op[0] == "insert"}
    lost = []
    for move in graph.transitions:
        if move.dest not in template:
            continue  # into an own stage: the gate comes on the way out of it
        for source in move.sources:
            anchor = source
            while anchor not in template:
                anchor = hangs_after[anchor]
            walks = _walks(defn, anchor, move.dest, skipped)
            if not any(all(_keeps(move, t) for t in walk) for walk in walks):
                lost.append((source, move.trigger, move.dest))
    return lost


# --- the bypasses of issue 10, and the engine's check sees them ---------------------------------


def _without_gate(graph: Graph, trigger: str, source: str) -> Graph:
    """The graph as the engine built it before: a bare 'steps done' move instead of the gate."""
    moves = tuple(
        replace(t, guards=(GuardRef("steps_done"),), decision=None)
        if t.trigger == trigger and source in t.sources
        else t
        for t in graph.transitions
    )
    return replace(graph, transitions=moves)


def test_the_own_stage_leads_on_through_the_vision_decision():
    graph = _graph(WIJKVISIE, OWN_AFTER_VISIONING + SKIP_CONSULTATION)
    assert [(t.trigger, t.dest, t.decision) for t in graph.outgoing("visioning")] == [
        ("enter_own_1", "own_1", None)
    ]
    (out,) = graph.outgoing("own_1")
    adopt = WIJKVISIE.transition("adopt_vision", "visioning")
    assert (out.trigger, out.dest, out.decision, out.roles) == (
        "adopt_vision", "municipal_support", adopt.decision, adopt.roles,
    )  # fmt: skip
    assert set(adopt.guards) | {GuardRef("steps_done")} <= set(out.guards)
    assert unguarded_ways(WIJKVISIE, graph) == []
    assert gateless_moves(WIJKVISIE, OWN_AFTER_VISIONING + SKIP_CONSULTATION, graph) == []

    bypass = _without_gate(graph, "adopt_vision", "own_1")
    (way,) = unguarded_ways(WIJKVISIE, bypass)
    assert (way.stages, way.triggers) == (
        ("visioning", "own_1", "municipal_support"), ("enter_own_1", "adopt_vision"),
    )  # fmt: skip


def test_a_skipped_consultation_keeps_its_gate_in_and_the_gate_out():
    graph = _graph(WIJKVISIE, SKIP_CONSULTATION)
    # the way around joined 'consult_neighbourhood' and 'adopt_vision'; it asks no less than
    # 'adopt_vision' from visioning already does, so that one is the way
    assert [(t.trigger, t.dest) for t in graph.outgoing("visioning")] == [
        ("adopt_vision", "municipal_support")
    ]
    old_skip = replace(
        graph,
        transitions=(
            *graph.transitions,
            replace(WIJKVISIE.transition("consult_neighbourhood", "visioning"),
                    dest="municipal_support"),
        ),
    )  # fmt: skip
    (way,) = unguarded_ways(WIJKVISIE, old_skip)
    assert way.triggers == ("consult_neighbourhood",)
    assert gateless_moves(WIJKVISIE, SKIP_CONSULTATION, old_skip) == [
        ("visioning", "consult_neighbourhood", "municipal_support")
    ]


def test_a_way_around_joins_both_gates():
    proef = TEMPLATES["proefproces"]
    start, plan = proef.transition("start", "proposal"), proef.transition("plan", "visioning")
    (around,) = _graph(proef, [("skip", "visioning")]).outgoing("proposal")
    assert (around.trigger, around.title, around.dest) == ("start", start.title, "execution")
    assert around.guards == start.guards and around.decision == plan.decision


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_can_be_reshaped_safely(name):
    assert reshaping_problems(TEMPLATES[name]) == []


# --- a property: any sequence of changes the operations accept keeps every gate --------------


def _reshape(defn: WorkflowDef, choices) -> tuple[list[tuple[str, ...]], int]:
    """Apply the changes the operations would accept (for a group in the first stage); return
    them and how many were refused because the gates around a skip could not be joined."""
    ops: list[tuple[str, ...]] = []
    refused = own = 0
    for action, pick in choices:
        graph = _graph(defn, ops)
        skipped = {op[1] for op in ops if op[0] == "skip"}
        hangs_after = {op[1]: op[2] for op in ops if op[0] == "insert"}
        change: list[tuple[str, ...]] = []
        if action == "skip":
            options = [
                s.id
                for s in defn.stages
                if s.optional and s.id != defn.initial and s.id not in skipped
                and s.id not in hangs_after.values()
            ]  # fmt: skip
            change = [("skip", options[pick % len(options)])] if options else []
        elif action == "insert":
            template = {s.id: s for s in defn.stages}
            options = [
                s
                for s in graph.stages
                if s not in graph.finals and (s in hangs_after or template[s].allow_insert_after)
            ]
            own += 1
            change = [("insert", f"own_{own}", options[pick % len(options)])] if options else []
        elif action == "restore" and skipped:
            gone = sorted(skipped)[pick % len(skipped)]
            change, ops = [], [op for op in ops if op != ("skip", gone)]
        elif action == "remove":
            leaves = [s for s in hangs_after if s not in hangs_after.values()]
            if leaves:
                gone = leaves[pick % len(leaves)]
                ops = [op for op in ops if op[:2] != ("insert", gone)]
        if change:
            after = _graph(defn, ops + change)
            if after.conflicts:
                refused += 1
            elif after.reaches_final():
                ops += change
    return ops, refused


@settings(max_examples=300, deadline=None, database=None)
@given(
    name=st.sampled_from(sorted(TEMPLATES)),
    choices=st.lists(
        st.tuples(st.sampled_from(["skip", "restore", "insert", "remove"]), st.integers(0, 9)),
        max_size=10,
    ),
)
def test_every_way_into_a_template_stage_carries_its_gate(name, choices):
    defn = TEMPLATES[name]
    ops, refused = _reshape(defn, choices)
    graph = _graph(defn, ops)
    assert refused == 0  # every shipped template passed 'workflows check': no skip is refused
    assert gateless_moves(defn, ops, graph) == []
    assert unguarded_ways(defn, graph) == []
    # the own stages' ways in are free, their ways out ask their steps done
    own = set(graph.stages) - set(defn.stage_ids)
    for t in graph.transitions:
        if own & set(t.sources):
            assert GuardRef("steps_done") in t.guards
