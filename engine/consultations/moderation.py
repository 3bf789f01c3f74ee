"""Look after a consultation as after a discussion: anyone signed in reports a post, the
initiators and the area's coaches hide one with a reason (recorded in the history, by the
discussions' own rule) or leave it and close the reports. Nothing of a hidden post is shown to
the public: not its words, its photo, its author, its supports or what the group did with it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.consultations.operations import get_post
from engine.discussions.operations import record_moderation
from engine.discussions.queries import standing
from engine.discussions.text import MAX_REASON, clean_text
from engine.errors import NotFound, PermissionDenied, Refused
from engine.i18n import msg
from engine.models import Person
from engine.models.consultations import ConsultationPost, ConsultationReport
from engine.operations.common import check_row_version, get_initiative

log = logging.getLogger(__name__)

_HIDDEN = msg("This post is hidden already.")
_DELETED = msg("This post was deleted.")


def _close_reports(session: Session, post: ConsultationPost, actor: Person, now: datetime):
    session.execute(
        update(ConsultationReport)
        .where(ConsultationReport.post_id == post.id, ConsultationReport.closed_dt.is_(None))
        .values(closed_dt=now, closed_by_id=actor.id)
    )


def hide_post(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    post_id: int,
    reason: str | None,
    now: datetime,
    expected_version: int | None = None,
) -> ConsultationPost:
    """An initiator or area coach hides an idea, reaction or reply, with a reason."""
    post = get_post(session, initiative_id, post_id)
    who = standing(session, get_initiative(session, initiative_id), actor)
    if not who.moderates:
        raise PermissionDenied(
            msg("Only the initiators and the process coaches of the area can hide a post.")
        )
    if post.is_gone:
        raise Refused(_DELETED if post.deleted_dt is not None else _HIDDEN)
    check_row_version(
        post, expected_version, msg("Someone changed this post at the same moment. Try again.")
    )
    why = clean_text(reason, field="reason", maximum=MAX_REASON)
    post.hidden_dt, post.hidden_by_id, post.hidden_reason = now, actor.id, why
    _close_reports(session, post, actor, now)
    session.flush()
    record_moderation(
        session, who, actor, now, "consultation.post_hidden",
        post=post.id, person=post.author_id, reason=why,
    )  # fmt: skip
    return post


def report_post(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    post_id: int,
    reason: str | None,
    now: datetime,
) -> ConsultationReport:
    """Tell the initiators and coaches a post should not be there (once per person)."""
    post = get_post(session, initiative_id, post_id)
    if post.author_id == actor.id:
        raise Refused(msg("You wrote this yourself."))
    if post.is_gone:
        raise Refused(_DELETED if post.deleted_dt is not None else _HIDDEN)
    why = clean_text(reason, field="reason", maximum=MAX_REASON, required=False)
    if session.scalar(
        select(ConsultationReport.id).where(
            ConsultationReport.post_id == post.id, ConsultationReport.reporter_id == actor.id
        )
    ):
        raise Refused(msg("You have reported this already."))
    report = ConsultationReport(
        post_id=post.id, initiative_id=initiative_id, reporter_id=actor.id, reason=why,
        created_dt=now,
    )  # fmt: skip
    session.add(report)
    session.flush()
    log.info("initiative %s: consultation post %s reported by %s", initiative_id, post.id,
             actor.id)  # fmt: skip
    return report


def dismiss_report(
    session: Session, actor: Person, *, initiative_id: int, report_id: int, now: datetime
) -> ConsultationReport:
    """An initiator or coach looked at a report and leaves the post as it is."""
    report = session.get(ConsultationReport, report_id)
    if report is None or report.initiative_id != initiative_id:
        raise NotFound(msg("This report does not exist."))
    who = standing(session, get_initiative(session, initiative_id), actor)
    if not who.moderates:
        raise PermissionDenied(
            msg("Only the initiators and the process coaches of the area deal with reports.")
        )
    if report.closed_dt is None:
        report.closed_dt, report.closed_by_id = now, actor.id
        session.flush()
    return report
