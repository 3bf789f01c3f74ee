"""The association's page and form; the agreement, its confirmation and its review."""

from __future__ import annotations

from flask import g, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session
from wtforms import SelectChoice, SelectField

from engine.db import utcnow
from engine.errors import VerbindingError
from engine.maintenance.agreement import (
    active_agreement,
    confirm_agreement,
    may_review,
    review_agreement,
    save_agreement,
    send_back_stages,
)
from engine.maintenance.association import get_association, members_of, save_association
from engine.maintenance.queries import overview
from engine.maintenance.roles import FOUNDERS_ONLY
from engine.permissions import can_found_association, is_staff
from web import access
from web.database import db
from web.form_action import form_action
from web.i18n import lazy_gettext as _l
from web.i18n import render_msg
from web.inputs import parse_id
from web.maintenance.forms import BOARD_CHOICES, AgreementForm, AssociationForm, ReviewForm
from web.maintenance.routes import (
    PREFIX,
    bp,
    can_manage,
    forbidden,
    my_standing,
    page,
    residents,
    stage_title,
    today,
)


def can_found() -> bool:
    return can_found_association(my_standing().member_role)


@bp.get(PREFIX + "/association")
@access.viewer
def association(initiative_id: int):
    return page("association.html", data=overview(db(), g.initiative, today()))


def _association_form(people, association, members):
    """The form with a place (not a member, member, or on the board) for each resident."""

    class Form(AssociationForm):
        pass

    for person in people:
        setattr(Form, f"place_{person.id}", SelectField(person.name, choices=BOARD_CHOICES))
    if request.method == "POST":
        form = Form()
    else:
        places = {m.person_id: m.board_role or "member" for m in members}
        data = {f"place_{p.id}": places.get(p.id, "") for p in people}
        if association is not None:
            data.update(
                name=association.name,
                kvk_number=association.kvk_number or "",
                contact_person=str(association.contact_person_id or ""),
            )
        form = Form(data=data)
    form.contact_person.choices = [SelectChoice("", _("Choose a member of the association"))] + [
        SelectChoice(str(p.id), p.name) for p in people
    ]
    return form


@bp.route(PREFIX + "/association/edit", methods=["GET", "POST"])
@access.member
def edit_association(initiative_id: int):
    initiative = g.initiative
    existing = get_association(db(), initiative.id)
    if existing is None and not can_found():
        return forbidden(render_msg(FOUNDERS_ONLY))
    if existing is not None and not can_manage():
        return forbidden()
    people = residents(initiative.id)
    form = _association_form(people, existing, members_of(db(), existing.id) if existing else [])

    def again(status: int, _error: VerbindingError | None = None) -> ResponseReturnValue:
        return page("association_form.html", status, form=form, people=people, is_new=not existing)

    def save(session: Session) -> object:
        places = {p.id: form[f"place_{p.id}"].data for p in people}
        contact = form.contact_person.data
        return save_association(
            session, current_user.person, initiative.id, name=form.name.data,
            kvk_number=form.kvk_number.data,
            contact_person_id=parse_id(contact),
            members={pid: place for pid, place in places.items() if place}, now=utcnow(),
        )  # fmt: skip

    if request.method == "GET":
        return again(200)
    return form_action(
        form,
        save,
        done=_("The association is saved."),
        to=url_for("maintenance.association", initiative_id=initiative.id),
        again=again,
        fields={"contact_person_id": "contact_person"},
    )


# --- the agreement ----------------------------------------------------------------------------


@bp.get(PREFIX + "/agreement")
@access.viewer
def agreement(initiative_id: int):
    return page(
        "agreement.html",
        data=overview(db(), g.initiative, today()),
        is_staff=is_staff(current_user.person),
        may_review=may_review(db(), g.initiative, current_user.person),
    )


@bp.route(PREFIX + "/agreement/edit", methods=["GET", "POST"])
@access.member
def edit_agreement(initiative_id: int):
    initiative = g.initiative
    if not can_manage():
        return forbidden()
    current = active_agreement(db(), initiative.id)
    if request.method == "POST":
        form = AgreementForm()
    elif current is not None:
        form = AgreementForm(obj=current)
    else:
        form = AgreementForm(data={"start_date": today()})

    def again(status: int, _error: VerbindingError | None = None) -> ResponseReturnValue:
        return page("agreement_form.html", status, form=form, is_new=current is None)

    if request.method == "GET":
        return again(200)
    return form_action(
        form,
        lambda session: save_agreement(
            session,
            current_user.person,
            initiative.id,
            association_duties=form.association_duties.data,
            municipality_duties=form.municipality_duties.data,
            start_date=form.start_date.data,  # type: ignore[arg-type]  # required: validated
            review_date=form.review_date.data,
            now=utcnow(),
        ),  # fmt: skip
        done=_("The agreement is saved. A coach confirms it for the municipality."),
        to=url_for("maintenance.agreement", initiative_id=initiative.id),
        again=again,
    )


@bp.post(PREFIX + "/agreement/confirm")
@access.staff
def confirm(initiative_id: int):
    return form_action(
        None,
        lambda session: confirm_agreement(
            session, current_user.person, initiative_id, now=utcnow()
        ),
        done=_("You confirmed the agreement for the municipality."),
        to=url_for("maintenance.agreement", initiative_id=initiative_id),
    )


_REVIEWED = {
    "renew": _l("The agreement is renewed."),
    "end": _l("The agreement has ended."),
    "send_back": _l("The initiative is back in an earlier stage."),
}


@bp.route(PREFIX + "/agreement/review", methods=["GET", "POST"])
@access.member
def review(initiative_id: int):
    initiative = g.initiative
    form = ReviewForm()
    stages = send_back_stages(db(), initiative)
    form.back_to.choices = [SelectChoice(key, stage_title(initiative, key)) for key in stages]
    if not stages:  # going back is a review of the last stage only
        form.outcome.choices = [c for c in form.outcome.choices if c.value != "send_back"]
    allowed = may_review(db(), initiative, current_user.person)
    current = active_agreement(db(), initiative.id)

    def again(status: int, _error: VerbindingError | None = None) -> ResponseReturnValue:
        return page(
            "review.html", status, form=form, allowed=allowed, agreement=current, stages=stages
        )

    if request.method == "POST" and not allowed:
        return again(403)
    if request.method == "GET" or not allowed or current is None:
        return again(200)
    return form_action(
        form,
        lambda session: review_agreement(
            session,
            current_user.person,
            initiative.id,
            outcome=form.outcome.data,
            next_review=form.next_review.data,
            back_to=form.back_to.data or None,
            note=form.note.data,
            now=utcnow(),
        ),  # fmt: skip
        done=str(_REVIEWED.get(form.outcome.data or "", "")),
        to=url_for("maintenance.agreement", initiative_id=initiative.id),
        again=again,
    )
