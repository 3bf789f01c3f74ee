"""The discussions: the initiative's, each decision's, and the initiators' thread with the area's
coaches. Views load, check who may read (web/access.py), call one engine operation, render."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from engine.bounds import MAX_ID
from engine.db import utcnow
from engine.discussions.operations import (
    EDIT_WINDOW,
    delete_message,
    dismiss_report,
    edit_message,
    hide_message,
    post_message,
    report_message,
)
from engine.discussions.queries import (
    Standing,
    area_coaches,
    decision_threads,
    load_thread,
    open_reports,
    page_of,
    standing,
)
from engine.errors import VerbindingError
from engine.models import Decision, Message, MessageReport, Person
from web import access
from web.database import db
from web.discussions.forms import (
    EditMessageForm,
    HideMessageForm,
    MessageForm,
    PlainForm,
    ReportMessageForm,
)
from web.form_action import form_action
from web.initiatives.page import identify

bp = Blueprint("discussions", __name__)


def _person() -> Person | None:
    return current_user.person if current_user.is_authenticated else None


def _standing() -> Standing:
    return standing(db(), g.initiative, _person(), g.member_role, known=True)


def _page_number() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def _decision(initiative_id: int, decision_id: int) -> Decision:
    decision = db().get(Decision, decision_id) if decision_id <= MAX_ID else None
    if decision is None or decision.initiative_id != initiative_id:
        abort(404)
    return decision


def _message(initiative_id: int, message_id: int) -> Message:
    message = db().get(Message, message_id) if message_id <= MAX_ID else None
    if message is None or message.initiative_id != initiative_id:
        abort(404)
    if not _standing().reads(message.channel):
        abort(404)
    return message


def thread_url(initiative_id: int, channel: str, decision_id: int | None, **values: Any) -> str:
    if channel == "coaches":
        return url_for("discussions.coaches", initiative_id=initiative_id, **values)
    if decision_id is not None:
        return url_for(
            "discussions.decision", initiative_id=initiative_id, decision_id=decision_id, **values
        )
    return url_for("discussions.show", initiative_id=initiative_id, **values)


def message_url(message: Message) -> str:
    """The page of its thread a message is on, scrolled to it."""
    return thread_url(
        message.initiative_id,
        message.channel,
        message.decision_id,
        page=page_of(db(), message),
        _anchor=f"message-{message.id}",
    )


class ThreadForms:
    """The thread page's forms: the one sent back (with its errors), fresh ones for the rest."""

    def __init__(self, submitted: Mapping[str, FlaskForm]) -> None:
        self.submitted = dict(submitted)
        self.failed = next(iter(self.submitted), None)

    def _get(self, key: str, make: Callable[[], FlaskForm]) -> Any:
        return identify(self.submitted.get(key) or make(), key)

    def post(self) -> MessageForm:
        return self._get("post", lambda: MessageForm(formdata=None))

    def reply(self, message: Message) -> MessageForm:
        data = {"parent_id": message.id}
        return self._get(f"reply-{message.id}", lambda: MessageForm(formdata=None, data=data))

    def edit(self, message: Message) -> EditMessageForm:
        data = {"body": message.body, "version": message.version}
        return self._get(f"edit-{message.id}", lambda: EditMessageForm(formdata=None, data=data))

    def hide(self, message: Message) -> HideMessageForm:
        data = {"version": message.version}
        return self._get(f"hide-{message.id}", lambda: HideMessageForm(formdata=None, data=data))

    def report(self, message: Message) -> ReportMessageForm:
        return self._get(f"report-{message.id}", lambda: ReportMessageForm(formdata=None))


