"""Deadlines of the municipality's side: support requests to answer, initiatives that stalled."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.i18n import LOCALES, msg, translate
from engine.models import Initiative
from engine.models.support import SupportRequest
from engine.reminders.deadlines import Deadline, coaches
from engine.timeutil import local_date
from engine.workflows.process_plan import process_plan
from engine.workflows.versions import definitions_by_id


def support_source(session: Session, initiative_ids, now: datetime) -> Iterable[Deadline]:
    """Support requests still waiting for an answer, by their respond-by date (for coaches)."""
    from engine.models.support import WAITING_STATUSES

    query = select(SupportRequest).where(
        SupportRequest.status.in_(WAITING_STATUSES), SupportRequest.respond_by_date.is_not(None)
    )
    if initiative_ids is not None:
        query = query.where(SupportRequest.initiative_id.in_(list(initiative_ids)))
    requests = list(session.scalars(query.order_by(SupportRequest.id)))
    if not requests:
        return
    found = coaches(session, {r.initiative_id for r in requests})
    for request in requests:
        people = (request.assigned_to_id,) if request.assigned_to_id else ()
        people = people or tuple(found.get(request.initiative_id, ()))
        yield Deadline(
            key=f"support:{request.id}",
            initiative_id=request.initiative_id,
            person_ids=people,
            kind="support_due",
            date=request.respond_by_date,  # type: ignore[arg-type]
            title=support_title(request.description),
            link=f"/initiatives/{request.initiative_id}#support-{request.id}",
        )


def support_title(description: str) -> dict[str, str]:
    """A support request's reminder title in every language: its description, shortened."""
    what = " ".join(description.split())
    what = what if len(what) <= 80 else what[:79] + "…"
    return {lang: translate(msg("Support request: %(what)s", what=what), lang) for lang in LOCALES}


def stalled_source(session: Session, initiative_ids, now: datetime) -> Iterable[Deadline]:
    """Initiatives without activity for STALLED_DAYS, not paused, not in a final stage."""
    config = config_of(session)
    days = config.stalled_days
    query = select(
        Initiative.id,
        Initiative.title,
        Initiative.state,
        Initiative.workflow_version_id,
        Initiative.last_activity_dt,
    ).where(
        Initiative.is_paused.is_(False), Initiative.last_activity_dt < now - timedelta(days=days)
    )
    if initiative_ids is not None:
        query = query.where(Initiative.id.in_(list(initiative_ids)))
    rows = session.execute(query.order_by(Initiative.id)).all()
    if not rows:
        return
    defs = definitions_by_id(session, {r.workflow_version_id for r in rows})
    rows = [r for r in rows if not process_plan(*defs[r.workflow_version_id]).is_final(r.state)]
    found = coaches(session, {r.id for r in rows})
    for row in rows:
        if not found.get(row.id):
            continue
        yield Deadline(
            key=f"stalled:{row.id}",
            initiative_id=row.id,
            person_ids=tuple(found[row.id]),
            kind="initiative_stalled",
            date=local_date(row.last_activity_dt, config.timezone) + timedelta(days=days),
            title=row.title,
            link=f"/initiatives/{row.id}",
            days=(0,),
            catch_up=True,
            in_calendar=False,
        )
