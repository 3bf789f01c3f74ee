"""What the consultation page reads: the consultation shown, a page of its posts (newest or
most supported first, by keyset), how many replies and supports each has, reports, and the
counts; and one post with its replies. A fixed number of queries, however many reactions there
are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, case, func, or_, select
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


_OF_STAGE = select(Consultation).where(
    Consultation.initiative_id == bindparam("iid"), Consultation.stage_key == bindparam("stage")
)


def of_stage(session: Session, initiative: Initiative) -> Consultation | None:
    """The consultation of the initiative's current stage, if the group opened one (one query)."""
    return session.scalar(_OF_STAGE, {"iid": initiative.id, "stage": initiative.state})


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
    #: replies under it (the list shows the count; the post's own page shows them)
    reply_count: int = 0
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
    #: in the "support" order: the supports of that post (the keyset's other half)
    next_supports: int | None
    #: "new" or "support"
    order: str
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


#: the orders of a page: newest first, or most supported first (then newest)
ORDERS = ("new", "support")


def load_page(
    session: Session,
    consultation: Consultation,
    *,
    before: int | None = None,
    before_supports: int | None = None,
    order: str = "new",
    viewer_id: int | None = None,
    with_reports: bool = False,
    per_page: int = PER_PAGE,
) -> ConsultationPage:
    """A page of ideas and reactions by keyset (``before`` an id, and in the "support" order
    ``before_supports`` its count): the counts, the posts with their supports (one statement),
    how many replies each has, (the viewer's supports), (reports). Replies themselves are on
    each post's own page."""
    top_count, reaction_count, marked_count = _counts(session, consultation.id)
    supports = (
        select(func.count())
        .where(ConsultationSupport.post_id == ConsultationPost.id)
        .correlate(ConsultationPost)
        .scalar_subquery()
    )
    where = [
        ConsultationPost.consultation_id == consultation.id,
        ConsultationPost.parent_id.is_(None),
    ]
    by_support = order == "support"
    if before is not None:
        if by_support and before_supports is not None:
            where.append(
                or_(
                    supports < before_supports,
                    and_(supports == before_supports, ConsultationPost.id < before),
                )
            )
        else:
            where.append(ConsultationPost.id < before)
    rows = session.execute(
        select(ConsultationPost, supports)
        .options(joinedload(ConsultationPost.author), joinedload(ConsultationPost.hidden_by))
        .where(*where)
        .order_by(*((supports.desc(),) if by_support else ()), ConsultationPost.id.desc())
        .limit(per_page + 1)
    ).all()
    more = len(rows) > per_page
    rows = rows[:per_page]
    views = {p.id: PostView(p, supports=n) for p, n in rows}
    ids = list(views)
    reports: list[ConsultationReport] = []
    if ids:
        for parent_id, n in session.execute(
            select(ConsultationPost.parent_id, func.count())
            .where(ConsultationPost.parent_id.in_(ids))
            .group_by(ConsultationPost.parent_id)
        ):
            views[parent_id].reply_count = n
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
    last = rows[-1] if more and rows else None
    return ConsultationPage(
        consultation=consultation,
        posts=list(views.values()),
        top_count=top_count,
        reaction_count=reaction_count,
        marked_count=marked_count,
        next_before=last[0].id if last else None,
        next_supports=last[1] if last and by_support else None,
        order="support" if by_support else "new",
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
