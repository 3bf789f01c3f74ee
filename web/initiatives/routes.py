"""Start an initiative, its page, its settings and its history."""

from __future__ import annotations

from math import ceil

from flask import Blueprint, g, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from engine.db import utcnow
from engine.errors import VerbindingError
from engine.history import load_history
from engine.listing import places
from engine.operations import create_initiative, set_visibility, update_initiative
from engine.permissions import can_read_private
from engine.workflows.versions import definition_of, latest_versions
from web import access
from web.database import db
from web.form_action import form_action
from web.i18n import locale
from web.initiatives.forms import EditInitiativeForm, NewInitiativeForm, VisibilityForm
from web.initiatives.history import describe
from web.initiatives.page import act, expected_version, render_initiative
from web.inputs import query_count

bp = Blueprint("initiatives", __name__)

HISTORY_PER_PAGE = 25


def _templates():
    return [definition_of(v) for v in latest_versions(db())]


def _new_form() -> tuple[NewInitiativeForm, list, list]:
    form = NewInitiativeForm()
    templates = _templates()
    districts = places(db())
    form.workflow.choices = [SelectChoice(t.name, t.name) for t in templates]
    form.neighbourhood.choices = [SelectChoice("", _("Choose a neighbourhood"))] + [
        SelectChoice(str(n.id), n.name, optgroup=d.name)
        for d in districts
        for n in d.neighbourhoods
    ]
    return form, templates, districts


@bp.route("/initiatives/new", methods=["GET", "POST"])
@access.login
def new():
    form, templates, districts = _new_form()

    def again(status: int, _error: VerbindingError | None = None) -> ResponseReturnValue:
        return render_template(
            "initiatives/new.html", form=form, templates=templates, districts=districts
        ), status

    if request.method == "GET":
        return again(200)
    return form_action(
        form,
        lambda session: create_initiative(
            session,
            current_user.person,
            workflow=form.workflow.data,
            neighbourhood_id=int(form.neighbourhood.data),
            title=form.title.data,
            description=form.description.data or "",
            visibility=form.visibility.data or "public",
            join_policy=form.join_policy.data or "approval",
            language=locale(),
            now=utcnow(),
        ),  # fmt: skip
        done=_(
            "The initiative has started on behalf of residents. Invite them: the first to "
            "accept becomes its initiator."
        )
        if current_user.is_staff
        else _("Your initiative has started. Invite your neighbours and plan the first steps."),
        to=lambda initiative: url_for("initiatives.show", initiative_id=initiative.id),
        again=again,
        fields={"neighbourhood_id": "neighbourhood"},
    )


@bp.get("/initiatives/<int:initiative_id>")
@access.viewer
def show(initiative_id: int):
    return render_initiative(g.initiative)


@bp.post("/initiatives/<int:initiative_id>/edit")
@access.member_or_starter
def edit(initiative_id: int):
    form = EditInitiativeForm()
    return act(
        "edit", form, update_initiative, current_user.person, initiative_id,
        title=form.title.data, description=form.description.data or "", now=utcnow(),
        language=form.language.data or None,
        expected_version=expected_version(form), done=_("The title and description are saved."),
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/visibility")
@access.initiator
def visibility(initiative_id: int):
    form = VisibilityForm()
    done = (
        _("Everyone can now see the initiative.")
        if form.visibility.data == "public"
        else _("Only the members can see the initiative now.")
    )
    return act(
        "visibility", form, set_visibility, current_user.person, initiative_id,
        form.visibility.data, utcnow(), expected_version=expected_version(form), done=done,
    )  # fmt: skip


@bp.get("/initiatives/<int:initiative_id>/history")
@access.viewer
def history(initiative_id: int):
    number = max(query_count("page", 1), 1)
    found = load_history(
        db(),
        g.initiative,
        private=can_read_private(current_user.person, g.member_role),
        page=number,
        per_page=HISTORY_PER_PAGE,
    )
    pages = max(ceil(found.total / HISTORY_PER_PAGE), 1)
    return render_template(
        "initiatives/history.html",
        initiative=g.initiative,
        history=found,
        describe=describe,
        number=number,
        pages=pages,
    )


from web.initiatives import moves  # noqa: E402, F401  (more views of this blueprint)
