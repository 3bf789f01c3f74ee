"""The group: invitations by mail, joining or asking to join, the members page, leaving,
removal and roles."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from engine.db import utcnow
from engine.errors import NotFound, PermissionDenied, VerbindingError
from engine.group import load_join_view
from engine.models import Invitation, Person
from engine.operations import (
    accept_invitation,
    approve_join_request,
    change_member_role,
    decline_join_request,
    invite,
    join_initiative,
    leave_initiative,
    remove_member,
    request_to_join,
    set_join_policy,
    withdraw_join_request,
)
from engine.operations.common import member_role
from engine.operations.invitations import find_invitation, is_addressed_to, masked_address
from engine.permissions import may_take_part
from web import access
from web.confirm import unconfirmed
from web.database import db
from web.form_action import form_action
from web.i18n import locale
from web.initiatives.forms import JoinPolicyForm, PlainForm
from web.initiatives.page import act, expected_version, status_for
from web.mailing import deliver_soon, mailer
from web.members.forms import (
    DeclineForm,
    InviteForm,
    JoinRequestForm,
    RemoveForm,
    RoleForm,
)
from web.members.page import act_on_group, render_group
from web.panels import Panel, register_panel

bp = Blueprint("members", __name__)
# the group on the initiative page, with where the visitor stands (a request, an invitation…)
register_panel(
    bp,
    Panel(
        "members", "members/_panel.html", "side", 20,
        loader=lambda session, page, person, now: load_join_view(
            session, page.initiative, person, page.role, page.pending_join_requests
        ),
    ),
)  # fmt: skip


@bp.get("/initiatives/<int:initiative_id>/members")
@access.viewer
def group(initiative_id: int):
    return render_group(g.initiative)


@bp.post("/initiatives/<int:initiative_id>/invitations")
@access.member_or_starter
def invite_someone(initiative_id: int):
    form = InviteForm()
    email = (form.email.data or "").strip().lower()
    done = _("We sent an invitation to %(email)s. The link in it works for 14 days.", email=email)
    return act(
        "invite", form, invite, current_user.person, initiative_id, email=email,
        role=form.role.data, organisation=form.organisation.data, now=utcnow(),
        mailer=mailer(), locale=locale(), expected_version=expected_version(form),
        done=done, anchor="group", then=lambda _invitation: deliver_soon(),
    )  # fmt: skip


# --- invitations -------------------------------------------------------------------------------


def _invitation(token: str) -> Invitation:
    found = find_invitation(db(), token)
    if found is None:
        abort(404)
    return found


def _invitation_page(invitation: Invitation, *, error: VerbindingError | None = None, status=200):
    person = current_user.person
    inviter = db().get(Person, invitation.invited_by_id)
    role = member_role(db(), invitation.initiative_id, person.id) if person else None
    now = utcnow()
    return render_template(
        "members/invitation.html",
        invitation=invitation,
        initiative=invitation.initiative,
        inviter=inviter,
        expired=invitation.expires_dt <= now,
        used=invitation.accepted_dt is not None,
        already=role,
        # who is logged in may not be who was invited: say so before they press the button
        staff=person is not None and not may_take_part(person),
        elsewhere=person is not None and not is_addressed_to(invitation, person),
        masked=masked_address(invitation.email),
        form=PlainForm(formdata=None),
        error=error,
    ), status


@bp.get("/invitations/<token>")
@access.public
def invitation(token: str):
    return _invitation_page(_invitation(token))


@bp.post("/invitations/<token>/accept")
@access.login
def accept(token: str):
    found = _invitation(token)

    def again(status: int, error: VerbindingError | None) -> ResponseReturnValue:
        if isinstance(error, NotFound):
            abort(404)
        return _invitation_page(found, error=error, status=status)

    return form_action(
        PlainForm(),
        lambda session: accept_invitation(session, current_user.person, token, utcnow()),
        done=_("Welcome to the group of “%(title)s”.", title=found.initiative.title),
        to=url_for("initiatives.show", initiative_id=found.initiative_id),
        again=again,
        # the link is theirs to use; what stands in the way is the invitation's state
        status=lambda _error: 409,
        summary=False,
    )


# --- joining, asking to join ------------------------------------------------------------------


def _join_status(error: VerbindingError) -> int:
    """Anyone logged in may ask to join; staff are refused for who they are, not for lack of
    access (they may see the page): that is a conflict, not a 403."""
    return 409 if isinstance(error, PermissionDenied) else status_for(error)


@bp.post("/initiatives/<int:initiative_id>/join")
@access.login
def join(initiative_id: int):
    form = PlainForm()
    return act(
        "join", form, join_initiative, current_user.person, initiative_id, utcnow(),
        expected_version=expected_version(form), status=_join_status, anchor="group",
        done=_("Welcome to the group. You can now take part in its steps and decisions."),
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/join-requests")
@access.login
def ask(initiative_id: int):
    form = JoinRequestForm()
    return act(
        "ask", form, request_to_join, current_user.person, initiative_id, utcnow(),
        role=form.role.data, organisation=form.organisation.data, message=form.message.data,
        status=_join_status, anchor="group",
        done=_("Your request to join is sent. An initiator of the group will answer it."),
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/join-requests/withdraw")
@access.login
def withdraw(initiative_id: int):
    form = PlainForm()
    return act(
        "withdraw", form, withdraw_join_request, current_user.person, initiative_id, utcnow(),
        anchor="group", done=_("Your request to join is withdrawn."),
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/join-requests/<int:join_request_id>/approve")
@access.initiator
def approve(initiative_id: int, join_request_id: int):
    form = PlainForm()
    return act_on_group(
        f"approve-{join_request_id}", form, approve_join_request, current_user.person,
        initiative_id, join_request_id, utcnow(), expected_version=expected_version(form),
        done=_("The request is approved: welcome to the new member."), anchor="requests",
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/join-requests/<int:join_request_id>/decline")
@access.initiator
def decline(initiative_id: int, join_request_id: int):
    form = DeclineForm()
    return act_on_group(
        f"decline-{join_request_id}", form, decline_join_request, current_user.person,
        initiative_id, join_request_id, utcnow(), reason=form.reason.data,
        expected_version=expected_version(form), anchor="requests",
        done=_("The request is declined. They can see your answer, and may ask again later."),
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/join-policy")
@access.initiator
def join_policy(initiative_id: int):
    form = JoinPolicyForm()
    done = (
        _("Residents can now join the group at once.")
        if form.join_policy.data == "open"
        else _("From now on an initiator approves each request to join.")
    )
    return act(
        "join-policy", form, set_join_policy, current_user.person, initiative_id,
        form.join_policy.data, utcnow(), expected_version=expected_version(form), done=done,
    )  # fmt: skip


# --- leaving, removal, roles ------------------------------------------------------------------


@bp.post("/initiatives/<int:initiative_id>/leave")
@access.member
def leave(initiative_id: int):
    form = PlainForm()
    initiative = g.initiative
    if initiative.visibility == "public":
        to = url_for("initiatives.show", initiative_id=initiative_id)
    else:
        to = url_for("main.home")
    return act(
        "leave", form, leave_initiative, current_user.person, initiative_id, utcnow(),
        expected_version=expected_version(form), to=to,
        done=_("You have left the group of “%(title)s”.", title=initiative.title),
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/members/<int:person_id>/remove")
@access.initiator
def remove(initiative_id: int, person_id: int):
    back = url_for("members.group", initiative_id=initiative_id, _anchor=f"member-{person_id}")
    if (refused := unconfirmed(back)) is not None:
        return refused
    form = RemoveForm()
    return act_on_group(
        f"remove-{person_id}", form, remove_member, current_user.person, initiative_id,
        person_id, utcnow(), reason=form.reason.data or "",
        expected_version=expected_version(form), done=_("They are no longer in the group."),
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/members/<int:person_id>/role")
@access.initiator
def change_role(initiative_id: int, person_id: int):
    form = RoleForm()
    return act_on_group(
        f"role-{person_id}", form, change_member_role, current_user.person, initiative_id,
        person_id, form.role.data, utcnow(), organisation=form.organisation.data,
        expected_version=expected_version(form), done=_("The role is changed."),
        anchor=f"member-{person_id}",
    )  # fmt: skip
