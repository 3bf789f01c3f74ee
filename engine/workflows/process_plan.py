"""An initiative's process plan as people read it: its stages in order, their titles and kinds.

Every screen, list, mail and feed that names a stage or walks the path asks a
:class:`ProcessPlan`. A plan is a light value over two shared, cached things: the parsed
template definition (:data:`engine.workflows.versions.definitions`) and the *shape* of the
path for one (template version, graph changes) pair, built once like a machine in
:mod:`engine.machines` and kept in a bounded cache. Only the residents' own titles belong to
one initiative, so making a plan per row of a city-wide list costs a dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.machines import build_graph, make_graph_key, parse_graph_key
from engine.models import Initiative, StagePlan
from engine.workflows.cache import BoundedCache
from engine.workflows.definitions import StageDef, Text, WorkflowDef
from engine.workflows.versions import definitions_by_id

#: a stage of the template, or one the residents inserted themselves
StageKind = Literal["template", "own"]

#: the five phases of a participatory process, when a template names its stages after them
PHASES = ("proposal", "visioning", "municipal_support", "execution", "maintenance")


@dataclass(frozen=True, slots=True)
class PlanShape:
    """The path a template and an initiative's graph changes make; shared by every initiative
    with the same template version and the same changes."""

    #: the template version's content hash
    content_hash: str
    definition: WorkflowDef
    #: every stage in path order, skipped stages included (what the plan page lists)
    stages: tuple[str, ...]
    #: the stages the group will walk: skipped ones left out (what the machine knows)
    path: tuple[str, ...]
    skipped: frozenset[str]
    #: own stage → the stage it follows
    own: Mapping[str, str]
    finals: frozenset[str]
    #: stage → place in ``stages``
    index: Mapping[str, int]
    #: stage id → the template's stage
    template: Mapping[str, StageDef]


def build_shape(content_hash: str, defn: WorkflowDef, graph_key: str = "") -> PlanShape:
    """Work out the path of a template with an initiative's graph changes applied."""
    ops = parse_graph_key(graph_key)
    stages = build_graph(defn, make_graph_key([op for op in ops if op[0] != "skip"])).stages
    graph = build_graph(defn, graph_key)
    return PlanShape(
        content_hash=content_hash,
        definition=defn,
        stages=stages,
        path=graph.stages,
        skipped=frozenset(op[1] for op in ops if op[0] == "skip"),
        own={op[1]: op[2] for op in ops if op[0] == "insert"},
        finals=graph.finals,
        index={key: i for i, key in enumerate(stages)},
        template={s.id: s for s in defn.stages},
    )


#: (template content hash, graph key) → shape
shapes: BoundedCache[tuple[str, str], PlanShape] = BoundedCache(maxsize=1024)


class OwnStage(Protocol):
    """What a plan needs of a stored stage plan (a ``StagePlan`` or a row with its columns)."""

    stage_key: str
    is_custom: bool
    custom_title: str | None


def own_titles(plans: Iterable[OwnStage]) -> dict[str, str]:
    """The residents' titles of the stages they inserted, from their stage plans."""
    return {p.stage_key: p.custom_title or p.stage_key for p in plans if p.is_custom}


