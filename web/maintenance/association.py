"""The association's page and form; the agreement, its confirmation and its review."""

from __future__ import annotations

from flask import flash, g, request
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice, SelectField

from engine.db import utcnow
from engine.errors import InvalidInput, VerbindingError
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
from engine.permissions import is_staff
from web import access
from web.database import db, perform
from web.i18n import render_msg
from web.maintenance.forms import BOARD_CHOICES, AgreementForm, AssociationForm, ReviewForm
from web.maintenance.routes import PREFIX, back, bp, fail, page, residents, stage_title, today


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


_FIELD_OF = {"KvK": "kvk_number", "contact person": "contact_person", "name of": "name"}


@bp.route(PREFIX + "/association/edit", methods=["GET", "POST"])
@access.member
def edit_association(initiative_id: int):
    initiative = g.initiative
    people = residents(initiative.id)
    existing = get_association(db(), initiative.id)
    form = _association_form(people, existing, members_of(db(), existing.id) if existing else [])
    if form.validate_on_submit():
        places = {p.id: form[f"place_{p.id}"].data for p in people}
        contact = form.contact_person.data
        contact_id = int(contact) if contact and contact.isdigit() else None
        try:
            perform(
                save_association, current_user.person, initiative.id, name=form.name.data,
                kvk_number=form.kvk_number.data, contact_person_id=contact_id,
                members={pid: place for pid, place in places.items() if place}, now=utcnow(),
            )  # fmt: skip
        except InvalidInput as error:
            name = next((f for key, f in _FIELD_OF.items() if key in error.message.msgid), None)
            target = form[name].errors if name else form.form_errors
            target.append(render_msg(error.message))
        except VerbindingError as error:
            form.form_errors.append(render_msg(error.message))
        else:
            flash(_("The association is saved."), "success")
            return back("association", initiative_id=initiative.id)
    status = 400 if form.errors or form.form_errors else 200
    return page("association_form.html", status, form=form, people=people, is_new=not existing)


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
    current = active_agreement(db(), initiative.id)
    if request.method == "POST":
        form = AgreementForm()
    elif current is not None:
        form = AgreementForm(obj=current)
    else:
        form = AgreementForm(data={"start_date": today()})
    if form.validate_on_submit():
        try:
            perform(
                save_agreement, current_user.person, initiative.id,
                association_duties=form.association_duties.data,
                municipality_duties=form.municipality_duties.data,
                start_date=form.start_date.data, review_date=form.review_date.data, now=utcnow(),
            )  # fmt: skip
        except InvalidInput as error:
            target = form.review_date if "review date" in error.message.msgid else None
            (target.errors if target else form.form_errors).append(render_msg(error.message))
        except VerbindingError as error:
            form.form_errors.append(render_msg(error.message))
        else:
            flash(_("The agreement is saved. A coach confirms it for the municipality."), "success")
            return back("agreement", initiative_id=initiative.id)
    status = 400 if form.errors or form.form_errors else 200
    return page("agreement_form.html", status, form=form, is_new=current is None)


@bp.post(PREFIX + "/agreement/confirm")
@access.staff
def confirm(initiative_id: int):
    try:
        perform(confirm_agreement, current_user.person, initiative_id, now=utcnow())
    except VerbindingError as error:
        fail(error)
    else:
        flash(_("You confirmed the agreement for the municipality."), "success")
    return back("agreement", initiative_id=initiative_id)


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
    if allowed and current is not None and form.validate_on_submit():
        try:
            perform(
                review_agreement, current_user.person, initiative.id,
                outcome=form.outcome.data, next_review=form.next_review.data,
                back_to=form.back_to.data or None, note=form.note.data, now=utcnow(),
            )  # fmt: skip
        except InvalidInput as error:
            msgid = error.message.msgid
            target = next(
                (f for key, f in (("review date", form.next_review), ("why", form.note),
                                  ("stage", form.back_to)) if key in msgid),
                None,
            )  # fmt: skip
            (target.errors if target else form.form_errors).append(render_msg(error.message))
        except VerbindingError as error:
            form.form_errors.append(render_msg(error.message))
        else:
            done = {
                "renew": _("The agreement is renewed."),
                "end": _("The agreement has ended."),
                "send_back": _("The initiative is back in an earlier stage."),
            }[form.outcome.data]
            flash(done, "success")
            return back("agreement", initiative_id=initiative.id)
    status = 400 if form.errors or form.form_errors else 200
    return page("review.html", status, form=form, allowed=allowed, agreement=current, stages=stages)
