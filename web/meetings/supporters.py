"""Supporting the plan (draagvlak): the count per wijk, who supports it, and the button."""

from __future__ import annotations

from flask import g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from engine.db import utcnow
from engine.meetings.supporters import (
    counts_per_wijk,
    neighbourhood_choices,
    support_plan,
    supporter_of,
    supporters_shown,
    withdraw_support,
)
from web import access
from web.confirm import unconfirmed
from web.database import db
from web.form_action import form_action
from web.inputs import parse_id
from web.meetings.forms import SupportForm
from web.meetings.routes import bp

PREFIX = "/initiatives/<int:initiative_id>/supporters"


def _form() -> SupportForm:
    form = SupportForm()
    form.neighbourhood_id.choices = [SelectChoice("", _("I would rather not say"))] + [
        SelectChoice(str(nid), _("%(wijk)s (%(district)s)", wijk=name, district=district))
        for nid, name, district in neighbourhood_choices(db())
    ]
    return form


def _back(initiative_id: int) -> str:
    return url_for("meetings.supporters", initiative_id=initiative_id, _anchor="support")


@bp.get(PREFIX)
@access.viewer
def supporters(initiative_id: int):
    counts = counts_per_wijk(db(), initiative_id)
    me = current_user.person if current_user.is_authenticated else None
    return render_template(
        "meetings/supporters.html",
        initiative=g.initiative,
        counts=counts,
        total=sum(c.count for c in counts),
        shown=supporters_shown(db(), initiative_id),
        mine=supporter_of(db(), initiative_id, me.id if me else None),
        form=_form(),
    )


@bp.post(PREFIX)
@access.signed_in_viewer
def support(initiative_id: int):
    form = _form()
    wijk = parse_id(form.neighbourhood_id.data) if form.neighbourhood_id.data else None
    return form_action(
        form,
        lambda session: support_plan(
            session,
            current_user.person,
            initiative_id,
            neighbourhood_id=wijk,
            show_name=bool(form.show_name.data),
            now=utcnow(),
        ),  # fmt: skip
        done=_("Thank you: your support is counted."),
        to=_back(initiative_id),
    )


@bp.post(PREFIX + "/withdraw")
@access.signed_in_viewer
def withdraw(initiative_id: int):
    if (refused := unconfirmed(_back(initiative_id))) is not None:
        return refused
    return form_action(
        None,
        lambda session: withdraw_support(session, current_user.person, initiative_id),
        done=_("Your support is withdrawn."),
        to=_back(initiative_id),
    )
