"""The coach's view of one initiative, notes and concerns (open to the group), assignments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from engine.coach.caseload import caseload_row
from engine.coach.queries import all_assignments, assignments_of, coaches, notes_and_concern
from engine.db import utcnow
from engine.discussions.queries import area_coach
from engine.errors import VerbindingError
from engine.listing import places
from engine.models import CoachNote, Concern, Person
from engine.operations import (
    add_coach_note,
    assign_coach,
    clear_concern,
    raise_concern,
    unassign_coach,
)
from engine.pages import InitiativePage
from engine.permissions import is_staff
from web import access
from web.coach.forms import (
    AssignDistrictForm,
    AssignInitiativeForm,
    ClearConcernForm,
    ConcernForm,
    NoteForm,
)
from web.coach.routes import bp
from web.confirm import unconfirmed
from web.database import db
from web.discussions.forms import MessageForm
from web.form_action import form_action
from web.inputs import parse_id
from web.panels import Panel, group_and_staff, register_panel
from web.safety import safe_next
from web.support.routes import support_panel


@dataclass
class NotesPanel:
    can_write: bool
    notes: list[CoachNote]
    concern: Concern | None
    #: the forms only staff get (the group reads the notes without them)
    note_form: NoteForm | None = None
    concern_form: ConcernForm | None = None
    clear_form: ClearConcernForm | None = None


def notes_panel(session: Session, initiative_id: int, person: Person | None) -> NotesPanel:
    """Notes and concern for ``coach/_notes_panel.html``: the group and staff see them; the
    forms are made only for staff, who write (three forms on every member's page view)."""
    notes, concern = notes_and_concern(session, initiative_id)
    panel = NotesPanel(can_write=is_staff(person), notes=notes, concern=concern)
    if panel.can_write:
        panel.note_form = NoteForm(formdata=None)
        panel.concern_form = ConcernForm(formdata=None)
        panel.clear_form = ClearConcernForm(formdata=None)
    return panel


def load_notes_panel(
    session: Session, page: InitiativePage, person: Person | None, now: datetime
) -> NotesPanel:
    return notes_panel(session, page.initiative.id, person)


register_panel(
    bp,
    Panel("coach-notes", "coach/_notes_panel.html", "side", 40, load_notes_panel, group_and_staff),
)


def _coach_choices() -> list[tuple[str, str]]:
    return [(str(p.id), p.name) for p in coaches(db())]


def _back(initiative_id: int) -> str:
    """Where the panel's forms go back to: the page they were on, else the coach's view."""
    target = request.form.get("next")
    if target:
        return safe_next(target)
    return url_for("coach.initiative", initiative_id=initiative_id)


@bp.get("/initiatives/<int:initiative_id>")
@access.staff
def initiative(initiative_id: int):
    row = caseload_row(db(), initiative_id, now=utcnow())
    form = AssignInitiativeForm(formdata=None)
    form.coach.choices = _coach_choices()
    form.coach.data = str(current_user.person.id)
    return render_template(
        "coach/initiative.html",
        initiative=g.initiative,
        member_role=g.member_role,
        page="coach",
        row=row,
        assignments=assignments_of(db(), g.initiative),
        assign_form=form,
        support=support_panel(db(), initiative_id, g.member_role, current_user.person),
        notes=notes_panel(db(), initiative_id, current_user.person),
        talk=_talk(g.initiative),
    )


def _talk(initiative) -> dict[str, Any]:
    """The coach's two ways to write to the group: in its discussion, or to the initiators."""
    to_group, to_initiators = MessageForm(formdata=None), MessageForm(formdata=None)
    to_group.body.id, to_initiators.body.id = "to-group-body", "to-initiators-body"
    to_group.body.label.text = _("Message to the group")
    to_initiators.body.label.text = _("Message to the initiators")
    coach = area_coach(db(), initiative, current_user.person)
    return {"coach": coach, "to_group": to_group, "to_initiators": to_initiators}


@bp.post("/initiatives/<int:initiative_id>/notes")
@access.staff
def add_note(initiative_id: int):
    form = NoteForm()
    return form_action(
        form,
        lambda session: add_coach_note(
            session,
            current_user.person,
            initiative_id=initiative_id,
            body=form.body.data,
            now=utcnow(),
        ),  # fmt: skip
        done=_("Your note is added."),
        to=_back(initiative_id),
        invalid=_("Write the note."),
    )


@bp.post("/initiatives/<int:initiative_id>/concern")
@access.staff
def concern(initiative_id: int):
    form = ConcernForm()
    return form_action(
        form,
        lambda session: raise_concern(
            session,
            current_user.person,
            initiative_id=initiative_id,
            reason=form.reason.data,
            now=utcnow(),
        ),  # fmt: skip
        done=_("The concern is flagged."),
        to=_back(initiative_id),
        invalid=_("Say what worries you, so the group and colleagues understand."),
    )


@bp.post("/initiatives/<int:initiative_id>/concern/clear")
@access.staff
def clear(initiative_id: int):
    form = ClearConcernForm()
    return form_action(
        form,
        lambda session: clear_concern(
            session,
            current_user.person,
            initiative_id=initiative_id,
            note=form.note.data,
            now=utcnow(),
        ),  # fmt: skip
        done=_("The concern is cleared."),
        to=_back(initiative_id),
    )


@bp.post("/initiatives/<int:initiative_id>/coaches")
@access.staff
def assign_initiative(initiative_id: int):
    form = AssignInitiativeForm()
    form.coach.choices = _coach_choices()
    return form_action(
        form,
        lambda session: assign_coach(
            session,
            current_user.person,
            initiative_id=initiative_id,
            coach_id=int(form.coach.data),
            now=utcnow(),
        ),  # fmt: skip
        done=_("The coach is assigned."),
        to=_back(initiative_id),
        invalid=_("Choose a process coach from the list."),
    )


# --- assignments to stadsdelen ----------------------------------------------------------------


@bp.route("/assignments", methods=["GET", "POST"])
@access.staff
def assignments():
    form = AssignDistrictForm()
    form.coach.choices = _coach_choices()
    form.district.choices = [(str(d.id), d.name) for d in places(db())]

    def again(status: int, _error: VerbindingError | None = None) -> ResponseReturnValue:
        rows = all_assignments(db())
        return render_template("coach/assignments.html", form=form, rows=rows), status

    if request.method == "GET":
        form.coach.data = str(current_user.person.id)
        return again(200)
    return form_action(
        form,
        lambda session: assign_coach(
            session,
            current_user.person,
            coach_id=int(form.coach.data),
            district_id=int(form.district.data),
            now=utcnow(),
        ),  # fmt: skip
        done=_("The coach is assigned to the district."),
        to=url_for("coach.assignments"),
        again=again,
        fields={"coach_id": "coach", "district_id": "district"},
    )


@bp.post("/assignments/remove")
@access.staff
def unassign():
    raw = request.form.get("assignment_id", "")
    target = request.form.get("next")
    back = safe_next(target) if target else url_for("coach.assignments")
    assignment_id = parse_id(raw)
    if assignment_id is None:
        flash(_("Choose an assignment to end."), "error")
        return redirect(url_for("coach.assignments"))
    if (refused := unconfirmed(back)) is not None:
        return refused
    return form_action(
        None,
        lambda session: unassign_coach(session, current_user.person, assignment_id, utcnow()),
        done=_("The assignment has ended."),
        to=back,
    )