def render_thread(
    channel: str,
    decision: Decision | None = None,
    *,
    page: int | None = None,
    forms: Mapping[str, FlaskForm] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    initiative, who = g.initiative, _standing()
    session, now = db(), utcnow()
    thread = load_thread(
        session,
        initiative,
        channel=channel,
        decision=decision,
        page=page or _page_number(),
        with_reports=who.moderates,
    )
    context: dict[str, Any] = {
        "initiative": initiative,
        "who": who,
        "thread": thread,
        "forms": ThreadForms(forms or {}),
        "may_write": who.writes(channel) and (decision is None or decision.status == "open"),
        "editable": lambda m: _editable(m, who, now),
        "edit_until": lambda m: m.created_dt + EDIT_WINDOW,
        "coaches": area_coaches(session, initiative) if who.reads("group") else [],
        "url": lambda **values: thread_url(
            initiative.id, channel, decision.id if decision else None, **values
        ),
    }
    if channel == "group" and decision is None:
        context["decisions"] = decision_threads(session, initiative)
        context["reports"] = open_reports(session, initiative.id) if who.moderates else []
    return render_template("discussions/thread.html", **context), status


def _editable(message: Message, who: Standing, now: datetime) -> bool:
    return (
        who.person is not None
        and message.author_id == who.person.id
        and not message.is_gone
        and now - message.created_dt <= EDIT_WINDOW
        and who.writes(message.channel)
    )


# --- reading ----------------------------------------------------------------------------------


@bp.get("/initiatives/<int:initiative_id>/discussion")
@access.viewer
def show(initiative_id: int):
    return render_thread("group")


@bp.get("/initiatives/<int:initiative_id>/decisions/<int:decision_id>/discussion")
@access.viewer
def decision(initiative_id: int, decision_id: int):
    return render_thread("group", _decision(initiative_id, decision_id))


@bp.get("/initiatives/<int:initiative_id>/discussion/coaches")
@access.coach_thread
def coaches(initiative_id: int):
    return render_thread("coaches")


@bp.get("/initiatives/<int:initiative_id>/messages/<int:message_id>")
@access.viewer
def message(initiative_id: int, message_id: int):
    return redirect(message_url(_message(initiative_id, message_id)))


# --- writing ----------------------------------------------------------------------------------


def _again(channel: str, decision: Decision | None, key: str, form: FlaskForm, page: int | None):
    def again(status: int, _error: VerbindingError | None) -> ResponseReturnValue:
        return render_thread(channel, decision, page=page, forms={key: form}, status=status)

    return again


def _post(channel: str, decision: Decision | None) -> ResponseReturnValue:
    form = MessageForm()
    raw = form.parent_id.data or ""
    parent_id = int(raw) if raw.isdigit() and len(raw) < 10 else None
    key = f"reply-{parent_id}" if parent_id else "post"
    page = None
    if parent_id:
        parent = db().get(Message, parent_id)
        page = page_of(db(), parent) if parent is not None else None
    return form_action(
        form,
        lambda session: post_message(
            session,
            current_user.person,
            initiative_id=g.initiative.id,
            body=form.body.data,
            now=utcnow(),
            channel=channel,
            decision_id=decision.id if decision else None,
            parent_id=parent_id,
        ),  # fmt: skip
        done=_("Your message is posted."),
        to=message_url,
        again=_again(channel, decision, key, form, page if parent_id else 10**6),
        summary=False,
    )


@bp.post("/initiatives/<int:initiative_id>/discussion")
@access.login
def post(initiative_id: int):
    return _post("group", None)


@bp.post("/initiatives/<int:initiative_id>/decisions/<int:decision_id>/discussion")
@access.login
def post_decision(initiative_id: int, decision_id: int):
    return _post("group", _decision(initiative_id, decision_id))


@bp.post("/initiatives/<int:initiative_id>/discussion/coaches")
@access.coach_thread
def post_coaches(initiative_id: int):
    return _post("coaches", None)


def _version(form: FlaskForm) -> int | None:
    raw = form.version.data or ""
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _on_message(
    key: str,
    form: FlaskForm,
    call: Callable[[Session, Message], Any],
    done: str,
    message_id: int,
) -> ResponseReturnValue:
    message = _message(g.initiative.id, message_id)
    decision = db().get(Decision, message.decision_id) if message.decision_id else None
    page = page_of(db(), message)
    return form_action(
        form,
        lambda session: call(session, message),
        done=done,
        to=lambda _result: message_url(message),
        again=_again(message.channel, decision, f"{key}-{message.id}", form, page),
        summary=False,
    )


@bp.post("/initiatives/<int:initiative_id>/messages/<int:message_id>/edit")
@access.login
def edit(initiative_id: int, message_id: int):
    form = EditMessageForm()
    return _on_message(
        "edit", form,
        lambda session, m: edit_message(
            session, current_user.person, initiative_id=initiative_id, message_id=m.id,
            body=form.body.data, now=utcnow(), expected_version=_version(form),
        ),
        _("Your message is changed."), message_id,
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/messages/<int:message_id>/delete")
@access.login
def delete(initiative_id: int, message_id: int):
    form = PlainForm()
    return _on_message(
        "delete", form,
        lambda session, m: delete_message(
            session, current_user.person, initiative_id=initiative_id, message_id=m.id,
            now=utcnow(), expected_version=_version(form),
        ),
        _("Your message is deleted."), message_id,
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/messages/<int:message_id>/hide")
@access.login
def hide(initiative_id: int, message_id: int):
    form = HideMessageForm()
    return _on_message(
        "hide", form,
        lambda session, m: hide_message(
            session, current_user.person, initiative_id=initiative_id, message_id=m.id,
            reason=form.reason.data, now=utcnow(), expected_version=_version(form),
        ),
        _("The message is hidden."), message_id,
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/messages/<int:message_id>/report")
@access.login
def report(initiative_id: int, message_id: int):
    form = ReportMessageForm()
    return _on_message(
        "report", form,
        lambda session, m: report_message(
            session, current_user.person, initiative_id=initiative_id, message_id=m.id,
            reason=form.reason.data, now=utcnow(),
        ),
        _("Thank you. The initiators and the process coaches will look at it."), message_id,
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/reports/<int:report_id>/dismiss")
@access.login
def dismiss(initiative_id: int, report_id: int):
    found = db().get(MessageReport, report_id) if report_id <= MAX_ID else None
    if found is None or found.initiative_id != initiative_id:
        abort(404)
    return form_action(
        PlainForm(),
        lambda session: dismiss_report(
            session,
            current_user.person,
            initiative_id=initiative_id,
            report_id=report_id,
            now=utcnow(),
        ),  # fmt: skip
        done=_("The report is closed; the message stays."),
        to=url_for("discussions.show", initiative_id=initiative_id, _anchor="reports"),
    )


from web.discussions import history, panel  # noqa: E402, F401  (history words, page panel)
