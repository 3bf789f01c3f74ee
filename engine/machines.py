"""State machines: one model-less ``transitions.Machine`` per (template version, stage graph).

An initiative's own steps are data and never change its machine. Only a change to the stage
graph — an optional stage skipped, an own stage inserted — gives it a different graph, and
initiatives with the same template version and the same changes share one cached machine. No
machine is ever bound to an ORM row: we fire ``machine.events[trigger].trigger(subject)`` on a
throw-away subject that carries only ``state``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace

from transitions import Machine, MachineError

from engine.config import DEFAULTS
from engine.workflows.cache import BoundedCache
from engine.workflows.definitions import Text, TransitionDef, WorkflowDef
from engine.workflows.gates import STEPS_DONE, GateConflict, covers, gate_of, join, with_guards

log = logging.getLogger(__name__)

CONTINUE_TITLE = Text("Door naar de volgende fase", "On to the next stage")
#: the move into an own stage is ``enter_<stage>`` (its title: CONTINUE_TITLE)
ENTER_PREFIX = "enter_"
#: who may move the group into its own stage
OWN_STAGE_ROLES = ("initiator", "member")


# --- the residents' changes to the stage graph -------------------------------------------


def parse_graph_key(graph_key: str) -> list[tuple[str, ...]]:
    """Read the list of graph changes stored on an initiative."""
    return [tuple(op) for op in json.loads(graph_key)] if graph_key else []


def make_graph_key(ops: list[tuple[str, ...]]) -> str:
    return json.dumps([list(op) for op in ops], separators=(",", ":")) if ops else ""


@dataclass(frozen=True)
class Graph:
    """The effective stages and transitions of one initiative's plan."""

    stages: tuple[str, ...]  # in path order, skipped stages left out
    transitions: tuple[TransitionDef, ...]
    initial: str
    finals: frozenset[str]
    #: skips whose moves in and out could not be joined into one move (that way is left out);
    #: an operation refuses a change that has any, see :mod:`engine.workflows.gates`
    conflicts: tuple[GateConflict, ...] = ()

    def outgoing(self, stage: str) -> list[TransitionDef]:
        return [t for t in self.transitions if stage in t.sources]

    def find(self, trigger: str, source: str) -> TransitionDef | None:
        for t in self.transitions:
            if t.trigger == trigger and source in t.sources:
                return t
        return None

    def reaches_final(self) -> bool:
        """Every stage can still reach a final stage."""
        return not self.stranded()

    def stranded(self) -> list[str]:
        """The stages from which no final stage can be reached, in path order."""
        can_finish = set(self.finals)
        changed = True
        while changed:
            changed = False
            for t in self.transitions:
                if t.dest in can_finish:
                    for s in t.sources:
                        if s not in can_finish:
                            can_finish.add(s)
                            changed = True
        return [s for s in self.stages if s not in can_finish]


def build_graph(defn: WorkflowDef, graph_key: str = "") -> Graph:
    """Apply an initiative's graph changes, in order, to its template's graph.

    Every way into a template stage keeps the gate of the template move(s) it stands for (the
    rule, with an example, is in docs/templates.md).
    """
    stages = list(defn.stage_ids)
    transitions = list(defn.transitions)
    finals = {s.id for s in defn.stages if s.final}
    conflicts: list[GateConflict] = []
    for op in parse_graph_key(graph_key):
        if op[0] == "insert":
            stages, transitions = _insert(stages, transitions, new=op[1], after=op[2])
        elif op[0] == "skip":
            stages, transitions = _skip(stages, transitions, op[1], conflicts)
        else:  # pragma: no cover - written only by engine.operations.plan
            raise ValueError(f"unknown graph change {op!r}")
    return Graph(
        tuple(stages), tuple(transitions), defn.initial, frozenset(finals), tuple(conflicts)
    )


def _forward(stages: list[str], source: str, dest: str) -> bool:
    return stages.index(dest) > stages.index(source)


def _insert(stages, transitions, new: str, after: str):
    """Put the own stage ``new`` in front of the gates out of ``after``.

    The group moves from ``after`` into its own stage freely (its steps done), and leaves the
    own stage by the template's forward moves out of ``after``: same trigger, title, roles,
    guards and decision, plus the own stage's steps done.
    """
    stages = list(stages)
    stages.insert(stages.index(after) + 1, new)
    out: list[TransitionDef] = []
    exits: list[TransitionDef] = []
    for t in transitions:
        if after in t.sources and _forward(stages, after, t.dest):
            rest = tuple(s for s in t.sources if s != after)
            if rest:
                out.append(replace(t, sources=rest))
            exits.append(replace(t, sources=(new,), guards=with_guards(t.guards, (STEPS_DONE,))))
        else:
            out.append(t)
    if exits:
        out.append(
            TransitionDef(
                trigger=f"{ENTER_PREFIX}{new}",
                title=CONTINUE_TITLE,
                sources=(after,),
                dest=new,
                roles=OWN_STAGE_ROLES,
                guards=(STEPS_DONE,),
            )
        )
    return stages, _dedupe(out + exits)


