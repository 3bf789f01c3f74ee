"""Maintenance deadlines: the reminders' sources of turns and reviews (engine.reminders).

* ``maintenance`` — every turn still to come reminds its volunteer (kind ``maintenance_due``)
  and shows in the calendar feeds; a turn done lately stays in the calendar, without
  reminders. A turn with nobody on the rota goes to the association's contact and board.
* ``maintenance_review`` — the agreement's review date reminds the association's contact and
  board and the initiative's coaches (kind ``maintenance_review``).

Paused initiatives have no maintenance deadlines at all: no reminders, nothing in the feeds.
Both sources are swept (the reminders' periodic planner reconciles them; engine.reminders.sources
lists them) and the maintenance operations re-plan their initiative at once with
:func:`engine.maintenance.reminders.replan`. This module does not import the planner.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.i18n import msg
from engine.models import (
    Association,
    AssociationMember,
    Initiative,
    MaintenanceAgreement,
    MaintenanceTask,
    Occurrence,
)
from engine.reminders.deadlines import Deadline, coaches, titles_of
from engine.timeutil import local_date

#: turns done this many days ago still show in the calendar
RECENT_DAYS = 31


def _scoped(query, column, initiative_ids: Collection[int] | None):
    if initiative_ids is not None:
        query = query.where(column.in_(list(initiative_ids)))
    return query


def association_people(
    session: Session, initiative_ids: Collection[int] | None
) -> dict[int, list[int]]:
    """The association's contact person and board, per initiative."""
    query = (
        select(
            Association.initiative_id,
            Association.contact_person_id,
            AssociationMember.person_id.label("board_member_id"),
        )
        .outerjoin(
            AssociationMember,
            and_(
                AssociationMember.association_id == Association.id,
                AssociationMember.board_role.is_not(None),
            ),
        )
        .order_by(Association.id, AssociationMember.id)
    )
    found: dict[int, list[int]] = defaultdict(list)
    for row in session.execute(_scoped(query, Association.initiative_id, initiative_ids)):
        for pid in (row.contact_person_id, row.board_member_id):
            if pid is not None and pid not in found[row.initiative_id]:
                found[row.initiative_id].append(pid)
    return found


def turns_source(
    session: Session, initiative_ids: Collection[int] | None, now: datetime
) -> Iterable[Deadline]:
    """Turns to come (reminders and calendar) and turns done lately (calendar only)."""
    today = local_date(now, config_of(session).timezone)
    query = (
        select(Occurrence, MaintenanceTask.title)
        .join(MaintenanceTask, MaintenanceTask.id == Occurrence.task_id)
        .join(Initiative, Initiative.id == Occurrence.initiative_id)
        .where(
            Initiative.is_paused.is_(False),
            or_(
                and_(Occurrence.status == "planned", Occurrence.due_date >= today),
                and_(
                    Occurrence.status == "done",
                    Occurrence.due_date >= today - timedelta(days=RECENT_DAYS),
                ),
            ),
        )
        .order_by(Occurrence.due_date, Occurrence.id)
    )
    rows = session.execute(_scoped(query, Occurrence.initiative_id, initiative_ids)).all()
    if not rows:
        return
    fallback = association_people(session, {turn.initiative_id for turn, _ in rows})
    for turn, title in rows:
        people = (turn.assignee_id,) if turn.assignee_id else tuple(fallback[turn.initiative_id])
        yield Deadline(
            key=f"maintenance:{turn.task_id}:{turn.due_date.isoformat()}",
            initiative_id=turn.initiative_id,
            person_ids=people,
            kind="maintenance_due",
            date=turn.due_date,
            title=titles_of(msg("Maintenance: %(task)s", task=title)),
            link=f"/initiatives/{turn.initiative_id}/maintenance/tasks/{turn.task_id}"
            f"#turn-{turn.id}",
            days=None if turn.status == "planned" else (),
        )


def review_source(
    session: Session, initiative_ids: Collection[int] | None, now: datetime
) -> Iterable[Deadline]:
    """The review date of each agreement in force."""
    query = (
        select(MaintenanceAgreement, Initiative.title)
        .join(Initiative, Initiative.id == MaintenanceAgreement.initiative_id)
        .where(MaintenanceAgreement.status == "active", Initiative.is_paused.is_(False))
        .order_by(MaintenanceAgreement.id)
    )
    rows = session.execute(_scoped(query, MaintenanceAgreement.initiative_id, initiative_ids)).all()
    if not rows:
        return
    ids = {agreement.initiative_id for agreement, _ in rows}
    association, municipality = association_people(session, ids), coaches(session, ids)
    for agreement, title in rows:
        iid = agreement.initiative_id
        people = tuple(dict.fromkeys([*association[iid], *municipality.get(iid, ())]))
        yield Deadline(
            key=f"maintenance_review:{agreement.id}",
            initiative_id=iid,
            person_ids=people,
            kind="maintenance_review",
            date=agreement.review_date,
            title=titles_of(msg("Review of the maintenance agreement: %(title)s", title=title)),
            link=f"/initiatives/{iid}/maintenance/agreement",
        )
