"""Register the residents' association: its name, KvK number, contact person, board, members.

The guard ``association_registered`` reads what is here (engine.guards): a name, a contact
person, at least one board member and at least two members. Saving an incomplete association
is fine; the guard tells the group what is still missing.

The initiators register it and choose its first board; after that the board and the
initiators manage it (engine.permissions). A change that would leave nobody to manage it (the
last board member goes while the group has no initiator) is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput, Refused
from engine.i18n import msg
from engine.maintenance.roles import managers_after, require_founder, require_manager
from engine.models import Association, AssociationMember, Membership, Person, RotaMember
from engine.models.maintenance import BOARD_ROLES, MaintenanceTask
from engine.operations.common import check_version, get_initiative, record
from engine.permissions import RESIDENT_ROLES
from engine.wording import ASSOCIATION_ROLE_WORDS

KVK = re.compile(r"^\d{8}$")
#: what the form may say about a person: a plain member, or a place on the board
ASSOCIATION_ROLES = ("member", *BOARD_ROLES)
assert set(ASSOCIATION_ROLE_WORDS) == set(ASSOCIATION_ROLES)  # every role has its words


def clean_kvk(value: str | None) -> str | None:
    """A KvK number as 8 digits (spaces and dots people type are dropped), or None."""
    value = re.sub(r"[\s.]", "", value or "")
    if not value:
        return None
    if not KVK.match(value):
        raise InvalidInput(
            msg("A KvK number has exactly 8 digits, for example 41012345."), field="kvk_number"
        )
    return value


_ASSOCIATION = select(Association).where(Association.initiative_id == bindparam("iid"))


def get_association(session: Session, initiative_id: int) -> Association | None:
    return session.scalar(_ASSOCIATION, {"iid": initiative_id})


def members_of(session: Session, association_id: int) -> list[AssociationMember]:
    """The association's members, board first."""
    rows = session.scalars(
        select(AssociationMember).where(AssociationMember.association_id == association_id)
    )
    order = {role: i for i, role in enumerate(BOARD_ROLES)}
    return sorted(rows, key=lambda m: (order.get(m.board_role or "", 9), m.person.name))


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= 200:
        raise InvalidInput(
            msg("The association needs a name of 2 to 200 characters."), field="name"
        )
    return name


def _check_members(
    session: Session, initiative_id: int, members: Mapping[int, str], contact_person_id: int | None
) -> None:
    if any(role not in ASSOCIATION_ROLES for role in members.values()):
        raise InvalidInput(
            msg("Choose member or a place on the board for each person."), field="members"
        )
    residents = set(
        session.scalars(
            select(Membership.person_id).where(
                Membership.initiative_id == initiative_id,
                Membership.person_id.in_(list(members)),
                Membership.role.in_(sorted(RESIDENT_ROLES)),
            )
        )
    )
    if set(members) - residents:
        raise InvalidInput(
            msg("Only members of the initiative can belong to its residents' association."),
            field="members",
        )
    if contact_person_id is not None and contact_person_id not in members:
        raise InvalidInput(
            msg("The contact person must be a member of the association."),
            field="contact_person_id",
        )


def _leaving_volunteers(
    session: Session, initiative_id: int, leaving: set[int]
) -> list[tuple[MaintenanceTask, RotaMember]]:
    """Rota places of people who leave the association; refuse if a rota would be empty."""
    if not leaving:
        return []
    rows = session.execute(
        select(MaintenanceTask, RotaMember)
        .join(RotaMember, RotaMember.task_id == MaintenanceTask.id)
        .where(
            MaintenanceTask.initiative_id == initiative_id,
            MaintenanceTask.is_active.is_(True),
            RotaMember.is_active.is_(True),
        )
    ).all()
    places = [(task, row) for task, row in rows if row.person_id in leaving]
    for task, _ in places:
        staying = [r for t, r in rows if t.id == task.id and r.person_id not in leaving]
        if not staying:
            raise Refused(
                msg(
                    "Nobody would be left on the rota of “%(task)s”. Add another volunteer "
                    "to it first.",
                    task=task.title,
                )
            )
    return places


def save_association(
    session: Session,
    actor: Person,
    initiative_id: int,
    *,
    name: str,
    now: datetime,
    kvk_number: str | None = None,
    contact_person_id: int | None = None,
    members: Mapping[int, str] | None = None,
    expected_version: int | None = None,
) -> Association:
    """Register or change the association; ``members`` maps person id → member or board role.

    Someone who leaves the association also leaves the rotas of its tasks; their open turns
    are dealt again among the others.
    """
    from engine.maintenance.reminders import replan
    from engine.maintenance.rota import deal_again

    initiative = get_initiative(session, initiative_id)
    association = get_association(session, initiative.id)
    if association is None:
        require_founder(session, initiative, actor)
    else:
        require_manager(session, initiative, actor)
    check_version(initiative, expected_version)
    members = dict(members or {})
    name, kvk = _clean_name(name), clean_kvk(kvk_number)
    _check_members(session, initiative.id, members, contact_person_id)
    board = {pid: role for pid, role in members.items() if role != "member"}
    if not managers_after(session, initiative.id, board):
        raise Refused(
            msg(
                "Nobody would be left to manage the association: the group has no initiator. "
                "Keep at least one person on the board."
            ),
            field="members",
        )
    current = {m.person_id: m for m in members_of(session, association.id)} if association else {}
    places = _leaving_volunteers(session, initiative.id, set(current) - set(members))
    first = association is None
    before = {pid: row.board_role for pid, row in current.items() if row.board_role}
    board_changes = [
        [pid, before.get(pid), board.get(pid)]
        for pid in sorted(set(before) | set(board))
        if before.get(pid) != board.get(pid)
    ]
    if association is None:
        association = Association(initiative_id=initiative.id, name=name, registered_dt=now)
        session.add(association)
        session.flush()
    association.name, association.kvk_number = name, kvk
    association.contact_person_id, association.updated_dt = contact_person_id, now
    for person_id, row in current.items():
        if person_id not in members:
            session.delete(row)
    for person_id, role in members.items():
        board_role = None if role == "member" else role
        if person_id in current:
            current[person_id].board_role = board_role
        else:
            session.add(
                AssociationMember(
                    association_id=association.id,
                    person_id=person_id,
                    board_role=board_role,
                    joined_dt=now,
                )
            )
    for _task, place in places:
        place.is_active, place.left_dt = False, now
    session.flush()
    for task in {task.id: task for task, _ in places}.values():
        deal_again(session, task, now)
    record(
        session,
        initiative,
        actor,
        now,
        "association.registered" if first else "association.updated",
        name=name,
        kvk=kvk,
        contact=contact_person_id,
        members=len(members),
        board=len(board),
        board_changes=board_changes,
    )
    session.flush()
    replan(session, {initiative.id}, now)
    return association
