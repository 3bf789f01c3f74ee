"""Support requests: members file them, coaches answer, everyone who may see the initiative
follows every state change and reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, g, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from engine.coach.health import respond_by_standing
from engine.coach.queries import coaches, inbox, request_history, requests_of
from engine.db import utcnow
from engine.errors import NotFound, VerbindingError
from engine.listing import places
from engine.models import Initiative, Person, SupportRequest
from engine.operations import (
    accept_support_request,
    acknowledge_support_request,
    assign_support_request,
    decline_support_request,
    deliver_support_request,
    file_support_request,
    withdraw_support_request,
)
from engine.operations.support import get_support_request
from engine.pages import InitiativePage
from engine.permissions import can_change, is_staff
from engine.timeutil import local_date
from engine.wording import (
    SUPPORT_KINDS,
    SUPPORT_STATUSES,
    respond_by_phrase,
    support_event,
)
from engine.workflows.process_plan import plan_of
from web import access
from web.confirm import is_confirmed
from web.database import db, runtime
from web.form_action import form_action
from web.i18n import lazy_gettext as _l
from web.i18n import render_msg, text
from web.inputs import parse_id, query_count, query_id
from web.panels import Panel, register_panel
from web.support.forms import ACTION_FORMS, RequestForm

bp = Blueprint("support", __name__)

PER_PAGE = 25


# --- what the initiative page's panel and the pages show ----------------------------------


@dataclass
class SupportPanel:
    requests: list[SupportRequest]
    can_file: bool
    can_answer: bool


def support_panel(
    session: Session,
    initiative_id: int,
    role: str | None,
    person: Person | None,
    *,
    known_none: bool = False,
) -> SupportPanel:
    """The initiative's requests, and what the visitor may do with them; ``known_none``: the
    caller's guard facts say there are none (nothing is read)."""
    return SupportPanel(
        requests=[] if known_none else requests_of(session, initiative_id),
        can_file=can_change(role),
        can_answer=is_staff(person),
    )


def load_panel(
    session: Session, page: InitiativePage, person: Person | None, now: datetime
) -> SupportPanel:
    """What ``support/_panel.html`` shows on the initiative page (the page's guard facts, read
    moments before, say whether there are requests to read)."""
    none = page.guards is not None and page.guards.support_requests == 0
    return support_panel(session, page.initiative.id, page.role, person, known_none=none)


register_panel(bp, Panel("support", "support/_panel.html", "main", 20, load_panel))


def respond_by_text(row: SupportRequest) -> str:
    """The respond-by of a waiting request in words: in how many working days, or how late."""
    if row.respond_by_date is None or not row.is_waiting:
        return ""
    today = local_date(utcnow(), runtime().config.timezone)
    standing = respond_by_standing(row.respond_by_date, today)
    return render_msg(respond_by_phrase(*standing))


bp.add_app_template_filter(lambda kind: render_msg(SUPPORT_KINDS.get(kind)), "support_kind")
bp.add_app_template_filter(lambda s: render_msg(SUPPORT_STATUSES.get(s)), "support_status")
bp.add_app_template_filter(respond_by_text, "respond_by_text")


def stage_name(stage_key: str, initiative: Initiative) -> str:
    """A stage's title in the reader's language (the residents' own title for their stages)."""
    return text(plan_of(db(), initiative, initiative.stage_plans).title(stage_key))


bp.add_app_template_filter(stage_name, "stage_name")


def _stage_choices(initiative: Initiative) -> list[tuple[str, str]]:
    plan = plan_of(db(), initiative, initiative.stage_plans)
    choices = [("", _("The initiative as a whole"))]
    for key in plan.stages:
        if not plan.is_skipped(key):
            choices.append((key, text(plan.title(key))))
    return choices


def _load(initiative_id: int, request_id: int) -> SupportRequest:
    try:
        return get_support_request(db(), request_id, initiative_id)
    except NotFound:
        abort(404)


# --- residents: list and file ---------------------------------------------------------------


@bp.get("/initiatives/<int:initiative_id>/support")
@access.viewer
def index(initiative_id: int):
    panel = support_panel(db(), g.initiative.id, g.member_role, current_user.person)
    return render_template(
        "support/index.html", initiative=g.initiative, member_role=g.member_role, panel=panel
    )


@bp.route("/initiatives/<int:initiative_id>/support/new", methods=["GET", "POST"])
@access.member
def new(initiative_id: int):
    initiative = g.initiative
    form = RequestForm()
    form.kind.choices = [("", _("Choose a kind"))] + [
        (kind, render_msg(label)) for kind, label in SUPPORT_KINDS.items()
    ]
    form.stage_key.choices = _stage_choices(initiative)

    def again(status: int, _error: VerbindingError | None = None) -> ResponseReturnValue:
        return render_template("support/new.html", initiative=initiative, form=form), status

    if request.method == "GET" or request.form.get("change"):
        return again(200)  # back from the check page: what was typed stays
    if not is_confirmed():
        # first read it back, then send it (WCAG 3.3.4: the municipality gets it at once)
        if not form.validate_on_submit():
            return again(400)
        return render_template(
            "support/check.html",
            initiative=initiative,
            form=form,
            kind=dict(form.kind.choices).get(form.kind.data, ""),
            stage=dict(form.stage_key.choices).get(form.stage_key.data, ""),
        )
    return form_action(
        form,
        lambda session: file_support_request(
            session,
            current_user.person,
            initiative.id,
            kind=form.kind.data,
            description=form.description.data,
            stage_key=form.stage_key.data or None,
            now=utcnow(),
        ),  # fmt: skip
        done=lambda row: _(
            "The request is filed. The municipality answers by %(date)s.",
            date=_date(row.respond_by_date),
        ),
        to=lambda row: url_for("support.show", initiative_id=initiative.id, request_id=row.id),
        again=again,
    )


