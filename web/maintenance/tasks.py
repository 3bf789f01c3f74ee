"""Tasks (with the friendly rule form), the rota, and recording or skipping turns.

Tasks and the rota are for the association's board and the initiators; a volunteer records
their own turns and steps out of a rota themselves (engine.permissions)."""

from __future__ import annotations

from flask import g, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session
from wtforms import SelectChoice

from engine.db import utcnow
from engine.errors import InvalidInput, VerbindingError
from engine.maintenance.association import get_association, members_of
from engine.maintenance.occurrences import log_of, mark_done, mark_missed, skip_occurrence, upcoming
from engine.maintenance.queries import task_view, tasks_of
from engine.maintenance.recurrence import build_rule, form_of, parse_rule
from engine.maintenance.roles import NOT_YOUR_TURN, OWN_ROTA_PLACE
from engine.maintenance.rota import set_rota, step_out
from engine.maintenance.tasks import create_task, end_task, update_task
from engine.models import MaintenanceTask
from web import access
from web.confirm import unconfirmed
from web.database import db
from web.form_action import form_action, row_version
from web.i18n import lazy_gettext as _l
from web.i18n import render_msg
from web.inputs import parse_count, parse_id
from web.maintenance.forms import TaskForm, TurnForm
from web.maintenance.routes import (
    PREFIX,
    bp,
    can_manage,
    forbidden,
    load_task,
    load_turn,
    my_id,
    my_standing,
    page,
    today,
)


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


def _rule_text(form: TaskForm) -> str:
    """The checked RRULE of the form; a refusal names the field the rule came from."""
    starts_on = form.starts_on.data
    assert starts_on is not None  # a required field: the form validated before this runs
    advanced = (form.advanced.data or "").strip()
    try:
        if advanced:
            return parse_rule(form.advanced.data, starts_on).text
        return build_rule(form.rule_form(), starts_on).text
    except InvalidInput as error:
        raise InvalidInput(
            error.message, error.reasons, field="advanced" if advanced else "freq"
        ) from error


def _save_task(form: TaskForm, task: MaintenanceTask | None, done: str) -> ResponseReturnValue:
    """Create or change the task, or the form again with the reasons beside their fields."""
    initiative_id = g.initiative.id

    def save(session: Session) -> MaintenanceTask:
        kwargs = {
            "title": form.title.data, "description": form.description.data or "",
            "rule": _rule_text(form), "starts_on": form.starts_on.data, "now": utcnow(),
        }  # fmt: skip
        if task is None:
            volunteers = [n for v in form.volunteers.data or () if (n := parse_id(v)) is not None]
            return create_task(
                session, current_user.person, initiative_id, volunteer_ids=volunteers, **kwargs
            )
        return update_task(
            session, current_user.person, initiative_id, task.id,
            expected_version=row_version(), **kwargs,
        )  # fmt: skip

    def again(status: int, _error: VerbindingError | None = None) -> ResponseReturnValue:
        return page("task_form.html", status, form=form, task=task)

    if request.method == "GET":
        return again(200)
    return form_action(
        form,
        save,
        done=done,
        to=lambda saved: url_for("maintenance.task", initiative_id=initiative_id, task_id=saved.id),
        again=again,
        fields={"volunteer_ids": "volunteers"},
    )


def _volunteer_choices(form: TaskForm) -> None:
    association = get_association(db(), g.initiative.id)
    members = members_of(db(), association.id) if association else []
    form.volunteers.choices = [SelectChoice(str(m.person_id), m.person.name) for m in members]


@bp.route(PREFIX + "/tasks/new", methods=["GET", "POST"])
@access.member
def new_task(initiative_id: int):
    if not can_manage():
        return forbidden()
    form = TaskForm() if request.method == "POST" else TaskForm(data={"starts_on": today()})
    _volunteer_choices(form)
    return _save_task(form, None, _("The task is added and its turns are planned."))


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
    if not can_manage():
        return forbidden()
    if request.method == "POST":
        form = TaskForm()
    else:
        form = TaskForm(obj=item)
        form.fill_from(form_of(parse_rule(item.rrule, item.starts_on)), item.rrule)
    return _save_task(form, item, _("The task is saved."))


