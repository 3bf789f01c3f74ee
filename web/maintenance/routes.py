"""Zelfbeheer pages: the overview and the log here; the association and the agreement in
``web.maintenance.association``; tasks, the rota and turns in ``web.maintenance.tasks``."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from engine.db import utcnow
from engine.errors import NotFound, VerbindingError
from engine.maintenance.occurrences import get_occurrence, log_of
from engine.maintenance.queries import maintenance_matters, overview, resident_group
from engine.maintenance.tasks import get_task
from engine.models import Initiative, MaintenanceTask, Occurrence, Person
from engine.operations.common import definition_for
from engine.permissions import can_change, is_staff
from engine.timeutil import local_date
from engine.wording import ASSOCIATION_ROLES
from web import access
from web.database import db
from web.i18n import render_msg, text

bp = Blueprint("maintenance", __name__)

PREFIX = "/initiatives/<int:initiative_id>/maintenance"
STATUS_LABELS = {
    "planned": _l("to do"),
    "done": _l("done"),
    "missed": _l("missed"),
    "skipped": _l("skipped"),
    "cancelled": _l("cancelled"),
}
STATUS_TAGS = {"done": "ok", "missed": "bad", "skipped": "warn"}


def board_role(role: str | None) -> str:
    """A place on the association's board, inside a sentence ("chair")."""
    words = ASSOCIATION_ROLES.get(role or "")
    return render_msg(words.noun) if words is not None else role or ""


def today():
    return local_date(utcnow())


def can_act() -> bool:
    return can_change(g.member_role)


def fail(error: VerbindingError) -> None:
    flash(render_msg(error.message), "error")
    for reason in error.reasons:
        flash(render_msg(reason), "error")


def load_task(initiative_id: int, task_id: int) -> MaintenanceTask:
    try:
        return get_task(db(), initiative_id, task_id)
    except NotFound:
        abort(404)


def load_turn(initiative_id: int, occurrence_id: int) -> Occurrence:
    try:
        return get_occurrence(db(), initiative_id, occurrence_id)
    except NotFound:
        abort(404)


def residents(initiative_id: int) -> list[Person]:
    """The resident group, by name: who may belong to the association."""
    return resident_group(db(), initiative_id)


def stage_title(initiative: Initiative, key: str) -> str:
    for plan in initiative.stage_plans:
        if plan.stage_key == key and plan.is_custom:
            return plan.custom_title or key
    _, defn = definition_for(db(), initiative)
    return next((text(s.title) for s in defn.stages if s.id == key), key)


def page(template: str, status: int = 200, **context):
    context.setdefault("initiative", g.initiative)
    context.setdefault("member_role", g.member_role)
    context.setdefault("can_act", can_act())
    context.setdefault("today", today())
    return render_template(f"maintenance/{template}", **context), status


def back(endpoint: str, anchor: str | None = None, **values):
    return redirect(url_for(f"maintenance.{endpoint}", _anchor=anchor, **values))


# --- template helpers -------------------------------------------------------------------------


@dataclass
class Panel:
    visible: bool = False
    data: object = None
    can_act: bool = False
    turns: list = field(default_factory=list)


def maintenance_panel(initiative: Initiative, member_role: str | None = None) -> Panel:
    """What ``maintenance/_panel.html`` shows on the initiative page (an app template global)."""
    session = db()
    if not maintenance_matters(session, initiative):
        return Panel()
    data = overview(session, initiative, today())
    return Panel(True, data, can_change(member_role), data.upcoming[:3])


bp.add_app_template_global(maintenance_panel, "maintenance_panel")
bp.add_app_template_filter(lambda s: render_msg(STATUS_LABELS.get(s, s)), "turn_status")
bp.add_app_template_filter(lambda s: STATUS_TAGS.get(s, "plain"), "turn_tag")
bp.add_app_template_filter(board_role, "board_role")


# --- pages ------------------------------------------------------------------------------------


@bp.get(PREFIX)
@access.viewer
def overview_page(initiative_id: int):
    data = overview(db(), g.initiative, today())
    return page("overview.html", data=data, is_staff=is_staff(current_user.person))


@bp.get(PREFIX + "/log")
@access.viewer
def log(initiative_id: int):
    return page("log.html", entries=log_of(db(), initiative_id))


from web.maintenance import association, tasks  # noqa: E402, F401  (more views of this blueprint)
