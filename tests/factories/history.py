"""What the database holds about an initiative: its events and its whole stored state."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Initiative


def event_count(session: Session, initiative_id: int, kind: str | None = None) -> int:
    """Events of an initiative counted in the database (a fresh query, after autoflush)."""
    from sqlalchemy import func

    from engine.models import Event

    query = select(func.count()).select_from(Event).where(Event.initiative_id == initiative_id)
    if kind is not None:
        query = query.where(Event.kind == kind)
    return session.scalar(query)


def events_of(session: Session, initiative_id: int, kind: str | None = None) -> list:
    from engine.models import Event

    query = select(Event).where(Event.initiative_id == initiative_id).order_by(Event.id)
    if kind is not None:
        query = query.where(Event.kind == kind)
    return list(session.scalars(query))


def stored_state(session: Session, initiative_id: int) -> dict:
    """What the database holds about an initiative: to check that a refusal wrote nothing."""
    from engine.models import Decision, Invitation, JoinRequest, Membership, StagePlan, Step, Vote

    def rows(*columns, order) -> list[tuple]:
        model = columns[0].class_
        return [
            tuple(r)
            for r in session.execute(
                select(*columns).where(model.initiative_id == initiative_id).order_by(order)
            )
        ]

    initiative = session.execute(
        select(
            Initiative.version,
            Initiative.state,
            Initiative.title,
            Initiative.description,
            Initiative.visibility,
            Initiative.join_policy,
            Initiative.graph_key,
            Initiative.is_paused,
            Initiative.pause_reason,
            Initiative.last_activity_dt,
        ).where(Initiative.id == initiative_id)
    ).one()
    votes = session.execute(
        select(Vote.decision_id, Vote.person_id, Vote.choice)
        .join(Decision)
        .where(Decision.initiative_id == initiative_id)
        .order_by(Vote.id)
    ).all()
    return {
        "initiative": tuple(initiative),
        "events": event_count(session, initiative_id),
        "members": rows(Membership.person_id, Membership.role, order=Membership.id),
        "invitations": rows(Invitation.email, Invitation.accepted_dt, order=Invitation.id),
        "join_requests": rows(
            JoinRequest.person_id, JoinRequest.status, JoinRequest.reason, order=JoinRequest.id
        ),
        "plans": rows(
            StagePlan.stage_key,
            StagePlan.position,
            StagePlan.is_skipped,
            StagePlan.target_date,
            order=StagePlan.id,
        ),
        "steps": rows(
            Step.id,
            Step.stage_key,
            Step.title,
            Step.owner_id,
            Step.due_date,
            Step.position,
            Step.is_done,
            Step.closed_dt,
            Step.carried_from,
            Step.version,
            order=Step.id,
        ),
        "decisions": rows(Decision.id, Decision.status, Decision.closes_dt, order=Decision.id),
        "votes": [tuple(v) for v in votes],
    }
