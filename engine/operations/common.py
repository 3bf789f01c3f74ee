"""What every operation needs: loading, permission, version checks and the history."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.sql.selectable import ScalarSelect

from engine.errors import Conflict, NotFound, Paused, PermissionDenied
from engine.guards import GuardContext
from engine.i18n import msg
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
from engine.models.support import PROMISED_STATUSES, WAITING_STATUSES
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


def member_role(session: Session, initiative_id: int, person_id: int | None) -> str | None:
    if person_id is None:
        return None
    return session.scalar(
        select(Membership.role).where(
            Membership.initiative_id == initiative_id, Membership.person_id == person_id
        )
    )


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
    initiative.last_activity_dt = now
    # an update (and so a new version) even when nothing else changed in the same instant
    flag_modified(initiative, "last_activity_dt")
    log.info("initiative %s: %s by %s %s", initiative.id, kind, event.actor_id, data or "")
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


_I = Initiative.__table__.c
_A = Association.__table__.c
_M = AssociationMember.__table__.c


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


def load_facts(session: Session, initiative_id: int, actor_id: int | None) -> Facts:
    row = session.connection().execute(FACTS, {"iid": initiative_id, "pid": actor_id}).first()
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
            waiting_support_requests=row.waiting_support_requests,
            undelivered_support_requests=row.undelivered_support_requests,
            association_exists=row.association_id is not None,
            association_named=bool(row.association_name_length),
            association_contact=row.association_contact_id is not None,
            association_board=row.association_board,
            association_members=row.association_members,
        ),
        live_decisions=row.live_decisions,
        has_dates=bool(row.has_dates),
    )


def guard_context(session: Session, initiative: Initiative) -> GuardContext:
    """Load every fact a guard may look at, in one query."""
    return load_facts(session, initiative.id, None).context
