"""An initiative's history as people read it: events newest first, with names and titles."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from engine.machines import CONTINUE_TITLE, ENTER_PREFIX
from engine.models import (
    Decision,
    District,
    Event,
    Initiative,
    Neighbourhood,
    Person,
    StagePlan,
    Step,
    WorkflowVersion,
)
from engine.workflows.definitions import Text, WorkflowDef
from engine.workflows.process_plan import ProcessPlan, own_titles, process_plan
from engine.workflows.versions import definition_by_hash, remember_hash

#: events whose note holds private words (a coach's note, a concern's reason): read only by
#: those ``engine.permissions.can_read_private`` allows; others see that it happened, not what
PRIVATE_NOTE_KINDS = frozenset({"coach.note", "coach.concern", "coach.concern_cleared"})


@dataclass
class EventView:
    event: Event
    actor_name: str | None
    #: the event's note as this reader may see it (None: no note, or not theirs to read)
    note: str | None = None


def event_view(event: Event, actor_name: str | None, private: bool) -> EventView:
    """An event for one reader: a private note only for those who may read it."""
    note = event.note if private or event.kind not in PRIVATE_NOTE_KINDS else None
    return EventView(event, actor_name, note)


@dataclass
class History:
    """A page of the history, newest first, with what is needed to describe each event."""

    events: list[EventView]
    total: int
    #: every person an event refers to (actors, new owners, members whose role changed)
    people: dict[int, str]
    stage_titles: dict[str, Text]
    move_titles: dict[str, Text]
    step_titles: dict[int, str]
    #: the move each decision an event mentions was about
    decision_triggers: dict[int, str] = field(default_factory=dict)


#: the keys of an event's data that name a person (the asker and the one asked of a swap…)
PERSON_KEYS = ("person", "proposer", "recipient")


def names(session: Session, ids: set[int]) -> dict[int, str]:
    """The names of some people, in one query."""
    if not ids:
        return {}
    return dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all())


def move_titles(defn: WorkflowDef) -> dict[str, Text]:
    return {t.trigger: t.title for t in defn.transitions}


def move_title(titles: dict[str, Text], trigger: str) -> Text:
    """A move's title, also for the moves the engine makes for skipped and own stages."""
    if trigger in titles:
        return titles[trigger]
    if trigger.startswith((ENTER_PREFIX, "finish_")):  # finish_…: their older name
        return CONTINUE_TITLE
    base = trigger.rsplit("_to_", 1)[0]
    return titles.get(base, Text(trigger, trigger))


# The page's statements, built once (building a ``select()`` costs more than SQLite running
# it); the initiative, the limit and the offset are bound per call.
_COUNTED = aliased(Event)
#: the page of events with, on every row, how many events the initiative has in all (one
#: statement instead of two; SQLite and PostgreSQL count once, the subquery is uncorrelated)
_EVENTS = (
    select(
        Event,
        Person.name,
        select(func.count())
        .select_from(_COUNTED)
        .where(_COUNTED.initiative_id == bindparam("iid"))
        .scalar_subquery()
        .label("total"),
    )
    .outerjoin(Person, Person.id == Event.actor_id)
    .where(Event.initiative_id == bindparam("iid"))
    .order_by(Event.created_dt.desc(), Event.id.desc())
    .limit(bindparam("limit", type_=Integer))
    .offset(bindparam("offset", type_=Integer))
)
_EVENT_COUNT = (
    select(func.count()).select_from(Event).where(Event.initiative_id == bindparam("iid"))
)
_WORKFLOW_AND_PLACE = (
    select(
        WorkflowVersion.content_hash,
        WorkflowVersion.version,
        Neighbourhood.name,
        District.name,
        WorkflowVersion.id,
    )
    .select_from(Initiative)
    .join(WorkflowVersion, WorkflowVersion.id == Initiative.workflow_version_id)
    .join(Neighbourhood, Neighbourhood.id == Initiative.neighbourhood_id)
    .join(District, District.id == Neighbourhood.district_id)
    .where(Initiative.id == bindparam("iid"))
)
_STAGE_PLANS = (
    select(StagePlan)
    .where(StagePlan.initiative_id == bindparam("iid"))
    .order_by(StagePlan.position)
)


