"""A move's gate — its guards, who may make it, how the group decides — and how gates combine.

When residents reshape their path (``engine.machines``), the template's gates move with it:
the way out of an own stage carries the gate of the template move it stands in front of, and a
move around a skipped stage carries the gates of both moves it replaces. This module is the
small algebra for that: :func:`join` (both gates must be passed), :func:`covers` (one gate asks
at least what another asks). It knows nothing of machines or the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from engine.workflows.definitions import DecisionRule, GuardRef, TransitionDef

#: the guard every move the engine makes for an own stage carries: the stage's steps are done
STEPS_DONE = GuardRef("steps_done")


@dataclass(frozen=True)
class Gate:
    """What a move asks before it may be made."""

    guards: tuple[GuardRef, ...]
    roles: tuple[str, ...]
    decision: DecisionRule | None


def gate_of(t: TransitionDef) -> Gate:
    return Gate(t.guards, t.roles, t.decision)


class GateConflict(Exception):
    """Two gates cannot be joined into one move without losing part of one of them."""

    def __init__(self, kind: Literal["decision", "roles"], first: str, then: str) -> None:
        super().__init__(f"{kind}: {first} + {then}")
        #: ``decision``: different kinds of group decision; ``roles``: nobody may make both
        self.kind = kind
        self.first = first
        self.then = then


def with_guards(guards: tuple[GuardRef, ...], more: tuple[GuardRef, ...]) -> tuple[GuardRef, ...]:
    """Both lists of guards, each once, in the order first seen."""
    return tuple(dict.fromkeys((*guards, *more)))


def decision_covers(strong: DecisionRule | None, weak: DecisionRule | None) -> bool:
    """``strong`` asks at least what ``weak`` asks: the same rule, and no shorter a period."""
    if weak is None:
        return True
    if strong is None or strong.rule != weak.rule:
        return False
    return strong.rule != "consent" or strong.days >= weak.days


def covers(strong: Gate, weak: Gate) -> bool:
    """Passing ``strong`` means ``weak`` is passed too."""
    return (
        set(weak.guards) <= set(strong.guards)
        and set(strong.roles) <= set(weak.roles)
        and decision_covers(strong.decision, weak.decision)
    )


def join(first: TransitionDef, then: TransitionDef) -> Gate:
    """One gate that passes only when both moves' gates would: every guard of both, only the
    roles both allow, and the decision both ask for (a consent period: the longer one).

    Raise :class:`GateConflict` when no such gate exists: the two moves ask for different kinds
    of group decision (one decision cannot be both a majority vote and consent), or no role may
    make both moves.
    """
    roles = tuple(r for r in first.roles if r in then.roles)
    if not roles:
        raise GateConflict("roles", first.trigger, then.trigger)
    decision = first.decision or then.decision
    if first.decision is not None and then.decision is not None:
        if decision_covers(first.decision, then.decision):
            decision = first.decision
        elif decision_covers(then.decision, first.decision):
            decision = then.decision
        else:
            raise GateConflict("decision", first.trigger, then.trigger)
    return Gate(with_guards(first.guards, then.guards), roles, decision)


__all__ = [
    "STEPS_DONE",
    "Gate",
    "GateConflict",
    "covers",
    "decision_covers",
    "gate_of",
    "join",
    "with_guards",
]
