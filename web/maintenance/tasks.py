"""Tasks (with the friendly rule form), the rota, and recording, skipping or swapping turns."""

from __future__ import annotations

from flask import flash, g, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from engine.db import utcnow
from engine.errors import InvalidInput, VerbindingError
from engine.maintenance.association import get_association, members_of
from engine.maintenance.occurrences import log_of, mark_done, mark_missed, skip_occurrence, upcoming
from engine.maintenance.queries import swap_candidates, task_view, tasks_of
from engine.maintenance.recurrence import build_rule, form_of, parse_rule
from engine.maintenance.rota import set_rota, step_out, swap_turns
from engine.maintenance.tasks import create_task, end_task, update_task
from web import access
from web.database import db, perform
from web.i18n import render_msg
from web.maintenance.forms import SwapForm, TaskForm, TurnForm
from web.maintenance.routes import PREFIX, back, bp, fail, load_task, load_turn, page, today


@bp.get(PREFIX + "/tasks")
@access.viewer
def tasks(initiative_id: int):
    now = today()
    return page(
        "tasks.html",
        active=[task_view(db(), t, now) for t in tasks_of(db(), initiative_id)],
        ended=tasks_of(db(), initiative_id, active=False),
        has_association=get_association(db(), initiative_id) is not None,
    )


def _rule_text(form: TaskForm) -> str | None:
    """The checked RRULE of the form, or None with the reason on the field it belongs to."""
    starts_on = form.starts_on.data
    try:
        if (form.advanced.data or "").strip():
            return parse_rule(form.advanced.data, starts_on).text
        return build_rule(form.rule_form(), starts_on).text
    except InvalidInput as error:
        target = form.advanced if (form.advanced.data or "").strip() else form.freq
        target.errors = [*target.errors, render_msg(error.message)]
        return None


def _save_task(form: TaskForm, task=None):
    """Create or change the task; None on success, else the page again with the reasons."""
    rule = _rule_text(form) if form.validate_on_submit() else None
    if rule is None:
        return None
    kwargs = {
        "title": form.title.data, "description": form.description.data or "", "rule": rule,
        "starts_on": form.starts_on.data, "now": utcnow(),
    }  # fmt: skip
    try:
        if task is None:
            volunteers = [int(v) for v in form.volunteers.data or () if str(v).isdigit()]
            return perform(
                create_task, current_user.person, g.initiative.id, volunteer_ids=volunteers,
                **kwargs,
            )  # fmt: skip
        return perform(update_task, current_user.person, g.initiative.id, task.id, **kwargs)
    except InvalidInput as error:
        msgid = error.message.msgid
        target = form.volunteers if "volunteer" in msgid or "rota" in msgid else None
        target = target or (form.title if "name of" in msgid else None)
        (target.errors if target else form.form_errors).append(render_msg(error.message))
    except VerbindingError as error:
        form.form_errors.append(render_msg(error.message))
    return None


def _volunteer_choices(form: TaskForm) -> None:
    association = get_association(db(), g.initiative.id)
    members = members_of(db(), association.id) if association else []
    form.volunteers.choices = [SelectChoice(str(m.person_id), m.person.name) for m in members]


@bp.route(PREFIX + "/tasks/new", methods=["GET", "POST"])
@access.member
def new_task(initiative_id: int):
    form = TaskForm() if request.method == "POST" else TaskForm(data={"starts_on": today()})
    _volunteer_choices(form)
    task = _save_task(form)
    if task is not None:
        flash(_("The task is added and its turns are planned."), "success")
        return back("task", initiative_id=initiative_id, task_id=task.id)
    status = 400 if form.errors or form.form_errors else 200
    return page("task_form.html", status, form=form, task=None)


@bp.get(PREFIX + "/tasks/<int:task_id>")
@access.viewer
def task(initiative_id: int, task_id: int):
    item = load_task(initiative_id, task_id)
    log = [e for e in log_of(db(), initiative_id) if e.task_id == item.id][:10]
    return page(
        "task.html",
        view=task_view(db(), item, today()),
        turns=upcoming(db(), initiative_id, today(), days=60, task_id=item.id),
        log=log,
    )