def load_events(
    session: Session,
    initiative: Initiative,
    plan: ProcessPlan,
    step_titles: dict[int, str],
    known: dict[int, str],
    *,
    private: bool,
    limit: int,
    offset: int = 0,
) -> History:
    """Events newest first, with the names of the people they mention; ``private``: whether
    the reader may read coach notes and concern reasons (``can_read_private``)."""
    found = session.execute(_EVENTS, {"iid": initiative.id, "limit": limit, "offset": offset}).all()
    rows = [(event, name) for event, name, _ in found]
    if found:
        total = found[0].total
    elif offset or not limit:  # a page past the end (or none asked for): counted on its own
        total = session.scalar(_EVENT_COUNT, {"iid": initiative.id})
    else:
        total = 0  # no events at all
    people = dict(known)
    people.update({e.actor_id: name for e, name in rows if e.actor_id is not None})
    wanted: set[int] = set()
    for event, _ in rows:
        data = event.data or {}
        wanted.update(v for k in PERSON_KEYS if isinstance(v := data.get(k), int))
        for change in data.get("board_changes") or ():  # [person, old place, new place]
            if change and isinstance(change[0], int):
                wanted.add(change[0])
        owner = (data.get("changes") or {}).get("owner")
        if owner:
            wanted.update(int(v) for v in owner if v and str(v).isdigit())
    people.update(names(session, wanted - set(people)))
    decisions = {
        e.data["decision"]
        for e, _ in rows
        if isinstance((e.data or {}).get("decision"), int) and "trigger" not in e.data
    }
    triggers = {}
    if decisions:
        triggers = dict(
            session.execute(
                select(Decision.id, Decision.trigger).where(Decision.id.in_(decisions))
            ).all()
        )
    step_titles = dict(step_titles)
    gone = {
        e.data["step"]
        for e, _ in rows
        if isinstance((e.data or {}).get("step"), int)
        and "title" not in e.data
        and e.data["step"] not in step_titles
    }
    if gone:  # steps removed since: their titles are in the history itself
        for (data,) in session.execute(
            select(Event.data).where(
                Event.initiative_id == initiative.id,
                Event.kind.in_(("step.added", "step.removed")),
            )
        ):
            if (data or {}).get("step") in gone and data.get("title"):
                step_titles[data["step"]] = data["title"]
    return History(
        events=[event_view(e, name, private) for e, name in rows],
        total=total or 0,
        people=people,
        stage_titles=plan.titles(),
        move_titles=move_titles(plan.definition),
        step_titles=step_titles,
        decision_triggers=triggers,
    )


def workflow_and_place(session: Session, initiative: Initiative):
    """The template version's hash and number, the wijk and the stadsdeel, in one query."""
    digest, version, neighbourhood, district, version_id = session.execute(
        _WORKFLOW_AND_PLACE, {"iid": initiative.id}
    ).one()
    remember_hash(session, version_id, digest)
    return digest, version, neighbourhood, district


#: the stages an initiative has been moved into (a row per move would grow with its history:
#: one string, the keys parted by a space; a stage key is an identifier)
_MOVED_INTO = (
    select(Event.to_stage)
    .distinct()
    .where(Event.initiative_id == bindparam("iid"), Event.kind == "transition")
    .subquery()
)
#: the initiative page's head: _WORKFLOW_AND_PLACE, the stages moved into and the stored stage
#: plans (none or a few rows, each with the head; one row without a plan when there is none)
_PAGE_HEAD = (
    _WORKFLOW_AND_PLACE.add_columns(
        select(func.aggregate_strings(_MOVED_INTO.c.to_stage, " ")).scalar_subquery(), StagePlan
    )
    .outerjoin(StagePlan, StagePlan.initiative_id == Initiative.id)
    .order_by(StagePlan.position)
)


@dataclass(frozen=True)
class PageHead:
    content_hash: str
    workflow_version: int
    neighbourhood: str
    district: str
    #: the stages the initiative has been moved into (its template's first stage not among them)
    moved_into: set[str]
    stage_plans: list[StagePlan]


def page_head(session: Session, initiative: Initiative) -> PageHead:
    """:func:`workflow_and_place`, the stages moved into and :func:`stage_plans`, in one query."""
    rows = session.execute(_PAGE_HEAD, {"iid": initiative.id}).all()
    digest, version, neighbourhood, district, version_id, moved_into, _ = rows[0]
    remember_hash(session, version_id, digest)
    plans = [row[-1] for row in rows if row[-1] is not None]
    visited = set((moved_into or "").split())
    return PageHead(digest, version, neighbourhood, district, visited, plans)


def stage_plans(session: Session, initiative: Initiative) -> list[StagePlan]:
    return list(session.scalars(_STAGE_PLANS, {"iid": initiative.id}))


def load_history(
    session: Session,
    initiative: Initiative,
    *,
    private: bool,
    page: int = 1,
    per_page: int = 25,
) -> History:
    """One page (1-based) of the whole history, newest first (``private`` as in load_events)."""
    digest = workflow_and_place(session, initiative)[0]
    defn = definition_by_hash(session, digest)
    plans = stage_plans(session, initiative)
    step_titles = dict(
        session.execute(
            select(Step.id, Step.title).where(Step.initiative_id == initiative.id)
        ).all()
    )
    return load_events(
        session,
        initiative,
        process_plan(digest, defn, initiative.graph_key, own_titles(plans)),
        step_titles,
        {},
        private=private,
        limit=per_page,
        offset=(max(page, 1) - 1) * per_page,
    )
