"""What the consultation page reads: the consultation shown, a page of its posts (newest first,
by keyset: ``before`` an id), their replies, supports and reports, and the counts. A fixed
number of queries, however many reactions there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, joinedload

from engine.models import Initiative
from engine.models.consultations import (
    Consultation,
    ConsultationPost,
    ConsultationReport,
    ConsultationSupport,
)

#: ideas and reactions (each with its replies) on one page
PER_PAGE = 30
#: replies shown under one post (the rest are counted)
MAX_REPLIES = 20


def consultations_of(session: Session, initiative_id: int) -> list[Consultation]:
    """Every consultation of the initiative, newest first (one per stage: a short list)."""
    return list(
        session.scalars(
            select(Consultation)
            .where(Consultation.initiative_id == initiative_id)
            .order_by(Consultation.opened_dt.desc(), Consultation.id.desc())
        )
    )


def of_stage(session: Session, initiative: Initiative) -> Consultation | None:
    """The consultation of the initiative's current stage, if the group opened one (one query)."""
    return session.scalar(
        select(Consultation).where(
            Consultation.initiative_id == initiative.id,
            Consultation.stage_key == initiative.state,
        )
    )


def pick(consultations: list[Consultation], initiative: Initiative, stage: str | None):
    """The one asked for by stage, else the current stage's, else the newest (or None)."""
    for wanted in (stage, initiative.state):
        for c in consultations:
            if c.stage_key == wanted:
                return c
    return consultations[0] if consultations and stage is None else None


@dataclass
class PostView:
    post: ConsultationPost
    replies: list[ConsultationPost] = field(default_factory=list)
    supports: int = 0
    supported: bool = False
    reports: list[ConsultationReport] = field(default_factory=list)


@dataclass
class ConsultationPage:
    consultation: Consultation
    posts: list[PostView]
    #: ideas and reactions, replies, all visible; and ideas the group answered
    top_count: int
    reaction_count: int
    marked_count: int
    #: the id to ask ``before`` for the next (older) page; None on the last
    next_before: int | None
    #: the page starts below the newest post
    is_first: bool
    #: open reports, for the initiators and coaches
    open_reports: list[ConsultationReport]


def _counts(session: Session, consultation_id: int) -> tuple[int, int, int]:
    visible = and_(ConsultationPost.hidden_dt.is_(None), ConsultationPost.deleted_dt.is_(None))
    top = and_(visible, ConsultationPost.parent_id.is_(None))
    marked = and_(top, ConsultationPost.outcome.is_not(None))
    row = session.execute(
        select(
            func.count(case((top, 1))),
            func.count(case((visible, 1))),
            func.count(case((marked, 1))),
        ).where(ConsultationPost.consultation_id == consultation_id)
    ).one()
    return row[0] or 0, row[1] or 0, row[2] or 0


def load_page(
    session: Session,
    consultation: Consultation,
    *,
    before: int | None = None,
    viewer_id: int | None = None,
    with_reports: bool = False,
    per_page: int = PER_PAGE,
) -> ConsultationPage:
    """A page of posts: counts, posts, replies, supports, (the viewer's supports), (reports)."""
    top_count, reaction_count, marked_count = _counts(session, consultation.id)
    where = [
        ConsultationPost.consultation_id == consultation.id,
        ConsultationPost.parent_id.is_(None),
    ]
    if before is not None:
        where.append(ConsultationPost.id < before)
    found = list(
        session.scalars(
            select(ConsultationPost)
            .options(joinedload(ConsultationPost.author), joinedload(ConsultationPost.hidden_by))
            .where(*where)
            .order_by(ConsultationPost.id.desc())
            .limit(per_page + 1)
        )
    )
    more = len(found) > per_page
    found = found[:per_page]
    views = {p.id: PostView(p) for p in found}
    ids = list(views)
    reports: list[ConsultationReport] = []
    if ids:
        _replies(session, views, ids)
        for post_id, n in session.execute(
            select(ConsultationSupport.post_id, func.count())
            .where(ConsultationSupport.post_id.in_(ids))
            .group_by(ConsultationSupport.post_id)
        ):
            views[post_id].supports = n
        if viewer_id is not None:
            for post_id in session.scalars(
                select(ConsultationSupport.post_id).where(
                    ConsultationSupport.post_id.in_(ids),
                    ConsultationSupport.person_id == viewer_id,
                )
            ):
                views[post_id].supported = True
    if with_reports:
        reports = _reports(session, consultation, views)
    return ConsultationPage(
        consultation=consultation,
        posts=list(views.values()),
        top_count=top_count,
        reaction_count=reaction_count,
        marked_count=marked_count,
        next_before=found[-1].id if more and found else None,
        is_first=before is None,
        open_reports=reports,
    )


def _replies(session: Session, views: dict[int, PostView], ids: list[int]) -> None:
    """The first replies of each post on the page, oldest first (one query)."""
    numbered = (
        select(
            ConsultationPost.id,
            func.row_number()
            .over(partition_by=ConsultationPost.parent_id, order_by=ConsultationPost.id)
            .label("n"),
        )
        .where(ConsultationPost.parent_id.in_(ids))
        .subquery()
    )
    for reply in session.scalars(
        select(ConsultationPost)
        .join(numbered, numbered.c.id == ConsultationPost.id)
        .options(joinedload(ConsultationPost.author), joinedload(ConsultationPost.hidden_by))
        .where(numbered.c.n <= MAX_REPLIES)
        .order_by(ConsultationPost.id)
    ):
        views[reply.parent_id].replies.append(reply)  # type: ignore[index]


def _reports(
    session: Session, consultation: Consultation, views: dict[int, PostView]
) -> list[ConsultationReport]:
    """The open reports of the consultation, oldest first, at most 50 (one query)."""
    found = list(
        session.scalars(
            select(ConsultationReport)
            .join(ConsultationPost, ConsultationPost.id == ConsultationReport.post_id)
            .options(joinedload(ConsultationReport.reporter), joinedload(ConsultationReport.post))
            .where(
                ConsultationReport.initiative_id == consultation.initiative_id,
                ConsultationReport.closed_dt.is_(None),
                ConsultationPost.consultation_id == consultation.id,
            )
            .order_by(ConsultationReport.id)
            .limit(50)
        )
    )
    for report in found:
        view = views.get(report.post_id)
        if view is not None:
            view.reports.append(report)
    return found


def load_post(
    session: Session,
    post: ConsultationPost,
    *,
    viewer_id: int | None = None,
    with_reports: bool = False,
) -> PostView:
    """One idea or reaction with its replies, supports, (the viewer's support), (its reports)."""
    view = PostView(post)
    _replies(session, {post.id: view}, [post.id])
    view.supports = (
        session.scalar(
            select(func.count())
            .select_from(ConsultationSupport)
            .where(ConsultationSupport.post_id == post.id)
        )
        or 0
    )
    if viewer_id is not None:
        view.supported = session.get(ConsultationSupport, (post.id, viewer_id)) is not None
    if with_reports:
        view.reports = list(
            session.scalars(
                select(ConsultationReport)
                .options(joinedload(ConsultationReport.reporter))
                .where(
                    ConsultationReport.post_id == post.id, ConsultationReport.closed_dt.is_(None)
                )
                .order_by(ConsultationReport.id)
            )
        )
    return view