@bp.route(PREFIX + "/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@access.member
def edit_task(initiative_id: int, task_id: int):
    item = load_task(initiative_id, task_id)
    if request.method == "POST":
        form = TaskForm()
    else:
        form = TaskForm(obj=item)
        form.fill_from(form_of(parse_rule(item.rrule, item.starts_on)), item.rrule)
    saved = _save_task(form, item)
    if saved is not None:
        flash(_("The task is saved."), "success")
        return back("task", initiative_id=initiative_id, task_id=item.id)
    status = 400 if form.errors or form.form_errors else 200
    return page("task_form.html", status, form=form, task=item)


@bp.post(PREFIX + "/tasks/<int:task_id>/end")
@access.member
def end(initiative_id: int, task_id: int):
    load_task(initiative_id, task_id)
    try:
        perform(end_task, current_user.person, initiative_id, task_id, now=utcnow())
    except VerbindingError as error:
        fail(error)
    else:
        flash(_("The task has ended; its log stays."), "success")
    return back("task", initiative_id=initiative_id, task_id=task_id)


# --- the rota ---------------------------------------------------------------------------------


def _rota_choice(members, current: list[int]) -> tuple[list[int], dict]:
    """The volunteers ticked on the rota form, in the order given (then the current order)."""
    ticked, orders = [], {}
    for m in members:
        pid = m.person_id
        raw = (request.form.get(f"turn-{pid}") or "").strip()
        orders[pid] = raw
        if request.form.get(f"on-{pid}"):
            number = int(raw) if raw.isdigit() else 999
            rank = current.index(pid) if pid in current else len(current)
            ticked.append((number, rank, pid))
    return [pid for *_, pid in sorted(ticked)], orders


@bp.route(PREFIX + "/tasks/<int:task_id>/rota", methods=["GET", "POST"])
@access.member
def rota(initiative_id: int, task_id: int):
    item = load_task(initiative_id, task_id)
    association = get_association(db(), initiative_id)
    members = members_of(db(), association.id) if association else []
    current = [v.person_id for v in task_view(db(), item, today()).volunteers]
    error, orders, chosen = None, {}, current
    if request.method == "POST":
        chosen, orders = _rota_choice(members, current)
        try:
            perform(set_rota, current_user.person, initiative_id, item.id, chosen, now=utcnow())
        except VerbindingError as failed:
            error = render_msg(failed.message)
        else:
            flash(_("The rota is saved; the turns to come are dealt again."), "success")
            return back("task", initiative_id=initiative_id, task_id=item.id)
    return page(
        "rota.html", 400 if error else 200, task=item, members=members, chosen=chosen,
        orders=orders, error=error,
    )  # fmt: skip


@bp.post(PREFIX + "/tasks/<int:task_id>/rota/<int:person_id>/step-out")
@access.member
def leave_rota(initiative_id: int, task_id: int, person_id: int):
    load_task(initiative_id, task_id)
    try:
        perform(step_out, current_user.person, initiative_id, task_id, person_id, now=utcnow())
    except VerbindingError as error:
        fail(error)
    else:
        flash(_("Stepped out of the rota; the others take over the turns."), "success")
    return back("task", "rota", initiative_id=initiative_id, task_id=task_id)


# --- turns ------------------------------------------------------------------------------------

_RECORD = {
    "done": (mark_done, _l("Recorded as done. Thank you!")),
    "missed": (mark_missed, _l("Recorded as missed.")),
    "skipped": (skip_occurrence, _l("This date is skipped.")),
}


@bp.post(PREFIX + "/turns/<int:occurrence_id>")
@access.member
def record(initiative_id: int, occurrence_id: int):
    turn = load_turn(initiative_id, occurrence_id)
    form = TurnForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(str(errors[0]), "error")
        return back("task", f"turn-{turn.id}", initiative_id=initiative_id, task_id=turn.task_id)
    operation, done = _RECORD[form.outcome.data]
    try:
        perform(
            operation, current_user.person, initiative_id, turn.id, note=form.note.data,
            now=utcnow(),
        )  # fmt: skip
    except VerbindingError as error:
        fail(error)
    else:
        flash(str(done), "success")
    if request.form.get("next") == "overview":
        return back("overview_page", "turns", initiative_id=initiative_id)
    return back("task", f"turn-{turn.id}", initiative_id=initiative_id, task_id=turn.task_id)


@bp.route(PREFIX + "/turns/<int:occurrence_id>/swap", methods=["GET", "POST"])
@access.member
def swap(initiative_id: int, occurrence_id: int):
    turn = load_turn(initiative_id, occurrence_id)
    others = swap_candidates(db(), turn, today())
    form = SwapForm()
    form.other.choices = [SelectChoice(str(o.id), str(o.id)) for o in others]
    if form.validate_on_submit():
        try:
            perform(
                swap_turns, current_user.person, initiative_id, turn.id, int(form.other.data),
                now=utcnow(),
            )  # fmt: skip
        except (VerbindingError, ValueError) as error:
            message = error.message if isinstance(error, VerbindingError) else None
            form.other.errors = [render_msg(message) if message else _("Choose a turn.")]
        else:
            flash(_("The turns are swapped."), "success")
            return back(
                "task", f"turn-{turn.id}", initiative_id=initiative_id, task_id=turn.task_id
            )
    status = 400 if form.errors else 200
    return page("swap.html", status, turn=turn, others=others, form=form)
