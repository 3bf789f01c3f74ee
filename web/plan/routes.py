"""The checklist of steps: add, change, reorder, complete, reopen, remove.

A form for a step carries the step's own version (``row_version``), a new step none: edits of
different steps never collide, two edits of the same step do.
"""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine.db import utcnow
from engine.operations import (
    add_step,
    complete_step,
    move_step,
    remove_step,
    reopen_step,
    update_step,
)
from engine.pages import load_page
from web import access
from web.confirm import unconfirmed
from web.database import db
from web.form_action import row_version
from web.initiatives.forms import PlainForm
from web.initiatives.page import PageForms, act
from web.panels import Panel, register_panel
from web.plan.forms import StepForm, StepMoveForm

bp = Blueprint("plan", __name__)
# its panels on the initiative page render from the page itself: no loader
register_panel(bp, Panel("plan", "plan/_plan.html", "main", 10))
register_panel(bp, Panel("pace", "plan/_pace.html", "side", 10))


#: the engine's name for the step's owner, and the form's
OWNER = {"owner_id": "owner"}


def _anchor(step_id: int) -> str:
    return f"step-{step_id}"


@bp.post("/initiatives/<int:initiative_id>/steps")
@access.member
def add(initiative_id: int):
    form = StepForm()
    key = f"step-new-{form.stage_key.data or ''}"
    return act(
        key, form, add_step, current_user.person, initiative_id,
        stage_key=form.stage_key.data or "", title=form.title.data, owner_id=form.owner_id,
        due_date=form.due_date.data, now=utcnow(), done=_("The step is added."),
        anchor=f"stage-{form.stage_key.data}", fields=OWNER,
    )  # fmt: skip


@bp.get("/initiatives/<int:initiative_id>/stages/<stage_key>/steps/new")
@access.member
def add_form(initiative_id: int, stage_key: str):
    """A step for an upcoming stage: the initiative page carries the form only for the current
    stage (and for a form sent back refused) and links here for the stages ahead."""
    page = load_page(db(), g.initiative, current_user.person)
    stage = next((s for s in page.stages if s.key == stage_key), None)
    if stage is None:
        abort(404)
    # a stage no longer open to changes: the engine refuses the save and says why
    return render_template(
        "plan/step_new.html",
        initiative=g.initiative,
        page=page,
        stage=stage,
        f=PageForms(page, {}).step_new(stage),
    )


@bp.get("/initiatives/<int:initiative_id>/steps/<int:step_id>")
@access.member
def edit_form(initiative_id: int, step_id: int):
    """A step's own page to change, assign or date it: the initiative page links here rather
    than carrying a form (with every member in its owner list) for each step."""
    page = load_page(db(), g.initiative, current_user.person)
    found = [(s, v) for s in page.stages for v in s.steps if v.step.id == step_id]
    if not found:
        abort(404)
    # a stage no longer open to changes: the engine refuses the save and says why
    stage, view = found[0]
    return render_template(
        "plan/step.html",
        initiative=g.initiative,
        page=page,
        stage=stage,
        view=view,
        f=PageForms(page, {}).step_edit(view),
    )


@bp.post("/initiatives/<int:initiative_id>/steps/<int:step_id>")
@access.member
def edit(initiative_id: int, step_id: int):
    key = _anchor(step_id)
    form = StepForm()
    return act(
        key, form, update_step, current_user.person, initiative_id, step_id,
        title=form.title.data, owner_id=form.owner_id, due_date=form.due_date.data,
        now=utcnow(), expected_version=row_version(), done=_("The step is saved."),
        fields=OWNER,
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/steps/<int:step_id>/move")
@access.member
def move(initiative_id: int, step_id: int):
    key = f"step-move-{step_id}"
    form = StepMoveForm()
    return act(
        key, form, move_step, current_user.person, initiative_id, step_id,
        position=form.position.data, now=utcnow(), expected_version=row_version(),
        done=_("The step has moved."), anchor=_anchor(step_id),
    )  # fmt: skip


def _simple(operation, key: str, done: str, initiative_id: int, step_id: int):
    form = PlainForm()
    return act(
        key, form, operation, current_user.person, initiative_id, step_id, utcnow(),
        expected_version=row_version(), done=done, anchor=_anchor(step_id),
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/steps/<int:step_id>/done")
@access.member
def done(initiative_id: int, step_id: int):
    return _simple(
        complete_step, f"step-done-{step_id}", _("Well done: the step is complete."),
        initiative_id, step_id,
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/steps/<int:step_id>/reopen")
@access.member
def reopen(initiative_id: int, step_id: int):
    return _simple(
        reopen_step, f"step-reopen-{step_id}", _("The step is open again."),
        initiative_id, step_id,
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/steps/<int:step_id>/remove")
@access.member
def remove(initiative_id: int, step_id: int):
    key = f"step-remove-{step_id}"
    back = url_for("initiatives.show", initiative_id=initiative_id, _anchor=f"step-{step_id}")
    if (refused := unconfirmed(back)) is not None:
        return refused
    form = PlainForm()
    return act(
        key, form, remove_step, current_user.person, initiative_id, step_id, utcnow(),
        expected_version=row_version(), done=_("The step is removed."), anchor="now",
    )  # fmt: skip


from web.plan import stages  # noqa: E402, F401  (more views of this blueprint)
