"""What every operation needs: loading, permission, version checks and the history.

Two kinds of change, two kinds of version (see docs/architecture.md, "Concurrency"):

* the initiative's own state (title, stage, stage graph, pause, group, decisions) is
  compared-and-set on ``Initiative.version``, which :func:`record` bumps;
* its details (steps, documents, maintenance tasks, turns) each have their own version, and
  their operations start with :func:`lock_initiative` and end with :func:`record_detail`,
  which leave ``Initiative.version`` alone: an edit of one step does not make anyone's page of
  the initiative, or their form for another step, stale.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified, set_committed_value
from sqlalchemy.sql.selectable import ScalarSelect

from engine.db import UTCDateTime
from engine.errors import Conflict, NotFound, Paused, PermissionDenied
from engine.guards import GuardContext
from engine.i18n import Msg, msg
from engine.machines import ProcessMachine, machines
from engine.models import (
    Association,
    AssociationMember,
    Decision,
    Document,
    Event,
    Initiative,
    Membership,
    Person,
    StagePlan,
    Step,
    SupportRequest,
    WorkflowVersion,
)
from engine.models.consultations import Consultation, ConsultationPost
from engine.models.meetings import Meeting, Supporter
from engine.models.support import PROMISED_STATUSES, WAITING_STATUSES
from engine.models.surveys import Survey, SurveyResponse
from engine.permissions import can_change
from engine.workflows.definitions import WorkflowDef
from engine.workflows.versions import definitions_by_id

log = logging.getLogger(__name__)


def get_initiative(session: Session, initiative_id: int) -> Initiative:
    initiative = session.get(Initiative, initiative_id)
    if initiative is None:
        raise NotFound(msg("This initiative does not exist."))
    return initiative


def get_person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(msg("This person does not exist."))
    return person


#: a person's role in a group (every initiative page and every change asks)
_MEMBER_ROLE = select(Membership.role).where(
    Membership.initiative_id == bindparam("iid"), Membership.person_id == bindparam("pid")
)


def member_role(session: Session, initiative_id: int, person_id: int | None) -> str | None:
    if person_id is None:
        return None
    return session.scalar(_MEMBER_ROLE, {"iid": initiative_id, "pid": person_id})


#: an initiative with the role of one person in it, in one statement (every page and form of
#: an initiative starts with both; on PostgreSQL a statement costs the web process ~0.1 ms)
_INITIATIVE_AND_ROLE = select(
    Initiative,
    select(Membership.role)
    .where(Membership.initiative_id == Initiative.id, Membership.person_id == bindparam("pid"))
    .scalar_subquery(),
).where(Initiative.id == bindparam("iid"))


#: the same, taking the initiative's turn (see take_turn) on PostgreSQL
_INITIATIVE_AND_ROLE_TURN = _INITIATIVE_AND_ROLE.with_for_update(of=Initiative, key_share=True)
#: session.info: (the transaction, the initiative) whose turn was taken with the initiative
_TURN_TAKEN = "verbinding turn taken"


def initiative_and_role(
    session: Session, initiative_id: int, person_id: int | None, *, for_change: bool = False
) -> tuple[Initiative | None, str | None]:
    """The initiative (None when there is none) and ``person_id``'s role in its group.

    ``for_change``: a form about to change the initiative; on PostgreSQL the same statement
    takes the row lock of :func:`take_turn`, which the operation then need not take again in
    this transaction (SQLite takes its write lock when the operation starts, as before).
    """
    if person_id is None:
        return session.get(Initiative, initiative_id), None
    locking = for_change and session.connection().dialect.name == "postgresql"
    query = _INITIATIVE_AND_ROLE_TURN if locking else _INITIATIVE_AND_ROLE
    row = session.execute(query, {"iid": initiative_id, "pid": person_id}).first()
    if row is None:
        return None, None
    if locking:
        session.info[_TURN_TAKEN] = (session.get_transaction(), initiative_id)
    return row[0], row[1]


def _turn_taken(session: Session, initiative_id: int) -> bool:
    """Whether this transaction already holds the initiative's row lock (taken on loading)."""
    taken = session.info.get(_TURN_TAKEN)
    return taken is not None and taken == (session.get_transaction(), initiative_id)


