"""What the discussion pages read: who the visitor is to the initiative, a thread's page of
messages with their replies, the decisions' discussions, the area's coaches. Each page is a
fixed number of queries, however long the discussion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from sqlalchemy import Select, bindparam, exists, func, literal, or_, select, true, union
from sqlalchemy.orm import Session, joinedload

from engine.db import ONE_ROW
from engine.models import (
    CoachAssignment,
    Decision,
    Initiative,
    Membership,
    Message,
    MessageReport,
    Neighbourhood,
    Person,
)
from engine.operations.common import member_role
from engine.permissions import (
    RESIDENT_ROLES,
    can_moderate_discussion,
    can_read_discussion,
    can_write_discussion,
    is_area_coach,
    is_staff,
    sees_hidden_reason,
    sees_hidden_text,
)

#: messages (each with its replies) on one page of a discussion
PER_PAGE = 50


def _assigned_clause(initiative: Initiative):
    district = (
        select(Neighbourhood.district_id)
        .where(Neighbourhood.id == initiative.neighbourhood_id)
        .scalar_subquery()
    )
    return or_(
        CoachAssignment.initiative_id == initiative.id, CoachAssignment.district_id == district
    )


#: the process coaches of an initiative (built once: every initiative page reads it)
_AREA_COACHES = (
    select(Person)
    .where(
        Person.is_active.is_(True),
        Person.id.in_(
            select(CoachAssignment.coach_id).where(
                or_(
                    CoachAssignment.initiative_id == bindparam("iid"),
                    CoachAssignment.district_id
                    == select(Neighbourhood.district_id)
                    .where(Neighbourhood.id == bindparam("hood"))
                    .scalar_subquery(),
                )
            )
        ),
    )
    .order_by(Person.name, Person.id)
)


def area_coach(session: Session, initiative: Initiative, person: Person | None) -> bool:
    """Whether ``person`` is one of the initiative's process coaches (or an admin)."""
    if person is None or not is_staff(person):
        return False
    assigned = bool(
        session.scalar(
            select(
                exists().where(CoachAssignment.coach_id == person.id, _assigned_clause(initiative))
            )
        )
    )
    return is_area_coach(person, assigned)


def area_coaches(session: Session, initiative: Initiative) -> list[Person]:
    """The process coaches who look after the initiative (directly or for its stadsdeel)."""
    return list(
        session.scalars(_AREA_COACHES, {"iid": initiative.id, "hood": initiative.neighbourhood_id})
    )


#: the coaches' names and the open reports together (the initiative page's discussion panel):
#: the names joined to one row, so that the count comes along when there is no coach
_COACH_NAMES = _AREA_COACHES.with_only_columns(Person.name, Person.id).subquery("coach")
_OPEN_REPORTS = (
    select(func.count())
    .select_from(MessageReport)
    .where(MessageReport.initiative_id == bindparam("iid"), MessageReport.closed_dt.is_(None))
)
_COACHES_AND_REPORTS = (
    select(
        _OPEN_REPORTS.scalar_subquery(),
        _COACH_NAMES.c.name,
    )
    .select_from(ONE_ROW.outerjoin(_COACH_NAMES, true()))
    .order_by(_COACH_NAMES.c.name, _COACH_NAMES.c.id)
)


def coach_names_and_reports(session: Session, initiative: Initiative) -> tuple[list[str], int]:
    """The names of the initiative's process coaches (as :func:`area_coaches`, in order) and
    how many reports of its messages nobody has dealt with yet, in one query."""
    rows = session.execute(
        _COACHES_AND_REPORTS, {"iid": initiative.id, "hood": initiative.neighbourhood_id}
    ).all()
    return [name for _, name in rows if name is not None], rows[0][0] or 0


@dataclass(frozen=True)
class Standing:
    """The visitor and what they may do in the initiative's discussions."""

    person: Person | None
    role: str | None
    area_coach: bool
    initiative: Initiative

    def reads(self, channel: str) -> bool:
        return can_read_discussion(
            self.initiative, self.person, self.role, self.area_coach, channel
        )

    def writes(self, channel: str) -> bool:
        return can_write_discussion(self.person, self.role, self.area_coach, channel)

    @property
    def moderates(self) -> bool:
        return can_moderate_discussion(self.role, self.area_coach)

    @property
    def reads_hidden(self) -> bool:
        return sees_hidden_text(self.role, self.area_coach)

    @property
    def sees_reasons(self) -> bool:
        return sees_hidden_reason(self.person, self.role)

    @property
    def signed_in(self) -> bool:
        return self.person is not None


def standing(
    session: Session,
    initiative: Initiative,
    person: Person | None,
    role: str | None = None,
    *,
    known: bool = False,
) -> Standing:
    """``role`` with ``known``: the visitor's role in the group, already looked up."""
    if not known and person is not None:
        role = member_role(session, initiative.id, person.id)
    return Standing(person, role, area_coach(session, initiative, person), initiative)


@dataclass
class MessageView:
    message: Message
    replies: list[Message] = field(default_factory=list)


