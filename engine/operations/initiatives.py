"""Starting an initiative and looking after its group: invite, join, leave, roles."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.accounts import find_person
from engine.errors import InvalidInput, NotFound, PermissionDenied, Refused
from engine.i18n import msg
from engine.mail.mailer import Mailer
from engine.models import Initiative, Invitation, Membership, Neighbourhood, Person, StagePlan
from engine.operations.common import (
    check_version,
    get_initiative,
    member_role,
    record,
    require_change,
)
from engine.permissions import RESIDENT_ROLES, can_manage_members, can_view
from engine.wording import role_words
from engine.workflows.versions import definition_of, latest_version

INVITATION_DAYS = 14
INVITABLE_ROLES = ("initiator", "member", "partner")


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not 3 <= len(title) <= 200:
        raise InvalidInput(msg("A title has between 3 and 200 characters."), field="title")
    return title


def _clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > 20000:
        raise InvalidInput(msg("A description has at most 20,000 characters."), field="description")
    return description


def create_initiative(
    session: Session,
    actor: Person,
    *,
    workflow: str,
    neighbourhood_id: int,
    title: str,
    description: str,
    now: datetime,
    visibility: str = "public",
) -> Initiative:
    """Start an initiative on the newest version of a template, with the actor as initiator."""
    title = _clean_title(title)
    description = _clean_description(description)
    if visibility not in ("public", "members"):
        raise InvalidInput(msg("Choose who can see the initiative."), field="visibility")
    if session.get(Neighbourhood, neighbourhood_id) is None:
        raise InvalidInput(msg("Choose a neighbourhood from the list."), field="neighbourhood_id")
    version = latest_version(session, workflow)
    defn = definition_of(version)
    initiative = Initiative(
        title=title,
        description=description,
        neighbourhood_id=neighbourhood_id,
        workflow_version_id=version.id,
        state=defn.initial,
        graph_key="",
        visibility=visibility,
        stage_entered_dt=now,
        last_activity_dt=now,
        created_dt=now,
        created_by_id=actor.id,
    )
    session.add(initiative)
    session.flush()
    session.add(
        Membership(initiative_id=initiative.id, person_id=actor.id, role="initiator", joined_dt=now)
    )
    for position, stage in enumerate(defn.stages):
        session.add(StagePlan(initiative_id=initiative.id, stage_key=stage.id, position=position))
    record(
        session,
        initiative,
        actor,
        now,
        "created",
        to_stage=defn.initial,
        workflow=defn.name,
        version=version.version,
    )
    session.flush()
    return initiative


def update_initiative(
    session: Session,
    actor: Person,
    initiative_id: int,
    *,
    title: str,
    description: str,
    now: datetime,
    expected_version: int | None = None,
) -> Initiative:
    initiative = get_initiative(session, initiative_id)
    require_change(session, initiative, actor)
    check_version(initiative, expected_version)
    title, description = _clean_title(title), _clean_description(description)
    initiative.title, initiative.description = title, description
    record(session, initiative, actor, now, "updated")
    session.flush()
    return initiative


def set_visibility(
    session: Session,
    actor: Person,
    initiative_id: int,
    visibility: str,
    now: datetime,
    expected_version: int | None = None,
) -> Initiative:
    """Show the initiative to everyone, or to its members only until the group is ready."""
    initiative = get_initiative(session, initiative_id)
    require_change(session, initiative, actor)
    check_version(initiative, expected_version)
    if visibility not in ("public", "members"):
        raise InvalidInput(msg("Choose who can see the initiative."), field="visibility")
    if visibility != initiative.visibility:
        old, initiative.visibility = initiative.visibility, visibility
        record(session, initiative, actor, now, "visibility", old=old, new=visibility)
        session.flush()
    return initiative


def invite(
    session: Session,
    actor: Person,
    initiative_id: int,
    *,
    email: str,
    role: str,
    now: datetime,
    organisation: str | None = None,
    mailer: Mailer | None = None,
    locale: str = "nl",
    expected_version: int | None = None,
) -> Invitation:
    """Create an invitation link for an e-mail address and queue the mail that carries it."""
    initiative = get_initiative(session, initiative_id)
    actor_role = require_change(session, initiative, actor)
    check_version(initiative, expected_version)
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254 or " " in email:
        raise InvalidInput(msg("Enter a valid e-mail address."), field="email")
    if role not in INVITABLE_ROLES:
        raise InvalidInput(msg("Choose a role: initiator, member or partner."), field="role")
    if role == "initiator" and not can_manage_members(actor_role):
        raise PermissionDenied(msg("Only initiators can invite someone as initiator."))
    if role == "partner" and not (organisation or "").strip():
        raise InvalidInput(
            msg("Say which organisation the partner stands for."), field="organisation"
        )
    already = session.scalar(
        select(Membership.id)
        .join(Person)
        .where(Membership.initiative_id == initiative.id, Person.email == email)
    )
    if already is not None:
        raise Refused(msg("%(email)s is already a member of this initiative.", email=email))
    invitation = Invitation(
        initiative_id=initiative.id,
        email=email,
        role=role,
        organisation=(organisation or "").strip() or None,
        token=secrets.token_urlsafe(32),
        invited_by_id=actor.id,
        created_dt=now,
        expires_dt=now + timedelta(days=INVITATION_DAYS),
    )
    session.add(invitation)
    record(session, initiative, actor, now, "invited", email=email, role=role)
    session.flush()
    if mailer is not None:
        invitee = find_person(session, email)
        mailer.queue(
            session,
            template="invitation",
            key=f"invitation:{invitation.id}",
            to_addr=email,
            locale=invitee.locale if invitee else locale,
            person_id=invitee.id if invitee else None,
            now=now,
            inviter=actor.name,
            title=initiative.title,
            place=initiative.neighbourhood.name,
            role=role_words(role).noun,
            days=INVITATION_DAYS,
            link=mailer.url(f"/invitations/{invitation.token}"),
        )
    return invitation


def _add_member(
    session: Session,
    initiative: Initiative,
    person: Person,
    role: str,
    now: datetime,
    organisation: str | None = None,
) -> Membership:
    if person.role != "resident":
        raise PermissionDenied(
            msg("Staff support initiatives; they do not join them as residents.")
        )
    if member_role(session, initiative.id, person.id) is not None:
        raise Refused(msg("You are already a member of this initiative."))
    membership = Membership(
        initiative_id=initiative.id,
        person_id=person.id,
        role=role,
        organisation=organisation,
        joined_dt=now,
    )
    session.add(membership)
    record(session, initiative, person, now, "joined", role=role)
    session.flush()
    return membership


def find_invitation(session: Session, token: str) -> Invitation | None:
    return session.scalar(select(Invitation).where(Invitation.token == token))


def accept_invitation(session: Session, actor: Person, token: str, now: datetime) -> Membership:
    invitation = find_invitation(session, token)
    if invitation is None:
        raise NotFound(msg("This invitation link is not valid."))
    if invitation.accepted_dt is not None:
        raise Refused(msg("This invitation has already been used."))
    if invitation.expires_dt <= now:
        raise Refused(msg("This invitation has expired. Ask the group for a new one."))
    membership = _add_member(
        session, invitation.initiative, actor, invitation.role, now, invitation.organisation
    )
    invitation.accepted_dt = now
    invitation.accepted_by_id = actor.id
    session.flush()
    return membership


def join_initiative(
    session: Session,
    actor: Person,
    initiative_id: int,
    now: datetime,
    *,
    expected_version: int | None = None,
):
    """Join a public initiative as a member."""
    initiative = get_initiative(session, initiative_id)
    if initiative.visibility != "public" and not can_view(initiative, actor, None):
        raise NotFound(msg("This initiative does not exist."))
    check_version(initiative, expected_version)
    return _add_member(session, initiative, actor, "member", now)


def _initiator_count(session: Session, initiative_id: int) -> int:
    return session.execute(
        select(func.count()).where(
            Membership.initiative_id == initiative_id, Membership.role == "initiator"
        )
    ).scalar_one()


def leave_initiative(
    session: Session,
    actor: Person,
    initiative_id: int,
    now: datetime,
    *,
    expected_version: int | None = None,
) -> None:
    initiative = get_initiative(session, initiative_id)
    role = member_role(session, initiative.id, actor.id)
    if role is None:
        raise Refused(msg("You are not a member of this initiative."))
    check_version(initiative, expected_version)
    if role == "initiator" and _initiator_count(session, initiative.id) == 1:
        raise Refused(
            msg("You are the only initiator. Make another member initiator before you leave.")
        )
    membership = session.scalar(
        select(Membership).where(
            Membership.initiative_id == initiative.id, Membership.person_id == actor.id
        )
    )
    session.delete(membership)
    record(session, initiative, actor, now, "left", role=role)
    session.flush()


def change_member_role(
    session: Session,
    actor: Person,
    initiative_id: int,
    person_id: int,
    role: str,
    now: datetime,
    *,
    organisation: str | None = None,
    expected_version: int | None = None,
) -> Membership:
    """Initiators give members another role in the group (a partner stands for an organisation)."""
    initiative = get_initiative(session, initiative_id)
    if not can_manage_members(member_role(session, initiative.id, actor.id)):
        raise PermissionDenied(msg("Only initiators can change the roles in the group."))
    check_version(initiative, expected_version)
    if role not in RESIDENT_ROLES:
        raise InvalidInput(msg("Choose a role: initiator, member or partner."), field="role")
    membership = session.scalar(
        select(Membership).where(
            Membership.initiative_id == initiative.id, Membership.person_id == person_id
        )
    )
    if membership is None:
        raise NotFound(msg("This person is not a member of this initiative."))
    if membership.role == "initiator" and role != "initiator":
        if _initiator_count(session, initiative.id) == 1:
            raise Refused(msg("An initiative keeps at least one initiator."))
    if role == "partner":
        organisation = (organisation or membership.organisation or "").strip()
        if not organisation:
            raise InvalidInput(
                msg("Say which organisation the partner stands for."), field="organisation"
            )
        membership.organisation = organisation[:200]
    else:
        membership.organisation = None
    old, membership.role = membership.role, role
    record(session, initiative, actor, now, "role", person=person_id, old=old, new=role)
    session.flush()
    return membership