def require_change(session: Session, initiative: Initiative, actor: Person) -> str:
    """The actor's role in the group, or a refusal if they may not change the initiative."""
    role = member_role(session, initiative.id, actor.id)
    if role is None or not can_change(role):
        raise PermissionDenied(
            msg("Only the members of this initiative can change it."),
        )
    return role


def require_not_paused(initiative: Initiative) -> None:
    if initiative.is_paused:
        raise Paused(msg("This initiative is paused. Resume it first."))


def check_version(initiative: Initiative, expected_version: int | None) -> None:
    """Refuse a change made from a page that showed an older state of the initiative."""
    if expected_version is not None and expected_version != initiative.version:
        raise Conflict()


def check_row_version(row: Any, expected_version: int | None, changed: Msg) -> None:
    """Refuse a change of a step, document or task made from a page that showed an older
    version of it; ``changed`` says plainly which one changed meanwhile."""
    if expected_version is not None and expected_version != row.version:
        raise Conflict(changed)


def bump_version(row: Any, column: str) -> None:
    """Give a versioned row a new version at the next flush (compared with the one loaded),
    also when only rows that hang from it changed (a task's rota); ``column`` is one of its
    own columns, written again unchanged."""
    flag_modified(row, column)


_I = Initiative.__table__.c
#: PostgreSQL: the row lock an UPDATE of the row takes (it lets rows that only point at the
#: initiative, a new event or step, be written meanwhile)
_LOCK = select(_I.id).where(_I.id == bindparam("iid")).with_for_update(key_share=True)
_ACTIVITY = (
    update(Initiative.__table__)
    .where(_I.id == bindparam("iid"))
    .values(last_activity_dt=bindparam("now", type_=UTCDateTime()))
)


def take_turn(session: Session, initiative_id: int) -> None:
    """The lock of :func:`lock_initiative` alone, for an operation that reads the initiative
    in its own query afterwards (a move).

    PostgreSQL locks the row (``SELECT … FOR NO KEY UPDATE``). SQLite has one writer at a
    time: the transaction starts as a writer (``BEGIN IMMEDIATE``) unless it already is one,
    so nothing it reads from here on can change under it. (An UPDATE that changes nothing
    would do on both, at several times the cost on SQLite; measured in BENCHMARKS.md.)
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        if not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        return  # a missing initiative: the caller's read of it says so
    if _turn_taken(session, initiative_id):
        return  # locked as the form's page loaded it (initiative_and_role)
    if connection.execute(_LOCK, {"iid": initiative_id}).first() is None:
        raise NotFound(msg("This initiative does not exist."))


def lock_initiative(session: Session, initiative_id: int) -> Initiative:
    """Hold the initiative's row until the commit and return its current state; nothing of it
    changes (a refused operation has written nothing).

    Every operation that decides on what an initiative holds starts here: it takes the row
    lock on PostgreSQL and the write lock on SQLite (see :func:`take_turn`), so operations on
    one initiative take turns from this point and each one reads what the one before it
    committed. Without it, a move could check "every step is done" while a step is added, or
    a step could land in a stage the group is leaving.
    """
    session.flush()  # pending changes go first (and on SQLite, make this a writer already)
    take_turn(session, initiative_id)
    initiative = session.get(Initiative, initiative_id, populate_existing=True)
    if initiative is None:
        raise NotFound(msg("This initiative does not exist."))
    return initiative


def _event(
    session: Session,
    initiative: Initiative,
    actor: Person | None,
    now: datetime,
    kind: str,
    note: str | None,
    from_stage: str | None,
    to_stage: str | None,
    data: dict[str, Any],
) -> Event:
    event = Event(
        initiative_id=initiative.id,
        actor_id=actor.id if actor is not None else None,
        created_dt=now,
        kind=kind,
        from_stage=from_stage,
        to_stage=to_stage,
        note=note or None,
        data=data,
    )
    session.add(event)
    log.info("initiative %s: %s by %s %s", initiative.id, kind, event.actor_id, data or "")
    return event


def record(
    session: Session,
    initiative: Initiative,
    actor: Person | None,
    now: datetime,
    kind: str,
    *,
    note: str | None = None,
    from_stage: str | None = None,
    to_stage: str | None = None,
    **data: Any,
) -> Event:
    """Append an event to the history and mark the initiative as changed (bumping its version)."""
    event = _event(session, initiative, actor, now, kind, note, from_stage, to_stage, data)
    initiative.last_activity_dt = now
    # an update (and so a new version) even when nothing else changed in the same instant
    flag_modified(initiative, "last_activity_dt")
    return event


def record_detail(
    session: Session,
    initiative: Initiative,
    actor: Person | None,
    now: datetime,
    kind: str,
    *,
    note: str | None = None,
    **data: Any,
) -> Event:
    """Append an event about a detail (a step, a document, a task, a turn) to the history and
    note the activity on the initiative, around its version: the initiative's own state did
    not change, so nobody's page of it goes stale."""
    event = _event(session, initiative, actor, now, kind, note, None, None, data)
    session.connection().execute(_ACTIVITY, {"iid": initiative.id, "now": now})
    set_committed_value(initiative, "last_activity_dt", now)
    return event


