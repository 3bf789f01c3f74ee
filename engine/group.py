"""What the pages say about the group: who is in it, who asks to join, where a visitor stands.

Reads only; the changes are in :mod:`engine.operations.membership` and its neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import Initiative, JoinRequest, Membership, Person, Step
from engine.operations.membership import resident_count, was_removed
from engine.permissions import RESIDENT_ROLES, can_manage_members, may_take_part, stands_in


@dataclass(frozen=True)
class MemberRow:
    person_id: int
    name: str
    role: str
    organisation: str | None
    joined_dt: datetime
    #: open steps they own (they lose their owner if the person leaves or is removed)
    open_steps: int = 0


@dataclass(frozen=True)
class RequestRow:
    request: JoinRequest
    name: str


@dataclass
class JoinView:
    """Where a visitor stands towards the group, for the initiative page."""

    policy: str
    #: started on behalf of residents and no resident came in yet
    waiting: bool
    #: the visitor is the coach who started it, and no resident came in yet
    stands_in: bool
    #: the process coach who started it on behalf of residents
    starter_name: str | None = None
    #: requests that wait for an answer (counted for initiators only)
    pending: int = 0
    #: the visitor's latest request, pending or answered (for residents outside the group)
    mine: JoinRequest | None = None
    #: the visitor was removed and has not come back since: they ask, they do not just join
    removed: bool = False

    @property
    def asked(self) -> bool:
        return self.mine is not None and self.mine.status == "pending"

    @property
    def joins_at_once(self) -> bool:
        return self.policy == "open" and not self.removed and not self.waiting


def _residents(session: Session, initiative: Initiative) -> int | None:
    return resident_count(session, initiative.id) if initiative.is_on_behalf else None


def load_join_view(
    session: Session,
    initiative: Initiative,
    viewer: Person | None,
    role: str | None,
    pending: int | None = None,
) -> JoinView:
    """What the group panel tells this visitor; a handful of small queries, only those needed
    (``pending``: the requests waiting for an answer, when the caller has counted them)."""
    residents = _residents(session, initiative)
    view = JoinView(
        policy=initiative.join_policy,
        waiting=residents == 0,
        stands_in=residents is not None and stands_in(initiative, viewer, residents),
    )
    if initiative.is_on_behalf and initiative.created_by_id is not None:
        view.starter_name = session.scalar(
            select(Person.name).where(Person.id == initiative.created_by_id)
        )
    if can_manage_members(role) and pending is not None:
        view.pending = pending
    elif can_manage_members(role):
        view.pending = session.execute(
            select(func.count()).where(
                JoinRequest.initiative_id == initiative.id, JoinRequest.status == "pending"
            )
        ).scalar_one()
    elif role is None and viewer is not None and may_take_part(viewer):
        view.mine = session.scalar(
            select(JoinRequest)
            .where(JoinRequest.initiative_id == initiative.id, JoinRequest.person_id == viewer.id)
            .order_by(JoinRequest.created_dt.desc(), JoinRequest.id.desc())
            .limit(1)
        )
        view.removed = was_removed(session, initiative.id, viewer.id)
    return view


@dataclass
class GroupPage:
    """The members page: the group, and for initiators the requests waiting for an answer."""

    initiative: Initiative
    members: list[MemberRow]
    requests: list[RequestRow] = field(default_factory=list)

    def member(self, person_id: int) -> MemberRow | None:
        return next((m for m in self.members if m.person_id == person_id), None)

    @property
    def initiators(self) -> int:
        return sum(1 for m in self.members if m.role == "initiator")


def load_group(session: Session, initiative: Initiative, role: str | None) -> GroupPage:
    """The resident group with their open steps; pending requests when ``role`` may decide."""
    open_steps = dict(
        session.execute(
            select(Step.owner_id, func.count())
            .where(
                Step.initiative_id == initiative.id,
                Step.owner_id.is_not(None),
                Step.is_done.is_(False),
            )
            .group_by(Step.owner_id)
        ).all()
    )
    members = [
        MemberRow(pid, name, member_role, organisation, joined, open_steps.get(pid, 0))
        for pid, name, member_role, organisation, joined in session.execute(
            select(
                Membership.person_id,
                Person.name,
                Membership.role,
                Membership.organisation,
                Membership.joined_dt,
            )
            .join(Person, Person.id == Membership.person_id)
            .where(
                Membership.initiative_id == initiative.id,
                Membership.role.in_(sorted(RESIDENT_ROLES)),
            )
            .order_by(Membership.id)
        )
    ]
    page = GroupPage(initiative, members)
    if can_manage_members(role):
        page.requests = [
            RequestRow(request, name)
            for request, name in session.execute(
                select(JoinRequest, Person.name)
                .join(Person, Person.id == JoinRequest.person_id)
                .where(JoinRequest.initiative_id == initiative.id, JoinRequest.status == "pending")
                .order_by(JoinRequest.created_dt, JoinRequest.id)
            )
        ]
    return page
