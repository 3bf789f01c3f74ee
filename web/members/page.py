"""The members page: the group, and for initiators the requests to join, roles and removal.

Like the initiative page, every form has a key (``approve-3``, ``remove-12``, ``role-12``…); a
refused form comes back on this page filled in as it was sent, with the reason beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import g, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from engine.errors import VerbindingError
from engine.group import GroupPage, MemberRow, RequestRow, load_group
from engine.models import Initiative
from web.database import db
from web.form_action import form_action
from web.initiatives.forms import PlainForm
from web.initiatives.page import identify, status_for
from web.members.forms import DeclineForm, RemoveForm, RoleForm


class GroupForms:
    """The page's forms: the one sent back (filled in), fresh ones for the rest."""

    def __init__(self, submitted: Mapping[str, FlaskForm]) -> None:
        self.submitted = dict(submitted)

    def _get(self, key: str, make: Callable[[], FlaskForm]) -> Any:
        return identify(self.submitted.get(key) or make(), key)

    def approve(self, row: RequestRow) -> PlainForm:
        return self._get(f"approve-{row.request.id}", lambda: PlainForm(formdata=None))

    def decline(self, row: RequestRow) -> DeclineForm:
        return self._get(f"decline-{row.request.id}", lambda: DeclineForm(formdata=None))

    def role(self, member: MemberRow) -> RoleForm:
        data = {"role": member.role, "organisation": member.organisation or ""}
        return self._get(f"role-{member.person_id}", lambda: RoleForm(formdata=None, data=data))

    def remove(self, member: MemberRow) -> RemoveForm:
        return self._get(f"remove-{member.person_id}", lambda: RemoveForm(formdata=None))


def render_group(
    initiative: Initiative,
    *,
    status: int = 200,
    forms: Mapping[str, FlaskForm] | None = None,
    error: VerbindingError | None = None,
) -> ResponseReturnValue:
    page: GroupPage = load_group(db(), initiative, g.member_role)
    forms = forms or {}
    return render_template(
        "members/group.html",
        initiative=initiative,
        page=page,
        member_role=g.member_role,
        forms=GroupForms(forms),
        error=error,
        failed=next(iter(forms), None),
    ), status


def act_on_group(
    key: str,
    form: FlaskForm,
    operation: Callable[..., Any],
    *args: Any,
    done: str,
    anchor: str | None = None,
    fields: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> ResponseReturnValue:
    """Run one engine operation for a form of the members page: back to it, or show why not."""
    initiative = g.initiative

    def again(status: int, error: VerbindingError | None) -> ResponseReturnValue:
        return render_group(initiative, status=status, forms={key: form}, error=error)

    return form_action(
        form,
        lambda session: operation(session, *args, **kwargs),
        done=done,
        to=url_for("members.group", initiative_id=initiative.id, _anchor=anchor or "group"),
        again=again,
        fields=fields,
        status=status_for,
        summary=False,
    )