def _skip(stages, transitions, skipped: str, conflicts: list[GateConflict]):
    """Leave ``skipped`` out: a forward move into it goes straight on to where the stage would
    have led, carrying the gates of both the move into it and the move out of it.

    A rerouted move that asks at least what another move between the same stages asks adds no
    way of its own and is left out. When two gates cannot be joined the way is left out too
    (never weakened), and the conflict is noted in ``conflicts``.
    """
    onward = [
        t
        for t in transitions
        if skipped in t.sources and t.dest != skipped and _forward(stages, skipped, t.dest)
    ]
    kept: list[TransitionDef] = []
    rerouted: list[TransitionDef] = []
    for t in transitions:
        if t.dest == skipped:
            # a move back to a skipped stage has nowhere to go
            sources = tuple(s for s in t.sources if s != skipped and _forward(stages, s, skipped))
            for o in onward if sources else ():
                try:
                    gate = join(t, o)
                except GateConflict as conflict:
                    conflicts.append(conflict)
                    continue
                trigger = t.trigger if len(onward) == 1 else f"{t.trigger}_to_{o.dest}"
                rerouted.append(
                    replace(
                        t, trigger=trigger, sources=sources, dest=o.dest, guards=gate.guards,
                        roles=gate.roles, decision=gate.decision,
                    )
                )  # fmt: skip
            continue
        if skipped in t.sources:
            sources = tuple(s for s in t.sources if s != skipped)
            if not sources:
                continue
            t = replace(t, sources=sources)
        kept.append(t)
    for r in rerouted:
        sources = tuple(s for s in r.sources if not _adds_nothing(r, s, kept))
        if sources:
            kept.append(replace(r, sources=sources))
    return [s for s in stages if s != skipped], _dedupe(kept)


def _adds_nothing(move: TransitionDef, source: str, others: list[TransitionDef]) -> bool:
    """Another move from ``source`` to the same stage asks no more than ``move`` does."""
    return any(
        source in o.sources and o.dest == move.dest and covers(gate_of(move), gate_of(o))
        for o in others
    )


def _dedupe(transitions: list[TransitionDef]) -> list[TransitionDef]:
    seen: set[tuple[str, str]] = set()
    out = []
    for t in transitions:
        sources = tuple(s for s in t.sources if (t.trigger, s) not in seen)
        if not sources:
            continue
        seen.update((t.trigger, s) for s in sources)
        out.append(t if sources == t.sources else replace(t, sources=sources))
    return out


# --- machines ----------------------------------------------------------------------------


class Subject:
    """What a model-less machine moves: a state, nothing else."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


@dataclass(frozen=True)
class ProcessMachine:
    """A graph together with its compiled machine."""

    graph: Graph
    machine: Machine

    def fire(self, state: str, trigger: str) -> str:
        """Move from ``state`` by ``trigger``; raise ``MachineError`` if it is not a move here."""
        subject = Subject(state)
        event = self.machine.events.get(trigger)
        if event is None or not event.trigger(subject):
            raise MachineError(f"{trigger!r} is not possible from {state!r}")
        return subject.state


def compile_machine(graph: Graph) -> Machine:
    return Machine(
        model=None,
        states=list(graph.stages),
        transitions=[
            {"trigger": t.trigger, "source": list(t.sources), "dest": t.dest}
            for t in graph.transitions
        ],
        initial=graph.initial,
        auto_transitions=False,
        send_event=False,
    )


class MachineCache:
    """A bounded LRU of compiled machines keyed by (template content hash, graph key)."""

    def __init__(self, maxsize: int = int(DEFAULTS["MACHINE_CACHE_SIZE"])) -> None:
        self._items: BoundedCache[tuple[str, str], ProcessMachine] = BoundedCache(maxsize)
        self.builds = 0

    @property
    def maxsize(self) -> int:
        return self._items.maxsize

    @maxsize.setter
    def maxsize(self, value: int) -> None:
        self._items.maxsize = value

    def get(self, content_hash: str, defn: WorkflowDef, graph_key: str) -> ProcessMachine:
        key = (content_hash, graph_key)
        found = self._items.get(key)
        if found is not None:
            return found
        graph = build_graph(defn, graph_key)
        built = self._items.put(key, ProcessMachine(graph, compile_machine(graph)))
        self.builds += 1
        log.debug("built machine for %s %s", defn.name, graph_key or "(template graph)")
        return built

    def __len__(self) -> int:
        return len(self._items)


#: the process's cache; a Runtime sets its size from VERBINDING_MACHINE_CACHE_SIZE
machines = MachineCache()