class ProcessPlan:
    """One initiative's path: order, titles, finals and kinds of its stages."""

    __slots__ = ("shape", "own_titles")

    def __init__(self, shape: PlanShape, own_titles: Mapping[str, str] | None = None) -> None:
        self.shape = shape
        #: own stage → the title the residents gave it
        self.own_titles: Mapping[str, str] = own_titles or {}

    @property
    def definition(self) -> WorkflowDef:
        return self.shape.definition

    @property
    def content_hash(self) -> str:
        return self.shape.content_hash

    @property
    def stages(self) -> tuple[str, ...]:
        """Every stage in path order, skipped ones included."""
        return self.shape.stages

    @property
    def path(self) -> tuple[str, ...]:
        """The stages the group walks, in order: skipped ones left out."""
        return self.shape.path

    @property
    def finals(self) -> frozenset[str]:
        return self.shape.finals

    def with_own_titles(self, titles: Mapping[str, str]) -> ProcessPlan:
        return ProcessPlan(self.shape, titles)

    # --- one stage ---------------------------------------------------------------------

    def kind(self, key: str) -> StageKind | None:
        """A template stage or an own stage (None: not a stage of this plan)."""
        if key in self.shape.own or key in self.own_titles:
            return "own"
        if key in self.shape.template:
            return "template"
        return None

    def is_own(self, key: str) -> bool:
        return self.kind(key) == "own"

    def phase(self, key: str) -> str | None:
        """Which of the five phases a template stage is, when the template names it so."""
        return key if key in PHASES and key in self.shape.template else None

    def template_stage(self, key: str) -> StageDef | None:
        """The template's stage (None for an own stage or an unknown key)."""
        return None if self.is_own(key) else self.shape.template.get(key)

    def title(self, key: str) -> Text:
        """The template's title, or the residents' own for a stage they inserted."""
        own = self.own_titles.get(key)
        if own is not None:
            return Text(own, own)
        stage = self.shape.template.get(key)
        if stage is not None and key not in self.shape.own:
            return stage.title
        return Text(key, key)

    def titles(self) -> dict[str, Text]:
        """The title of every stage of the plan (and of every own stage it has a title for)."""
        keys = dict.fromkeys((*self.shape.template, *self.shape.stages, *self.own_titles))
        return {key: self.title(key) for key in keys}

    def is_final(self, key: str) -> bool:
        return key in self.shape.finals

    def is_skipped(self, key: str) -> bool:
        return key in self.shape.skipped

    def inserted_after(self, key: str) -> str | None:
        """The stage an own stage follows."""
        return self.shape.own.get(key)

    def position(self, key: str) -> int | None:
        """The place (0-based) on the plan, skipped stages counted; None if not on it."""
        return self.shape.index.get(key)

    # --- around a stage ----------------------------------------------------------------

    def next(self, key: str) -> str | None:
        """The stage after ``key`` on the path the group walks (skipped stages passed over)."""
        path = self.shape.path
        if key not in path:
            return None
        i = path.index(key)
        return path[i + 1] if i + 1 < len(path) else None

    def previous(self, key: str) -> str | None:
        """The stage before ``key`` on the path the group walks."""
        path = self.shape.path
        if key not in path:
            return None
        i = path.index(key)
        return path[i - 1] if i > 0 else None

    def before(self, key: str) -> tuple[str, ...]:
        """The stages behind a group in ``key`` (skipped ones included)."""
        i = self.shape.index.get(key)
        return self.shape.stages[:i] if i is not None else ()

    def from_here(self, key: str) -> tuple[str, ...]:
        """``key`` and every stage after it (skipped ones included); all if it is unknown."""
        i = self.shape.index.get(key, 0)
        return self.shape.stages[i:]

    def path_before(self, key: str) -> tuple[str, ...]:
        """The walked stages before ``key`` (skipped ones left out)."""
        path = self.shape.path
        return path[: path.index(key)] if key in path else ()


def process_plan(
    content_hash: str,
    defn: WorkflowDef,
    graph_key: str = "",
    own_titles: Mapping[str, str] | None = None,
) -> ProcessPlan:
    """The plan of a template version (by content hash) with an initiative's graph changes."""
    key = (content_hash, graph_key)
    shape = shapes.get(key)
    if shape is None:
        shape = shapes.put(key, build_shape(content_hash, defn, graph_key))
    return ProcessPlan(shape, own_titles)


def plan_of(
    session: Session, initiative: Initiative, plans: Iterable[OwnStage] | None = None
) -> ProcessPlan:
    """An initiative's plan; the own stages' titles from ``plans``, else read (one query)."""
    digest, defn = definitions_by_id(session, (initiative.workflow_version_id,))[
        initiative.workflow_version_id
    ]
    if plans is None:
        plans = session.execute(
            select(StagePlan.stage_key, StagePlan.is_custom, StagePlan.custom_title).where(
                StagePlan.initiative_id == initiative.id, StagePlan.is_custom.is_(True)
            )
        ).all()
    return process_plan(digest, defn, initiative.graph_key, own_titles(plans))


__all__ = [
    "PHASES",
    "PlanShape",
    "ProcessPlan",
    "StageKind",
    "build_shape",
    "own_titles",
    "plan_of",
    "process_plan",
    "shapes",
]
