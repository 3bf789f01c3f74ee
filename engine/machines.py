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
from engine.workflows.definitions import GuardRef, Text, TransitionDef, WorkflowDef

log = logging.getLogger(__name__)

CONTINUE_TITLE = Text("Door naar de volgende fase", "On to the next stage")


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

    def outgoing(self, stage: str) -> list[TransitionDef]:
        return [t for t in self.transitions if stage in t.sources]

    def find(self, trigger: str, source: str) -> TransitionDef | None:
        for t in self.transitions:
            if t.trigger == trigger and source in t.sources:
                return t
        return None

    def reaches_final(self) -> bool:
        """Every stage can still reach a final stage."""
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
        return all(s in can_finish for s in self.stages)


def build_graph(defn: WorkflowDef, graph_key: str = "") -> Graph:
    """Apply an initiative's graph changes, in order, to its template's graph."""
    stages = list(defn.stage_ids)
    transitions = list(defn.transitions)
    finals = {s.id for s in defn.stages if s.final}
    for op in parse_graph_key(graph_key):
        if op[0] == "insert":
            stages, transitions = _insert(stages, transitions, new=op[1], after=op[2])
        elif op[0] == "skip":
            stages, transitions = _skip(stages, transitions, skipped=op[1])
        else:  # pragma: no cover - written only by engine.operations.plan
            raise ValueError(f"unknown graph change {op!r}")
    return Graph(tuple(stages), tuple(transitions), defn.initial, frozenset(finals))


def _forward(stages: list[str], source: str, dest: str) -> bool:
    return stages.index(dest) > stages.index(source)


def _insert(stages, transitions, new: str, after: str):
    """Route the forward moves out of ``after`` through the new stage ``new``."""
    stages = list(stages)
    stages.insert(stages.index(after) + 1, new)
    out: list[TransitionDef] = []
    onward: list[str] = []
    for t in transitions:
        if after in t.sources and t.dest in stages and _forward(stages, after, t.dest):
            rest = tuple(s for s in t.sources if s != after)
            if rest:
                out.append(replace(t, sources=rest))
            out.append(replace(t, sources=(after,), dest=new))
            if t.dest not in onward:
                onward.append(t.dest)
        else:
            out.append(t)
    for dest in onward:
        trigger = f"finish_{new}" if len(onward) == 1 else f"finish_{new}_to_{dest}"
        out.append(
            TransitionDef(
                trigger=trigger,
                title=CONTINUE_TITLE,
                sources=(new,),
                dest=dest,
                roles=("initiator", "member"),
                guards=(GuardRef("steps_done"),),
            )
        )
    return stages, _dedupe(out)


def _skip(stages, transitions, skipped: str):
    """Leave ``skipped`` out: moves into it go straight on to where it would have led."""
    onward = [
        t.dest
        for t in transitions
        if skipped in t.sources and t.dest != skipped and _forward(stages, skipped, t.dest)
    ]
    out: list[TransitionDef] = []
    for t in transitions:
        if t.dest == skipped:
            sources = tuple(s for s in t.sources if s != skipped)
            if not sources or not _forward(stages, sources[0], skipped):
                continue  # a move back to a skipped stage has nowhere to go
            for dest in onward:
                trigger = t.trigger if len(onward) == 1 else f"{t.trigger}_to_{dest}"
                out.append(replace(t, trigger=trigger, sources=sources, dest=dest))
            continue
        if skipped in t.sources:
            sources = tuple(s for s in t.sources if s != skipped)
            if not sources:
                continue
            t = replace(t, sources=sources)
        out.append(t)
    return [s for s in stages if s != skipped], _dedupe(out)


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