def definition_for(session: Session, initiative: Initiative) -> tuple[str, WorkflowDef]:
    """The content hash and definition of the template version the initiative runs on."""
    vid = initiative.workflow_version_id
    return definitions_by_id(session, (vid,))[vid]


def machine_for(session: Session, initiative: Initiative) -> tuple[WorkflowDef, ProcessMachine]:
    digest, defn = definition_for(session, initiative)
    return defn, machines.get(digest, defn, initiative.graph_key)


def _count(*where) -> ScalarSelect:
    return select(func.count()).where(*where).scalar_subquery()


_A = Association.__table__.c
_M = AssociationMember.__table__.c


#: a meeting of the initiative that ended (by the moment the facts are read) and was not called off
_HELD = (
    Meeting.initiative_id == _I.id,
    Meeting.cancelled_dt.is_(None),
    Meeting.end_dt <= bindparam("now", type_=UTCDateTime()),
)


def _facts_statement():
    """One SELECT with every fact a move needs: the row, template, actor's role, guard facts.

    Each column is labelled and read by its name (:func:`load_facts`)."""
    steps_here = and_(Step.initiative_id == _I.id, Step.stage_key == _I.state)
    return (
        select(
            _I.state.label("state"),
            _I.graph_key.label("graph_key"),
            _I.is_paused.label("is_paused"),
            _I.version.label("version"),
            # what the move's notification says: the group's title, in the group's language
            _I.title.label("title"),
            _I.language.label("language"),
            func.length(func.trim(_I.description)).label("description_length"),
            WorkflowVersion.content_hash.label("content_hash"),
            select(Membership.role)
            .where(Membership.initiative_id == _I.id, Membership.person_id == bindparam("pid"))
            .scalar_subquery()
            .label("role"),
            _count(Membership.initiative_id == _I.id, Membership.role != "coach").label(
                "member_count"
            ),
            _count(Membership.initiative_id == _I.id, Membership.role == "partner").label(
                "partner_count"
            ),
            # a step closed without being done is neither open nor planned any more
            _count(steps_here, Step.is_open).label("open_steps"),
            _count(steps_here, Step.closed_dt.is_(None)).label("total_steps"),
            _count(Document.initiative_id == _I.id, Document.stage_key == _I.state).label(
                "documents_in_stage"
            ),
            _count(Document.initiative_id == _I.id).label("documents_total"),
            _count(SupportRequest.initiative_id == _I.id).label("support_requests"),
            _count(
                SupportRequest.initiative_id == _I.id,
                # plain comparisons, not IN: an IN list is expanded on every execution
                or_(*(SupportRequest.status == status for status in WAITING_STATUSES)),
            ).label("waiting_support_requests"),
            _count(
                SupportRequest.initiative_id == _I.id,
                or_(*(SupportRequest.status == status for status in PROMISED_STATUSES)),
            ).label("undelivered_support_requests"),
            _A.id.label("association_id"),
            _count(
                Decision.initiative_id == _I.id,
                or_(Decision.status == "open", Decision.status == "approved"),
            ).label("live_decisions"),
            func.length(func.trim(_A.name)).label("association_name_length"),
            _A.contact_person_id.label("association_contact_id"),
            _count(_M.association_id == _A.id, _M.board_role.is_not(None)).label(
                "association_board"
            ),
            _count(_M.association_id == _A.id).label("association_members"),
            exists().where(Survey.initiative_id == _I.id).label("has_survey"),
            select(func.count())
            .select_from(SurveyResponse)
            .join(Survey, Survey.id == SurveyResponse.survey_id)
            .where(Survey.initiative_id == _I.id)
            .scalar_subquery()
            .label("survey_answers"),
            _count(Consultation.initiative_id == _I.id, Consultation.stage_key == _I.state).label(
                "consultations_in_stage"
            ),
            # visible ideas, reactions and replies in the consultation of this stage (not hidden,
            # not deleted by their authors)
            select(func.count())
            .select_from(ConsultationPost)
            .join(Consultation, Consultation.id == ConsultationPost.consultation_id)
            .where(
                Consultation.initiative_id == _I.id,
                Consultation.stage_key == _I.state,
                ConsultationPost.hidden_dt.is_(None),
                ConsultationPost.deleted_dt.is_(None),
            )
            .scalar_subquery()
            .label("consultation_reactions"),
            _count(*_HELD).label("meetings_held"),
            _count(*_HELD, Meeting.minutes_document_id.is_not(None)).label("meetings_with_minutes"),
            _count(Supporter.initiative_id == _I.id).label("supporters"),
            # does the plan have dates at all? (then a stage change re-plans its reminders)
            or_(
                exists().where(
                    Step.initiative_id == _I.id,
                    Step.due_date.is_not(None),
                    Step.is_open,
                ),
                exists().where(
                    StagePlan.initiative_id == _I.id, StagePlan.target_date.is_not(None)
                ),
            ).label("has_dates"),
        )
        .join(WorkflowVersion, WorkflowVersion.id == _I.workflow_version_id)
        # at most one association per initiative (a unique key): its facts come along
        .outerjoin(Association.__table__, _A.initiative_id == _I.id)
        .where(_I.id == bindparam("iid"))
    )