def _date(value) -> str:
    from web.i18n import when

    return when(value, "long")


# --- one request: its history, the answers ----------------------------------------------------


def _forms(row: SupportRequest, posted: str | None = None) -> dict:
    """Every action form of the page; the posted one keeps what was typed."""
    forms = {}
    for action, cls in ACTION_FORMS.items():
        form = cls(prefix=action, formdata=request.form if action == posted else None)
        if action != posted:
            form.version.data = str(row.version)
        forms[action] = form
    forms["assign"].coach.choices = [("", _("Nobody"))] + [
        (str(p.id), p.name) for p in coaches(db())
    ]
    if posted != "assign":
        forms["assign"].coach.data = str(row.assigned_to_id or "")
    return forms


def _show(row: SupportRequest, forms: dict, status: int = 200):
    history = [(e, support_event(e.kind, e.data)) for e in request_history(db(), row)]
    return (
        render_template(
            "support/show.html",
            initiative=g.initiative,
            member_role=g.member_role,
            row=row,
            history=history,
            forms=forms,
            can_answer=is_staff(current_user.person),
            can_withdraw=can_change(g.member_role) and row.is_open,
        ),
        status,
    )


@bp.get("/initiatives/<int:initiative_id>/support/<int:request_id>")
@access.viewer
def show(initiative_id: int, request_id: int):
    row = _load(initiative_id, request_id)
    return _show(row, _forms(row))


#: action → (operation, the argument its text goes in, what is flashed when done)
_OPERATIONS: dict[str, tuple[Callable[..., SupportRequest], str, Any]] = {
    "acknowledge": (acknowledge_support_request, "note", _l("You acknowledged the request.")),
    "accept": (accept_support_request, "note", _l("You accepted the request.")),
    "decline": (decline_support_request, "reason", _l("You declined the request.")),
    "deliver": (deliver_support_request, "note", _l("The request is marked as delivered.")),
    "withdraw": (withdraw_support_request, "reason", _l("The group withdrew the request.")),
}


def _fresh(forms: dict, action: str, row: SupportRequest, status: int) -> dict:
    """After a lost race the sent form keeps its text but carries the request's new version."""
    if status == 409:
        forms[action].version.data = str(row.version)
    return forms


def _act(action: str, initiative_id: int, request_id: int) -> ResponseReturnValue:
    row = _load(initiative_id, request_id)
    forms = _forms(row, posted=action)
    form = forms[action]
    version = form.version.data or ""
    kwargs: dict[str, Any] = {
        "now": utcnow(),
        "expected_version": parse_id(version),
    }
    operation: Callable[..., SupportRequest]
    if action == "assign":
        operation, done = assign_support_request, _l("The request is assigned.")
        chosen = form.coach.data
        kwargs["coach_id"] = parse_id(chosen)
    else:
        operation, argument, done = _OPERATIONS[action]
        kwargs[argument] = form.note.data
    return form_action(
        form,
        lambda session: operation(session, current_user.person, row.id, **kwargs),
        done=str(done),
        to=url_for("support.show", initiative_id=initiative_id, request_id=request_id),
        again=lambda status, _error: _show(row, _fresh(forms, action, row, status), status),
        fields={"coach_id": "coach", "reason": "note"},
    )


@bp.post("/initiatives/<int:initiative_id>/support/<int:request_id>/acknowledge")
@access.staff
def acknowledge(initiative_id: int, request_id: int):
    return _act("acknowledge", initiative_id, request_id)


@bp.post("/initiatives/<int:initiative_id>/support/<int:request_id>/accept")
@access.staff
def accept(initiative_id: int, request_id: int):
    return _act("accept", initiative_id, request_id)


@bp.post("/initiatives/<int:initiative_id>/support/<int:request_id>/decline")
@access.staff
def decline(initiative_id: int, request_id: int):
    return _act("decline", initiative_id, request_id)


@bp.post("/initiatives/<int:initiative_id>/support/<int:request_id>/deliver")
@access.staff
def deliver(initiative_id: int, request_id: int):
    return _act("deliver", initiative_id, request_id)


@bp.post("/initiatives/<int:initiative_id>/support/<int:request_id>/assign")
@access.staff
def assign(initiative_id: int, request_id: int):
    return _act("assign", initiative_id, request_id)


@bp.post("/initiatives/<int:initiative_id>/support/<int:request_id>/withdraw")
@access.member
def withdraw(initiative_id: int, request_id: int):
    return _act("withdraw", initiative_id, request_id)


# --- the coaches' inbox -----------------------------------------------------------------------


@bp.get("/support/", endpoint="inbox")
@access.staff
def inbox_page():
    show = request.args.get("show", "all")
    district = query_id("stadsdeel")
    page = max(query_count("page", 1), 1)
    me = current_user.person.id
    rows, total = inbox(
        db(),
        assigned_to=me if show == "mine" else None,
        unassigned=show == "unassigned",
        district_id=district,
        page=page,
        per_page=PER_PAGE,
    )
    pages = max(1, -(-total // PER_PAGE))
    return render_template(
        "support/inbox.html",
        rows=rows,
        total=total,
        page=min(page, pages),
        pages=pages,
        show=show,
        district=district,
        places=places(db()),
    )


from web.support import history as _history  # noqa: E402, F401  (registers history describers)
