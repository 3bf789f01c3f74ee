"""What the support and coach pages read: requests and their history, notes, coaches, inbox."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased, joinedload

from engine.db import ONE_ROW
from engine.models import (
    CoachAssignment,
    CoachNote,
    Concern,
    District,
    Event,
    Initiative,
    Neighbourhood,
    Person,
    SupportRequest,
)
from engine.models.support import OPEN_REQUEST_STATUSES, WAITING_STATUSES
from engine.permissions import STAFF_ROLES

#: an initiative's requests, open ones first (built once: the initiative page reads it)
_REQUESTS_OF = (
    select(SupportRequest)
    .options(joinedload(SupportRequest.requested_by), joinedload(SupportRequest.assigned_to))
    .where(SupportRequest.initiative_id == bindparam("iid"))
    .order_by(
        case((SupportRequest.status.in_(OPEN_REQUEST_STATUSES), 0), else_=1),
        SupportRequest.respond_by_date.asc().nulls_last(),
        SupportRequest.created_dt.desc(),
        SupportRequest.id.desc(),
    )
)
#: the coaches' notes on an initiative (newest first, at most ``limit``) and its open concern
#: (one at most: a unique index) in one statement: each note with the concern, or one row
#: with neither
_NOTES = (
    select(CoachNote)
    .where(CoachNote.initiative_id == bindparam("iid"))
    .order_by(CoachNote.created_dt.desc(), CoachNote.id.desc())
    .limit(bindparam("limit", type_=Integer))
    .subquery("note")
)
_NOTE = aliased(CoachNote, _NOTES)
_NOTES_AND_CONCERN = (
    select(Concern, _NOTE)
    .select_from(ONE_ROW)
    .outerjoin(
        Concern, and_(Concern.initiative_id == bindparam("iid"), Concern.cleared_dt.is_(None))
    )
    .outerjoin(_NOTE, true())
    .options(joinedload(Concern.raised_by), joinedload(_NOTE.author))
    .order_by(_NOTE.created_dt.desc(), _NOTE.id.desc())
)


def requests_of(session: Session, initiative_id: int) -> list[SupportRequest]:
    """An initiative's requests: open ones first (soonest respond-by first), then the rest."""
    return list(session.scalars(_REQUESTS_OF, {"iid": initiative_id}))


def request_history(session: Session, request: SupportRequest) -> list[Event]:
    """Every change of one request, oldest first, each with who, when and why."""
    events = session.scalars(
        select(Event)
        .options(joinedload(Event.actor))
        .where(Event.initiative_id == request.initiative_id, Event.kind.like("support.%"))
        .order_by(Event.created_dt, Event.id)
    )
    return [e for e in events if (e.data or {}).get("request") == request.id]


def notes_and_concern(
    session: Session, initiative_id: int, limit: int = 50
) -> tuple[list[CoachNote], Concern | None]:
    """The coaches' notes on an initiative, newest first, and its open concern."""
    rows = session.execute(_NOTES_AND_CONCERN, {"iid": initiative_id, "limit": limit}).all()
    return [note for _, note in rows if note is not None], rows[0][0]


def coaches(session: Session) -> list[Person]:
    """Active staff, by name: who a request or an initiative can be assigned to."""
    return list(
        session.scalars(
            select(Person)
            .where(Person.role.in_(sorted(STAFF_ROLES)), Person.is_active.is_(True))
            .order_by(Person.name, Person.id)
        )
    )


def assignments_of(session: Session, initiative: Initiative) -> list[CoachAssignment]:
    """The coaches looking after an initiative: directly, or for its whole stadsdeel."""
    return list(
        session.scalars(
            select(CoachAssignment)
            .options(joinedload(CoachAssignment.coach), joinedload(CoachAssignment.district))
            .where(
                or_(
                    CoachAssignment.initiative_id == initiative.id,
                    CoachAssignment.district_id == initiative.neighbourhood.district_id,
                )
            )
            .order_by(CoachAssignment.id)
        )
    )


def all_assignments(session: Session) -> list[tuple[CoachAssignment, str | None]]:
    """Every assignment with the initiative's title (None for a stadsdeel)."""
    rows = session.execute(
        select(CoachAssignment, Initiative.title)
        .options(joinedload(CoachAssignment.coach), joinedload(CoachAssignment.district))
        .outerjoin(Initiative, Initiative.id == CoachAssignment.initiative_id)
        .order_by(CoachAssignment.district_id.is_(None), CoachAssignment.id)
    )
    return [(a, title) for a, title in rows]


@dataclass
class InboxRow:
    request: SupportRequest
    initiative_id: int
    initiative_title: str
    district: str
    neighbourhood: str
    #: the language the group writes in (its title, the request)
    language: str = "nl"


def inbox(
    session: Session,
    *,
    assigned_to: int | None = None,
    unassigned: bool = False,
    district_id: int | None = None,
    waiting_only: bool = False,
    page: int = 1,
    per_page: int = 25,
) -> tuple[list[InboxRow], int]:
    """Open requests across the city, soonest respond-by first; and how many there are."""
    statuses = WAITING_STATUSES if waiting_only else OPEN_REQUEST_STATUSES
    where: list[ColumnElement[bool]] = [SupportRequest.status.in_(statuses)]
    if assigned_to is not None:
        where.append(SupportRequest.assigned_to_id == assigned_to)
    if unassigned:
        where.append(SupportRequest.assigned_to_id.is_(None))
    if district_id is not None:
        where.append(Neighbourhood.district_id == district_id)
    base = (
        select(
            SupportRequest,
            Initiative.id.label("initiative_id"),
            Initiative.title.label("initiative_title"),
            Initiative.language,
            District.name.label("district"),
            Neighbourhood.name.label("neighbourhood"),
        )
        .join(Initiative, Initiative.id == SupportRequest.initiative_id)
        .join(Neighbourhood, Neighbourhood.id == Initiative.neighbourhood_id)
        .join(District, District.id == Neighbourhood.district_id)
        .where(*where)
    )
    total = session.scalar(select(func.count()).select_from(base.subquery()))
    rows = session.execute(
        base.options(joinedload(SupportRequest.assigned_to))
        .order_by(
            SupportRequest.respond_by_date.asc().nulls_last(),
            SupportRequest.created_dt,
            SupportRequest.id,
        )
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    found = [
        InboxRow(row.SupportRequest, row.initiative_id, row.initiative_title, row.district,
                 row.neighbourhood, row.language)
        for row in rows
    ]  # fmt: skip
    return found, total or 0


def people_page(
    session: Session,
    *,
    search: str = "",
    role: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Person], int]:
    """Accounts for the admin, by name, filtered by a search on name or e-mail and by role."""
    where = []
    search = " ".join((search or "").split())
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            or_(Person.name.ilike(pattern, escape="\\"), Person.email.ilike(pattern, escape="\\"))
        )
    if role:
        where.append(Person.role == role)
    total = session.scalar(select(func.count()).select_from(Person).where(*where)) or 0
    rows = session.scalars(
        select(Person)
        .where(*where)
        .order_by(Person.name, Person.id)
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    return list(rows), total