FACTS = _facts_statement()


@dataclass(frozen=True, slots=True)
class Facts:
    """An initiative's state as one query saw it, with the actor's role and the guard facts."""

    initiative_id: int
    state: str
    graph_key: str
    is_paused: bool
    version: int
    content_hash: str
    role: str | None
    context: GuardContext
    #: open or approved group decisions (they belong to the current stage)
    live_decisions: int
    #: open steps with a due date or stages with a target date: reminders to re-plan
    has_dates: bool
    #: the initiative's title and the language it is written in (the move's notification)
    title: str
    language: str


def load_facts(
    session: Session, initiative_id: int, actor_id: int | None, now: datetime | None = None
) -> Facts:
    """The facts as they are at ``now`` (by default the clock's now: a meeting counts as held
    once it has ended)."""
    moment = now if now is not None else datetime.now(UTC)
    row = (
        session.connection()
        .execute(FACTS, {"iid": initiative_id, "pid": actor_id, "now": moment})
        .first()
    )
    if row is None:
        raise NotFound(msg("This initiative does not exist."))
    return Facts(
        initiative_id=initiative_id,
        state=row.state,
        graph_key=row.graph_key,
        is_paused=bool(row.is_paused),
        version=row.version,
        content_hash=row.content_hash,
        role=row.role,
        context=GuardContext(
            member_count=row.member_count,
            partner_count=row.partner_count,
            open_steps=row.open_steps,
            total_steps=row.total_steps,
            description_length=row.description_length or 0,
            documents_in_stage=row.documents_in_stage,
            documents_total=row.documents_total,
            support_requests=row.support_requests,
            waiting_support_requests=row.waiting_support_requests,
            undelivered_support_requests=row.undelivered_support_requests,
            association_exists=row.association_id is not None,
            association_named=bool(row.association_name_length),
            association_contact=row.association_contact_id is not None,
            association_board=row.association_board,
            association_members=row.association_members,
            has_survey=bool(row.has_survey),
            survey_answers=row.survey_answers,
            consultation_held=bool(row.consultations_in_stage),
            consultation_reactions=row.consultation_reactions,
            meetings_held=row.meetings_held,
            meetings_with_minutes=row.meetings_with_minutes,
            supporters=row.supporters,
        ),
        live_decisions=row.live_decisions,
        has_dates=bool(row.has_dates),
        title=row.title,
        language=row.language,
    )


def guard_context(
    session: Session, initiative: Initiative, now: datetime | None = None
) -> GuardContext:
    """Load every fact a guard may look at, in one query."""
    return load_facts(session, initiative.id, None, now).context
