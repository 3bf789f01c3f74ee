"""Deadlines of the municipality's side: support requests to answer, initiatives that stalled."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.coach.health import stalled_before, stalled_where, waiting_request
from engine.coach.stages import load_versions
from engine.config import config_of
from engine.i18n import msg
from engine.models import Initiative
from engine.models.support import SupportRequest
from engine.reminders.deadlines import Deadline, coaches, titles_of
from engine.timeutil import local_date


def support_source(session: Session, initiative_ids, now: datetime) -> Iterable[Deadline]:
    """Support requests still waiting for an answer, by their respond-by date (for coaches)."""
    query = select(SupportRequest).where(
        waiting_request(SupportRequest), SupportRequest.respond_by_date.is_not(None)
    )
    if initiative_ids is not None:
        query = query.where(SupportRequest.initiative_id.in_(list(initiative_ids)))
    requests = list(session.scalars(query.order_by(SupportRequest.id)))
    if not requests:
        return
    found = coaches(session, {r.initiative_id for r in requests})
    for request in requests:
        people: tuple[int, ...] = (request.assigned_to_id,) if request.assigned_to_id else ()
        people = people or tuple(found.get(request.initiative_id, ()))
        yield Deadline(
            key=f"support:{request.id}",
            initiative_id=request.initiative_id,
            person_ids=people,
            kind="support_due",
            date=cast(date, request.respond_by_date),  # the query takes only those with one
            title=support_title(request.description),
            link=f"/initiatives/{request.initiative_id}#support-{request.id}",
        )


def support_title(description: str) -> dict[str, str]:
    """A support request's reminder title in every language: its description, shortened."""
    what = " ".join(description.split())
    what = what if len(what) <= 80 else what[:79] + "…"
    return titles_of(msg("Support request: %(what)s", what=what))


def stalled_source(session: Session, initiative_ids, now: datetime) -> Iterable[Deadline]:
    """Initiatives that stalled (:func:`engine.coach.health.stalled_where`), for their coaches."""
    config = config_of(session)
    days = config.stalled_days
    i = Initiative.__table__.c
    finals = tuple(load_versions(session).final_pairs())
    query = select(i.id, i.title, i.last_activity_dt).where(
        *stalled_where(i, stalled_before(now, days), finals)
    )
    if initiative_ids is not None:
        query = query.where(i.id.in_(list(initiative_ids)))
    rows = session.execute(query.order_by(i.id)).all()
    if not rows:
        return
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
