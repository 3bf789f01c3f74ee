"""The shape of a process template, as loaded from ``workflows/*.yaml``.

Definitions are frozen and hashable: one definition (plus an initiative's changes to its stage
graph) maps to exactly one cached state machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PARTICIPATION_LEVELS = (
    "informeren",
    "raadplegen",
    "adviseren",
    "coproduceren",
    "meebeslissen",
    "zelfbeheer",
)
ROLES = ("initiator", "member", "partner", "coach")
DECISION_RULES = ("initiators", "majority", "consent")
#: rules that run for a number of days (``days``), and their default
TIMED_RULES = ("consent", "majority")
DECISION_DAYS = 7
#: reminder kinds a stage may set in its ``reminders:`` key (days before; negative = overdue)
STAGE_REMINDER_KINDS = ("step_due", "stage_target")


@dataclass(frozen=True)
class Text:
    """A text in Dutch and English."""

    nl: str
    en: str

    def get(self, locale: str) -> str:
        return self.en if locale == "en" else self.nl

    def as_dict(self) -> dict[str, str]:
        return {"nl": self.nl, "en": self.en}


@dataclass(frozen=True)
class GuardRef:
    """A named guard from the engine's registry, with its arguments."""

    name: str
    args: tuple[tuple[str, Any], ...] = ()

    @property
    def kwargs(self) -> dict[str, Any]:
        return dict(self.args)


@dataclass(frozen=True)
class DecisionRule:
    """How the group decides before a transition may fire."""

    rule: str  # one of DECISION_RULES
    #: consent: the period in which anyone may object; majority: how long the vote is open
    days: int = DECISION_DAYS
    #: majority: the share of the group (percent, 1-100) that must vote; None: more than half
    quorum: int | None = None


@dataclass(frozen=True)
class StageDef:
    id: str
    title: Text
    description: Text
    participation: str
    municipality_role: Text
    optional: bool = False
    duration_days: int | None = None
    steps: tuple[Text, ...] = ()
    allow_insert_after: bool = False
    final: bool = False
    #: ``((kind, (days before, …)), …)`` from the ``reminders:`` key; None: the defaults
    reminders: tuple[tuple[str, tuple[int, ...]], ...] | None = None

    def reminder_days(self, kind: str) -> tuple[int, ...] | None:
        """The days before (negative: after) a deadline of ``kind`` to remind; None: default."""
        for name, days in self.reminders or ():
            if name == kind:
                return days
        return None


@dataclass(frozen=True)
class TransitionDef:
    trigger: str
    title: Text
    sources: tuple[str, ...]
    dest: str
    roles: tuple[str, ...] = ("initiator", "member")
    guards: tuple[GuardRef, ...] = ()
    decision: DecisionRule | None = None


@dataclass(frozen=True)
class WorkflowDef:
    name: str
    title: Text
    description: Text
    initial: str
    stages: tuple[StageDef, ...]
    transitions: tuple[TransitionDef, ...]
    min_members: int = 1
    source_path: str | None = field(default=None, compare=False, hash=False)

    def stage(self, stage_id: str) -> StageDef:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(stage_id)

    @property
    def stage_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.stages)

    def transition(self, trigger: str, source: str) -> TransitionDef | None:
        for t in self.transitions:
            if t.trigger == trigger and source in t.sources:
                return t
        return None
