"""Invitations: a link mailed to one address, accepted only by the account with that address."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.accounts import find_person, normalise_email
from engine.errors import InvalidInput, NotFound, PermissionDenied, Refused
from engine.i18n import msg
from engine.mail.mailer import Mailer
from engine.models import Invitation, Membership, Person
from engine.operations.common import check_version, get_initiative, member_role, record
from engine.operations.membership import admit, refuse_staff, stands_in_for
from engine.permissions import can_change, can_manage_members, may_take_part
from engine.wording import role_words

INVITATION_DAYS = 14
INVITABLE_ROLES = ("initiator", "member", "partner")


def masked_address(email: str) -> str:
    """An address shown to someone it does not belong to: ``j…@example.nl``."""
    local, _, domain = normalise_email(email).partition("@")
    return f"{local[:1]}…@{domain}"


def is_addressed_to(invitation: Invitation, person: Person) -> bool:
    return normalise_email(invitation.email) == normalise_email(person.email)


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
    """Create an invitation link for an e-mail address and queue the mail that carries it.

    Members invite; the process coach who started the initiative on behalf of residents
    invites them too, as initiators if they like, until the first resident has joined.
    """
    initiative = get_initiative(session, initiative_id)
    actor_role = member_role(session, initiative.id, actor.id)
    if stands_in_for(session, initiative, actor):
        actor_role = "initiator"  # the coach invites the residents who will lead
    elif not can_change(actor_role):
        raise PermissionDenied(msg("Only the members of this initiative can change it."))
    check_version(initiative, expected_version)
    email = normalise_email(email)
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
    invitee = find_person(session, email)
    if invitee is not None and not may_take_part(invitee):
        raise InvalidInput(
            msg(
                "This address belongs to a process coach or an admin. Staff support "
                "initiatives; they do not join them as residents."
            ),
            field="email",
        )
    already = session.scalar(
        select(Membership.id)
        .join(Person)
        .where(Membership.initiative_id == initiative.id, func.lower(Person.email) == email)
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


def find_invitation(session: Session, token: str) -> Invitation | None:
    return session.scalar(select(Invitation).where(Invitation.token == token))


def accept_invitation(session: Session, actor: Person, token: str, now: datetime) -> Membership:
    """Join the group through an invitation sent to your own address."""
    invitation = find_invitation(session, token)
    if invitation is None:
        raise NotFound(msg("This invitation link is not valid."))
    if invitation.accepted_dt is not None:
        raise Refused(msg("This invitation has already been used."))
    if invitation.expires_dt <= now:
        raise Refused(msg("This invitation has expired. Ask the group for a new one."))
    refuse_staff(actor)
    if not is_addressed_to(invitation, actor):
        raise PermissionDenied(
            msg(
                "This invitation was sent to another e-mail address (%(address)s). Log in "
                "with that address to accept it.",
                address=masked_address(invitation.email),
            )
        )
    membership = admit(
        session, invitation.initiative, actor, invitation.role, now,
        organisation=invitation.organisation, invitation=invitation.id,
    )  # fmt: skip
    invitation.accepted_dt = now
    invitation.accepted_by_id = actor.id
    session.flush()
    return membership
