"""Zelfbeheer pages: the overview and the log here; the association and the agreement in
``web.maintenance.association``; tasks, the rota and turns in ``web.maintenance.tasks``;
questions to swap a turn in ``web.maintenance.swaps``.

Every view of the group carries the ``member`` rule; what only the association's board and
the initiators may do (engine.permissions) is checked here once more before the engine is
asked, so a plain member who opens such a page or sends its form gets a 403 page that says
who can do it, and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import Blueprint, abort, g, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.db import utcnow
from engine.errors import NotFound
from engine.maintenance.occurrences import NextTurn, get_occurrence, log_of, next_turns
from engine.maintenance.proposals import count_asked_of, open_swaps
from engine.maintenance.queries import (
    Overview,
    managers,
    overview,
    panel_overview,
    resident_group,
)
from engine.maintenance.roles import MANAGERS_ONLY, Standing, standing
from engine.maintenance.tasks import get_task
from engine.models import Initiative, MaintenanceTask, Occurrence, Person
from engine.pages import InitiativePage
from engine.permissions import can_change, is_staff
from engine.timeutil import local_date
from engine.wording import ASSOCIATION_ROLE_WORDS, role_words
from engine.workflows.process_plan import plan_of
from web import access
from web.database import db, runtime
from web.i18n import lazy_gettext as _l
from web.i18n import render_msg, text
from web.panels import Panel, register_panel

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
    words = ASSOCIATION_ROLE_WORDS.get(role or "")
    return render_msg(words.noun) if words is not None else role or ""


def today():
    return local_date(utcnow(), runtime().config.timezone)


def can_act() -> bool:
    return can_change(g.member_role)


def me() -> Person | None:
    return current_user.person if current_user.is_authenticated else None


def my_id() -> int | None:
    person = me()
    return person.id if person is not None else None


def my_standing() -> Standing:
    """The visitor's role in the group and place on the board, read once per request."""
    if "maintenance_standing" not in g:
        g.maintenance_standing = standing(db(), g.initiative.id, me())
    return g.maintenance_standing


def can_manage() -> bool:
    return my_standing().manages


def forbidden(message=None) -> ResponseReturnValue:
    """A 403 page that says why, and who can do it: the board and the initiators."""
    return page(
        "forbidden.html",
        403,
        message=message or render_msg(MANAGERS_ONLY),
        managers=managers(db(), g.initiative.id),
        initiator=render_msg(role_words("initiator").noun),
    )


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
    return text(plan_of(db(), initiative, initiative.stage_plans).title(key))


def page(template: str, status: int = 200, **context):
    context.setdefault("initiative", g.initiative)
    context.setdefault("member_role", g.member_role)
    context.setdefault("can_act", can_act())
    context.setdefault("can_manage", can_manage())
    context.setdefault("me", my_id())
    context.setdefault("today", today())
    return render_template(f"maintenance/{template}", **context), status


# --- template helpers -------------------------------------------------------------------------


#: how many of the next turns the initiative page's panel lists
PANEL_TURNS = 3


@dataclass
class MaintenancePanel:
    data: Overview
    turns: list[NextTurn] = field(default_factory=list)
    #: questions to swap a turn that wait for the visitor's answer
    asked: int = 0


def load_panel(
    session: Session, page: InitiativePage, person: Person | None, now: datetime
) -> MaintenancePanel | None:
    """What ``maintenance/_panel.html`` shows: only once zelfbeheer matters to the group."""
    data = panel_overview(session, page.initiative, guards=page.guards)
    if data is None:
        return None
    day = local_date(now, config_of(session).timezone)
    turns = next_turns(session, page.initiative.id, day, PANEL_TURNS)
    asked = count_asked_of(session, page.initiative.id, person.id, day) if person else 0
    return MaintenancePanel(data, turns, asked)


register_panel(bp, Panel("maintenance", "maintenance/_panel.html", "main", 30, load_panel))
bp.add_app_template_filter(lambda s: render_msg(STATUS_LABELS.get(s, s)), "turn_status")
bp.add_app_template_filter(lambda s: STATUS_TAGS.get(s, "plain"), "turn_tag")
bp.add_app_template_filter(board_role, "board_role")


# --- pages ------------------------------------------------------------------------------------


@bp.get(PREFIX)
@access.viewer
def overview_page(initiative_id: int):
    data = overview(db(), g.initiative, today())
    mine = my_id()
    questions = open_swaps(db(), initiative_id, today()) if mine else []
    return page(
        "overview.html",
        data=data,
        is_staff=is_staff(me()),
        asked=[q for q in questions if q.recipient_id == mine],
        asking=[q for q in questions if q.proposer_id == mine],
    )


@bp.get(PREFIX + "/log")
@access.viewer
def log(initiative_id: int):
    return page("log.html", entries=log_of(db(), initiative_id))


from web.maintenance import (  # noqa: E402, F401  (more views of this blueprint)
    association,
    swaps,
    tasks,
)
