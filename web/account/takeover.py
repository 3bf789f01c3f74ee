"""A group whose last initiator deleted their account: a member takes over."""

from __future__ import annotations

from flask import g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine.db import utcnow
from engine.privacy.takeover import needs_initiator, take_over
from web import access
from web.account.routes import bp
from web.auth.forms import PlainForm
from web.database import db
from web.form_action import form_action


@bp.get("/initiatives/<int:initiative_id>/take-over")
@access.member
def take_over_page(initiative_id: int):
    return render_template(
        "account/take_over.html",
        initiative=g.initiative,
        needed=needs_initiator(db(), g.initiative),
        form=PlainForm(),
    )


@bp.post("/initiatives/<int:initiative_id>/take-over")
@access.member
def take_over_confirmed(initiative_id: int):
    return form_action(
        PlainForm(),
        lambda s: take_over(s, current_user.person, initiative_id, utcnow()),
        done=_("You are the group's initiator now."),
        to=url_for("initiatives.show", initiative_id=initiative_id),
        back=url_for("account.take_over_page", initiative_id=initiative_id),
    )
