"""Does a reshaped path keep the template's gates? The check behind ``workflows check`` and
every skip and insert.

A way into a template stage, in an initiative's compiled graph, starts at a template stage and
may pass own stages. It stands for a walk in the template from the same stage to the same
stage, through stages the group skipped. It keeps the template's gates when, for some such
walk, it asks every guard of every move of the walk, and each move of the walk has a move on
the way that allows no more roles than it does and, if it needs a group decision, asks the
same kind of decision (a consent period at least as long).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

from engine.machines import Graph, build_graph, make_graph_key
from engine.workflows.definitions import TransitionDef, WorkflowDef
from engine.workflows.gates import GateConflict, decision_covers

#: more optional stages than this: only each one alone, and all of them together, are tried
MAX_SKIP_SETS = 6


@dataclass(frozen=True)
class Unguarded:
    """A way into a template stage that does not carry the template's gate."""

    #: the stages of the way: a template stage, own stages, the template stage it enters
    stages: tuple[str, ...]
    #: the triggers of its moves
    triggers: tuple[str, ...]


def _walks(
    defn: WorkflowDef, start: str, dest: str, skipped: frozenset[str]
) -> Iterator[list[TransitionDef]]:
    """Every walk of template moves from ``start`` to ``dest`` through skipped stages only."""

    def walk(at: str, seen: frozenset[str], moves: list[TransitionDef]):
        for t in defn.transitions:
            if at not in t.sources:
                continue
            if t.dest == dest:
                yield [*moves, t]
            elif t.dest in skipped and t.dest not in seen:
                yield from walk(t.dest, seen | {t.dest}, [*moves, t])

    yield from walk(start, frozenset({start}), [])


def _carries(way: list[TransitionDef], walk: list[TransitionDef]) -> bool:
    guards = {g for m in way for g in m.guards}
    return all(
        set(w.guards) <= guards
        and any(set(m.roles) <= set(w.roles) for m in way)
        and any(decision_covers(m.decision, w.decision) for m in way)
        for w in walk
    )


def unguarded_ways(defn: WorkflowDef, graph: Graph) -> list[Unguarded]:
    """Every way into a template stage of ``graph`` that does not keep the template's gate."""
    template = set(defn.stage_ids)
    skipped = frozenset(template - set(graph.stages))
    found: list[Unguarded] = []

    def follow(start: str, at: str, way: list[TransitionDef], stages: tuple[str, ...]) -> None:
        for m in graph.outgoing(at):
            if m.dest not in template:  # an own stage: the way goes on
                if m.dest not in stages:
                    follow(start, m.dest, [*way, m], (*stages, m.dest))
                continue
            moves = [*way, m]
            if not any(_carries(moves, w) for w in _walks(defn, start, m.dest, skipped)):
                found.append(Unguarded((*stages, m.dest), tuple(t.trigger for t in moves)))

    for stage in graph.stages:
        if stage in template:
            follow(stage, stage, [], (stage,))
    return found


def _skip_sets(optional: list[str]) -> list[tuple[str, ...]]:
    """The sets of stages to try skipping together, the empty set (nothing skipped) first."""
    if len(optional) <= MAX_SKIP_SETS:
        return [c for n in range(len(optional) + 1) for c in combinations(optional, n)]
    return [(), *((s,) for s in optional), tuple(optional)]


def _conflict_problem(skips: tuple[str, ...], conflict: GateConflict) -> str:
    which = " and ".join(f"'{s}'" for s in skips)
    it = "it" if len(skips) == 1 else "them"
    if conflict.kind == "decision":
        return (
            f"stage {which} may be skipped, but skipping {it} would join '{conflict.first}' and "
            f"'{conflict.then}' into one move while they ask for different group decisions; "
            "give them the same decision rule, or make the stage required"
        )
    return (
        f"stage {which} may be skipped, but skipping {it} would join '{conflict.first}' and "
        f"'{conflict.then}' into one move that no role may make; let one role make both, or "
        "make the stage required"
    )


def _stranded_problem(skips: tuple[str, ...], stranded: list[str]) -> str:
    which = " and ".join(f"'{s}'" for s in skips)
    it = "it" if len(skips) == 1 else "them"
    where = ", ".join(f"'{s}'" for s in stranded)
    return (
        f"stage {which} may be skipped, but without {it} no final stage can be reached from "
        f"{where}; give that a way on that does not pass {which}, or make the stage required"
    )


def _unguarded_problem(change: str, way: Unguarded) -> str:
    return (
        f"{change}, the way {' → '.join(way.stages)} ({', '.join(way.triggers)}) would not "
        "carry the guards, roles and decision of the template's moves into "
        f"'{way.stages[-1]}'"
    )


def reshaping_problems(defn: WorkflowDef) -> list[tuple[str, str, str]]:
    """What residents' skips and inserts would break: ``(stage id, key, message)`` each.

    Tries every set of optional stages skipped (see :data:`MAX_SKIP_SETS`), each alone and
    with one own stage inserted before or after the skips (never after a skipped stage), and
    checks the compiled graph.
    """
    optional = [s.id for s in defn.stages if s.optional and s.id != defn.initial]
    insertable = [s.id for s in defn.stages if s.allow_insert_after and not s.final]
    problems: dict[tuple[str, str, str], None] = {}
    broken: set[str] = set()
    for skips in _skip_sets(optional):
        if broken & set(skips):
            continue  # already reported for a smaller set
        skip_ops: list[tuple[str, ...]] = [("skip", s) for s in skips]
        graph = build_graph(defn, make_graph_key(skip_ops))
        if skips and (graph.conflicts or not graph.reaches_final()):
            broken.update(skips[-1:])
            message = (
                _conflict_problem(skips, graph.conflicts[0])
                if graph.conflicts
                else _stranded_problem(skips, graph.stranded())
            )
            problems[(skips[-1], "optional", message)] = None
            continue
        tries: list[tuple[list[tuple[str, ...]], str]] = [(skip_ops, "")] if skip_ops else []
        for after in insertable:
            if after not in skips:  # no own stage after a skipped one (skip_stage refuses it)
                insert: tuple[str, ...] = ("insert", "own_1", after)
                tries += [([insert, *skip_ops], after), ([*skip_ops, insert], after)]
        for ops, after in tries:
            for way in unguarded_ways(defn, build_graph(defn, make_graph_key(ops))):
                change = "with " + ", ".join(
                    f"'{op[1]}' skipped" if op[0] == "skip" else f"an own stage after '{op[2]}'"
                    for op in ops
                )
                stage, key = (after, "allow_insert_after") if after else (skips[-1], "optional")
                problems[(stage, key, _unguarded_problem(change, way))] = None
    return list(problems)


__all__ = ["MAX_SKIP_SETS", "Unguarded", "reshaping_problems", "unguarded_ways"]