def _task_url(initiative_id: int, task_id: int, anchor: str | None = None) -> str:
    return url_for("maintenance.task", initiative_id=initiative_id, task_id=task_id, _anchor=anchor)


@bp.post(PREFIX + "/tasks/<int:task_id>/end")
@access.member
def end(initiative_id: int, task_id: int):
    load_task(initiative_id, task_id)
    if not can_manage():
        return forbidden()
    if (refused := unconfirmed(_task_url(initiative_id, task_id))) is not None:
        return refused
    return form_action(
        None,
        lambda session: end_task(
            session,
            current_user.person,
            initiative_id,
            task_id,
            now=utcnow(),
            expected_version=row_version(),
        ),
        done=_("The task has ended; its log stays."),
        to=_task_url(initiative_id, task_id),
    )


# --- the rota ---------------------------------------------------------------------------------


def _rota_choice(members, current: list[int]) -> tuple[list[int], dict]:
    """The volunteers ticked on the rota form, in the order given (then the current order)."""
    ticked, orders = [], {}
    for m in members:
        pid = m.person_id
        raw = (request.form.get(f"turn-{pid}") or "").strip()
        orders[pid] = raw
        if request.form.get(f"on-{pid}"):
            number = parse_count(raw)
            number = 999 if number is None else number
            rank = current.index(pid) if pid in current else len(current)
            ticked.append((number, rank, pid))
    return [pid for *_, pid in sorted(ticked)], orders


@bp.route(PREFIX + "/tasks/<int:task_id>/rota", methods=["GET", "POST"])
@access.member
def rota(initiative_id: int, task_id: int):
    item = load_task(initiative_id, task_id)
    if not can_manage():
        return forbidden()
    association = get_association(db(), initiative_id)
    members = members_of(db(), association.id) if association else []
    current = [v.person_id for v in task_view(db(), item, today()).volunteers]

    def again(
        status: int, error: VerbindingError | None, chosen: list[int] = current, orders=None
    ) -> ResponseReturnValue:
        return page(
            "rota.html", status, task=item, members=members, chosen=chosen, orders=orders or {},
            error=render_msg(error.message) if error is not None else None,
        )  # fmt: skip

    if request.method == "GET":
        return again(200, None)
    chosen, orders = _rota_choice(members, current)
    return form_action(
        None,
        lambda session: set_rota(
            session,
            current_user.person,
            initiative_id,
            item.id,
            chosen,
            now=utcnow(),
            expected_version=row_version(),
        ),
        done=_("The rota is saved; the turns to come are dealt again."),
        to=_task_url(initiative_id, item.id),
        again=lambda status, error: again(status, error, chosen, orders),
    )


@bp.post(PREFIX + "/tasks/<int:task_id>/rota/<int:person_id>/step-out")
@access.member
def leave_rota(initiative_id: int, task_id: int, person_id: int):
    load_task(initiative_id, task_id)
    if not my_standing().handles_turn(own=person_id == my_id()):
        return forbidden(render_msg(OWN_ROTA_PLACE))
    return form_action(
        None,
        lambda session: step_out(
            session,
            current_user.person,
            initiative_id,
            task_id,
            person_id,
            now=utcnow(),
            expected_version=row_version(),
        ),
        done=_("Stepped out of the rota; the others take over the turns."),
        to=_task_url(initiative_id, task_id, "rota"),
    )


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
    if not my_standing().handles_turn(own=turn.assignee_id == my_id()):
        return forbidden(render_msg(NOT_YOUR_TURN))
    form = TurnForm()
    if request.form.get("next") == "overview":
        to = url_for("maintenance.overview_page", initiative_id=initiative_id, _anchor="turns")
    else:
        to = _task_url(initiative_id, turn.task_id, f"turn-{turn.id}")
    operation, done = _RECORD.get(form.outcome.data or "", _RECORD["done"])
    return form_action(
        form,
        lambda session: operation(
            session,
            current_user.person,
            initiative_id,
            turn.id,
            note=form.note.data,
            now=utcnow(),
        ),  # fmt: skip
        done=str(done),
        to=to,
    )