@dataclass
class ThreadPage:
    """One page of a discussion: its messages oldest first, each with its replies."""

    channel: str
    decision: Decision | None
    messages: list[MessageView]
    total: int
    page: int
    pages: int
    #: open reports per message, for the initiators and coaches
    reports: dict[int, list[MessageReport]]


def _thread(initiative_id: int, channel: str, decision_id: int | None):
    where = [Message.initiative_id == initiative_id, Message.channel == channel]
    where.append(
        Message.decision_id.is_(None) if decision_id is None else Message.decision_id == decision_id
    )
    return where


def load_thread(
    session: Session,
    initiative: Initiative,
    *,
    channel: str = "group",
    decision: Decision | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    with_reports: bool = False,
) -> ThreadPage:
    """A page of a thread: count, messages, their replies, (open reports): four queries."""
    where = _thread(initiative.id, channel, decision.id if decision else None)
    total = (
        session.scalar(
            select(func.count()).select_from(Message).where(*where, Message.parent_id.is_(None))
        )
        or 0
    )
    pages = max(ceil(total / per_page), 1)
    page = min(max(page, 1), pages)
    top = list(
        session.scalars(
            select(Message)
            .options(joinedload(Message.author), joinedload(Message.hidden_by))
            .where(*where, Message.parent_id.is_(None))
            .order_by(Message.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    views = {m.id: MessageView(m) for m in top}
    shown = list(views)
    if views:
        for reply in session.scalars(
            select(Message)
            .options(joinedload(Message.author), joinedload(Message.hidden_by))
            .where(Message.parent_id.in_(list(views)))
            .order_by(Message.id)
        ):
            views[reply.parent_id].replies.append(reply)  # type: ignore[index]
            shown.append(reply.id)
    reports: dict[int, list[MessageReport]] = {}
    if with_reports and shown:
        for report in session.scalars(
            select(MessageReport)
            .options(joinedload(MessageReport.reporter))
            .where(MessageReport.message_id.in_(shown), MessageReport.closed_dt.is_(None))
            .order_by(MessageReport.id)
        ):
            reports.setdefault(report.message_id, []).append(report)
    return ThreadPage(channel, decision, list(views.values()), total, page, pages, reports)


def page_of(session: Session, message: Message, per_page: int = PER_PAGE) -> int:
    """The page of its thread a message (or the message it replies to) is on."""
    top_id = message.parent_id or message.id
    before = session.scalar(
        select(func.count())
        .select_from(Message)
        .where(
            *_thread(message.initiative_id, message.channel, message.decision_id),
            Message.parent_id.is_(None),
            Message.id < top_id,
        )
    )
    return (before or 0) // per_page + 1


@dataclass
class DecisionThread:
    decision: Decision
    messages: int


def decision_threads(session: Session, initiative: Initiative) -> list[DecisionThread]:
    """Every decision of the initiative with how many messages its discussion holds, newest
    decision first (one query)."""
    count = (
        select(func.count())
        .where(Message.decision_id == Decision.id, Message.channel == "group")
        .correlate(Decision)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Decision, count)
        .where(Decision.initiative_id == initiative.id)
        .order_by(Decision.id.desc())
    )
    return [DecisionThread(d, n) for d, n in rows]


def decision_message_counts(session: Session, initiative_id: int) -> dict[int, int]:
    """How many messages each decision's discussion holds (one query)."""
    rows = session.execute(
        select(Message.decision_id, func.count())
        .where(
            Message.initiative_id == initiative_id,
            Message.channel == "group",
            Message.decision_id.is_not(None),
        )
        .group_by(Message.decision_id)
    )
    return {decision_id: n for decision_id, n in rows if decision_id is not None}


def open_reports(session: Session, initiative_id: int, limit: int = 50) -> list[MessageReport]:
    """The reports nobody has dealt with yet, oldest first, with their messages."""
    return list(
        session.scalars(
            select(MessageReport)
            .options(joinedload(MessageReport.reporter), joinedload(MessageReport.message))
            .where(MessageReport.initiative_id == initiative_id, MessageReport.closed_dt.is_(None))
            .order_by(MessageReport.id)
            .limit(limit)
        )
    )


def participants_to_tell(session: Session, message: Message) -> Select:
    """The people to notify of a new message: a SELECT of person ids, never its author.

    The group's discussion (and a decision's): the resident group and the area's process
    coaches (who else wrote there has left the group since). The coaches' thread: the
    initiators and the area's coaches. (Whether each is told at once, in a digest or not at
    all is their preference; a paused group hears nothing: the notifier decides both.)
    """
    initiative = session.get(Initiative, message.initiative_id)
    assert initiative is not None
    roles = ("initiator",) if message.channel == "coaches" else tuple(sorted(RESIDENT_ROLES))
    group = select(Membership.person_id.label("person_id")).where(
        Membership.initiative_id == initiative.id, Membership.role.in_(roles)
    )
    coaches = select(CoachAssignment.coach_id.label("person_id")).where(
        _assigned_clause(initiative)
    )
    everyone = union(group, coaches).subquery()
    return (
        select(everyone.c.person_id)
        .join(Person, Person.id == everyone.c.person_id)
        .where(Person.is_active.is_(True), everyone.c.person_id != literal(message.author_id))
    )
