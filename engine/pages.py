"""What an initiative's page shows, loaded with a fixed, small number of queries.

The page shows the whole path of stages with their status, every stage's steps, the group,
the documents, the decisions of the current stage, the possible moves and the latest history.
Each list is one query (with the names it needs joined in), never one query per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from engine.decision_page import DecisionView, decision_views, page_decisions
from engine.guards import GuardContext
from engine.history import (
    History,
    load_events,
    move_titles,
    page_head,
)
from engine.models import (
    Decision,
    Document,
    Initiative,
    JoinRequest,
    Membership,
    Person,
    StagePlan,
    Step,
)
from engine.models.initiatives import LIVE_DECISION_STATUSES
from engine.operations.open_steps import stages_left_behind
from engine.operations.transitions import Move, moves_and_facts
from engine.permissions import RESIDENT_ROLES, can_read_private
from engine.workflows.definitions import Text, WorkflowDef
from engine.workflows.process_plan import ProcessPlan, own_titles, process_plan
from engine.workflows.versions import definition_by_hash

#: what list_moves says about the actor's own role (engine.operations.transitions)
ROLE_REASONS = frozenset(
    {"Join this initiative to take part in its decisions.", "Only %(roles)s can do this."}
)
HISTORY_ON_PAGE = 8


@dataclass
class StepView:
    step: Step
    owner_name: str | None


@dataclass
class StageView:
    """One stage on the path, with what the group planned for it."""

    key: str
    number: int
    title: Text
    description: Text | None
    #: the participation level (None for a stage the group added itself)
    participation: str | None
    municipality_role: Text | None
    #: done, current, skipped or upcoming ("to come")
    status: str
    is_custom: bool = False
    optional: bool = False
    final: bool = False
    allows_insert_after: bool = False
    duration_days: int | None = None
    target_date: date | None = None
    inserted_after: str | None = None
    #: after the current stage on the path (skipped stages included)
    ahead: bool = False
    steps: list[StepView] = field(default_factory=list)
    #: the template's suggested steps that are not in the plan yet
    suggestions: list[Text] = field(default_factory=list)

    @property
    def editable(self) -> bool:
        """Steps and dates of this stage may still change."""
        return self.status in ("current", "upcoming")

    @property
    def can_skip(self) -> bool:
        return self.optional and not self.is_custom and self.status == "upcoming"

    @property
    def can_restore(self) -> bool:
        return self.status == "skipped" and self.ahead

    @property
    def can_insert_after(self) -> bool:
        return (self.allows_insert_after or self.is_custom) and self.editable and not self.final

    @property
    def can_remove(self) -> bool:
        return self.is_custom and self.status == "upcoming" and not self.steps

    @property
    def open_steps(self) -> list[StepView]:
        """The steps still to do (neither done nor closed), in checklist order."""
        return [s for s in self.steps if s.step.is_open]

    @property
    def planned_steps(self) -> int:
        """The steps that count in the checklist: open or done (a closed one no longer does)."""
        return sum(1 for s in self.steps if not s.step.is_closed)


@dataclass
class MemberView:
    person_id: int
    name: str
    role: str
    organisation: str | None
    joined_dt: datetime


@dataclass
class DocumentView:
    document: Document
    uploader_name: str
    stage_title: Text | None

    @property
    def is_image(self) -> bool:
        return self.document.content_type.startswith("image/")


@dataclass
class InitiativePage:
    initiative: Initiative
    workflow: WorkflowDef
    workflow_version: int
    district: str
    neighbourhood: str
    stages: list[StageView]
    members: list[MemberView]
    coaches: list[MemberView]
    documents: list[DocumentView]
    decisions: list[DecisionView]
    moves: list[Move]
    history: History
    viewer_id: int | None
    role: str | None
    #: the guard facts the moves were judged on (the panels read them too, not loading again)
    guards: GuardContext | None = None
    #: requests to join waiting for an answer (for the group's panel)
    pending_join_requests: int = 0

    @property
    def current(self) -> StageView:
        return next(s for s in self.stages if s.status == "current")

    def stage(self, key: str | None) -> StageView | None:
        return next((s for s in self.stages if s.key == key), None)

    def left_behind(self, move: Move) -> list[StepView]:
        """The open steps a move would leave behind: the current stage's and those of any stage
        it passes over (none for a move back); the group carries or closes them."""
        order = [s.key for s in self.stages]
        behind = stages_left_behind(order, self.initiative.state, move.dest)
        return [view for s in self.stages if s.key in behind for view in s.open_steps]

    def decision_for(self, trigger: str) -> DecisionView | None:
        """The live decision about a move, else the latest one of this stage."""
        found = [d for d in self.decisions if d.decision.trigger == trigger]
        live = [d for d in found if d.decision.status in LIVE_DECISION_STATUSES]
        return (live or found)[-1] if found else None

    @property
    def is_member(self) -> bool:
        return self.role in RESIDENT_ROLES


# --- loading ---------------------------------------------------------------------------------


# The page's statements, built once (building a ``select()`` costs more than SQLite running
# it); the initiative is bound per call. Those that read only columns run on the session's
# connection, past the ORM's execution layer (the ORM statements before them have flushed).
_STEPS = (
    select(Step, Person.name)
    .outerjoin(Person, Person.id == Step.owner_id)
    .where(Step.initiative_id == bindparam("iid"))
    .order_by(Step.stage_key, Step.position, Step.id)
)
#: the group, each row with the number of requests to join waiting for an answer (the
#: group's panel tells those who answer them; a group has one member at least)
_GROUP = (
    select(
        Membership.person_id,
        Person.name,
        Membership.role,
        Membership.organisation,
        Membership.joined_dt,
        select(func.count())
        .where(JoinRequest.initiative_id == bindparam("iid"), JoinRequest.status == "pending")
        .scalar_subquery(),
    )
    .join(Person, Person.id == Membership.person_id)
    .where(Membership.initiative_id == bindparam("iid"))
    .order_by(Membership.id)
)
_DOCUMENTS = (
    select(Document, Person.name)
    .join(Person, Person.id == Document.uploaded_by_id)
    .where(Document.initiative_id == bindparam("iid"))
    .order_by(Document.created_dt.desc(), Document.id.desc())
)


def _stage_views(
    initiative: Initiative,
    plan: ProcessPlan,
    plans: list[StagePlan],
    steps: list[StepView],
    moved_into: set[str],
) -> list[StageView]:
    order = plan.stages
    here = order.index(initiative.state)
    visited = {plan.definition.initial, *moved_into}
    by_key = {p.stage_key: p for p in plans}
    views = []
    for index, key in enumerate(order):
        stored = by_key.get(key)
        if plan.is_skipped(key):
            status = "skipped"
        elif index == here:
            status = "current"
        elif index < here:
            status = "done" if key in visited else "skipped"
        else:
            status = "upcoming"
        own = [s for s in steps if s.step.stage_key == key]
        stage = plan.template_stage(key)
        if stage is None:
            text = stored.custom_description if stored is not None else None
            view = StageView(
                key=key, number=index + 1, title=plan.title(key),
                description=Text(text, text) if text else None, participation=None,
                municipality_role=None, status=status, is_custom=True,
                inserted_after=plan.inserted_after(key),
            )  # fmt: skip
        else:
            have = {s.step.title.casefold() for s in own}
            view = StageView(
                key=key, number=index + 1, title=plan.title(key), description=stage.description,
                participation=stage.participation, municipality_role=stage.municipality_role,
                status=status, optional=stage.optional, final=plan.is_final(key),
                allows_insert_after=stage.allow_insert_after, duration_days=stage.duration_days,
                suggestions=[
                    t for t in stage.steps
                    if t.nl.casefold() not in have and t.en.casefold() not in have
                ],
            )  # fmt: skip
        view.target_date = stored.target_date if stored is not None else None
        view.ahead = index > here
        view.steps = own
        views.append(view)
    return views


def _moves(
    session: Session,
    viewer: Person | None,
    initiative: Initiative,
    role: str | None,
    decisions: list[Decision],
) -> tuple[list[Move], GuardContext]:
    """The possible moves, and the guard facts they were judged on; someone outside the group
    is not told that only the group moves."""
    moves, facts = moves_and_facts(session, viewer, initiative, decisions)
    if role in RESIDENT_ROLES:
        return moves, facts.context
    return [
        replace(m, reasons=[r for r in m.reasons if r.msgid not in ROLE_REASONS]) for m in moves
    ], facts.context


def load_page(
    session: Session,
    initiative: Initiative,
    viewer: Person | None,
    *,
    history_limit: int = HISTORY_ON_PAGE,
) -> InitiativePage:
    """Everything the initiative's page shows, for this viewer."""
    head = page_head(session, initiative)
    digest, plans = head.content_hash, head.stage_plans
    defn = definition_by_hash(session, digest)
    plan = process_plan(digest, defn, initiative.graph_key, own_titles(plans))
    steps = [
        StepView(step, owner) for step, owner in session.execute(_STEPS, {"iid": initiative.id})
    ]
    rows = session.connection().execute(_GROUP, {"iid": initiative.id}).all()
    group = [MemberView(*row[:5]) for row in rows]
    members = [m for m in group if m.role in RESIDENT_ROLES]
    viewer_id = viewer.id if viewer is not None else None
    role = next((m.role for m in group if m.person_id == viewer_id), None)
    stages = _stage_views(initiative, plan, plans, steps, head.moved_into)
    titles = {s.key: s.title for s in stages}
    documents = [
        DocumentView(doc, name, titles.get(doc.stage_key) if doc.stage_key else None)
        for doc, name in session.execute(_DOCUMENTS, {"iid": initiative.id})
    ]
    titles_of_moves = move_titles(defn)
    known = {m.person_id: m.name for m in group}
    known.update({s.step.owner_id: s.owner_name for s in steps if s.step.owner_id and s.owner_name})
    read = page_decisions(session, initiative)
    decisions = decision_views(
        session,
        initiative,
        read,
        titles_of_moves,
        {m.person_id: (m.name, m.role, m.joined_dt) for m in members},
        viewer_id,
    )
    moves, guards = _moves(session, viewer, initiative, role, read)
    return InitiativePage(
        initiative=initiative,
        workflow=defn,
        workflow_version=head.workflow_version,
        district=head.district,
        neighbourhood=head.neighbourhood,
        stages=stages,
        members=members,
        coaches=[m for m in group if m.role not in RESIDENT_ROLES],
        documents=documents,
        decisions=decisions,
        moves=moves,
        history=load_events(
            session,
            initiative,
            plan,
            {s.step.id: s.step.title for s in steps},
            known,
            private=can_read_private(viewer, role),
            limit=history_limit,
        ),
        viewer_id=viewer_id,
        role=role,
        guards=guards,
        pending_join_requests=rows[0][5] if rows else 0,
    )
