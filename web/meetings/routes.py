"""Meetings: the list, one meeting with its answers, plan / change / cancel, the message to
those going (shown once more before it is sent), the minutes.

The group (``member``) plans and changes; anyone who may see the initiative reads; a signed-in
neighbour answers going, maybe or not (``signed_in_viewer``).
"""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import Session
from wtforms import SelectChoice

from engine.db import utcnow
from engine.errors import VerbindingError
from engine.meetings.operations import (
    MeetingInput,
    answer_meeting,
    attach_minutes,
    cancel_meeting,
    message_going,
    plan_meeting,
    update_meeting,
)
from engine.meetings.paper import add_paper_signup, paper_signups_of, remove_paper_signup
from engine.meetings.queries import MeetingView, answers_of, documents_of, meetings_of, my_answer
from engine.models.meetings import Meeting
from engine.permissions import can_change
from engine.timeutil import local
from web import access
from web.confirm import is_confirmed, unconfirmed
from web.database import db, runtime
from web.form_action import form_action, row_version
from web.inputs import Form, parse_id
from web.meetings.forms import (
    AnswerForm,
    CancelForm,
    MeetingForm,
    MessageForm,
    MinutesForm,
    PaperForm,
)
from web.panels import Panel, register_panel

bp = Blueprint("meetings", __name__)
# a link on the initiative page (renders from the page itself: no queries)
register_panel(bp, Panel("meetings", "meetings/_panel.html", "side", 25))

PREFIX = "/initiatives/<int:initiative_id>/meetings"


def _me():
    return current_user.person if current_user.is_authenticated else None


def _page(template: str, status: int = 200, **context) -> ResponseReturnValue:
    context.setdefault("initiative", g.initiative)
    context.setdefault("is_member", can_change(g.member_role))
    context.setdefault("now", utcnow())
    return render_template(f"meetings/{template}", **context), status


def _load(initiative_id: int, meeting_id: int) -> MeetingView:
    found = meetings_of(db(), initiative_id, meeting_id)
    if not found:
        abort(404)
    return found[0]


def _url(initiative_id: int, meeting_id: int, anchor: str | None = None) -> str:
    return url_for("meetings.show", initiative_id=initiative_id, meeting_id=meeting_id,
                   _anchor=anchor)  # fmt: skip


@bp.get(PREFIX)
@access.viewer
def index(initiative_id: int):
    now = utcnow()
    views = meetings_of(db(), initiative_id)
    upcoming = [v for v in views if not v.is_past(now)]
    past = [v for v in reversed(views) if v.is_past(now)]
    return _page("index.html", upcoming=upcoming, past=past)


def _input(form: MeetingForm) -> MeetingInput:
    return MeetingInput(
        title=form.title.data or "", day=form.day.data, starts=form.starts.data or "",
        ends=form.ends.data or "", place=form.place.data or "", address=form.address.data or "",
        capacity=form.capacity.data, accessibility=form.accessibility.data or "",
        end_day=form.end_day.data,
    )  # fmt: skip


def _save(form: MeetingForm, meeting: Meeting | None, done: str) -> ResponseReturnValue:
    initiative_id = g.initiative.id

    def save(session: Session) -> Meeting:
        if meeting is None:
            return plan_meeting(session, current_user.person, initiative_id, _input(form),
                                utcnow())  # fmt: skip
        return update_meeting(session, current_user.person, initiative_id, meeting.id,
                              _input(form), utcnow(), expected_version=row_version())  # fmt: skip

    def again(status: int, _error: VerbindingError | None = None) -> ResponseReturnValue:
        return _page("form.html", status, form=form, meeting=meeting)

    if request.method == "GET":
        return again(200)
    return form_action(form, save, done=done, to=lambda m: _url(initiative_id, m.id),
                       again=again)  # fmt: skip


@bp.route(PREFIX + "/new", methods=["GET", "POST"])
@access.member
def new(initiative_id: int):
    return _save(MeetingForm(), None, _("The meeting is planned."))


@bp.route(PREFIX + "/<int:meeting_id>/edit", methods=["GET", "POST"])
@access.member
def edit(initiative_id: int, meeting_id: int):
    meeting = _load(initiative_id, meeting_id).meeting
    if request.method == "POST":
        form = MeetingForm()
    else:
        tz = runtime().config.timezone
        start, end = local(meeting.start_dt, tz), local(meeting.end_dt, tz)
        other_day = end.date() if end.date() != start.date() else None
        times = {"starts": f"{start:%H:%M}", "ends": f"{end:%H:%M}"}
        form = MeetingForm(obj=meeting, data={"day": start.date(), "end_day": other_day, **times})
    return _save(form, meeting, _("The meeting is saved."))


@bp.get(PREFIX + "/<int:meeting_id>")
@access.viewer
def show(initiative_id: int, meeting_id: int):
    return _show(initiative_id, meeting_id)


def _show(initiative_id: int, meeting_id: int, status: int = 200,
          message_form: MessageForm | None = None,
          paper_form: PaperForm | None = None) -> ResponseReturnValue:  # fmt: skip
    view = _load(initiative_id, meeting_id)
    me = _me()
    is_member = can_change(g.member_role)
    minutes = MinutesForm()
    minutes.document.choices = [
        SelectChoice(str(i), n) for i, n in documents_of(db(), initiative_id)
    ]
    return _page(
        "show.html",
        status,
        view=view,
        meeting=view.meeting,
        mine=my_answer(db(), meeting_id, me.id if me else None),
        answers=answers_of(db(), meeting_id) if is_member else [],
        paper=paper_signups_of(db(), meeting_id) if is_member else [],
        paper_form=paper_form or PaperForm(),
        answer_form=AnswerForm(),
        message_form=message_form or MessageForm(),
        cancel_form=CancelForm(),
        minutes_form=minutes,
    )


@bp.post(PREFIX + "/<int:meeting_id>/answer")
@access.signed_in_viewer
def answer(initiative_id: int, meeting_id: int):
    _load(initiative_id, meeting_id)
    form = AnswerForm()
    return form_action(
        form,
        lambda session: answer_meeting(
            session,
            current_user.person,
            initiative_id,
            meeting_id,
            form.answer.data or "",
            utcnow(),
        ),  # fmt: skip
        done=_("Your answer is saved."),
        to=_url(initiative_id, meeting_id, "answer"),
    )


@bp.post(PREFIX + "/<int:meeting_id>/cancel")
@access.member
def cancel(initiative_id: int, meeting_id: int):
    view = _load(initiative_id, meeting_id)
    if (refused := unconfirmed(_url(initiative_id, meeting_id))) is not None:
        return refused
    form = CancelForm()
    return form_action(
        form,
        lambda session: cancel_meeting(
            session,
            current_user.person,
            initiative_id,
            meeting_id,
            utcnow(),
            reason=form.reason.data or "",
            expected_version=row_version(),
        ),  # fmt: skip
        done=_("The meeting is cancelled. Those going or maybe coming are told."),
        to=_url(initiative_id, view.meeting.id),
    )


@bp.post(PREFIX + "/<int:meeting_id>/message")
@access.member
def message(initiative_id: int, meeting_id: int):
    """First the message as it will be sent, with how many get it; then, confirmed, sent."""
    view = _load(initiative_id, meeting_id)
    form = MessageForm()
    back = _url(initiative_id, meeting_id, "message")
    if not is_confirmed():
        if not form.validate_on_submit():  # the page again, the problem beside the field
            return _show(initiative_id, meeting_id, 400, message_form=form)
        return _page("message.html", view=view, meeting=view.meeting, form=form)
    return form_action(
        form,
        lambda session: message_going(
            session, current_user.person, initiative_id, meeting_id, form.text.data or "", utcnow()
        ),  # fmt: skip
        done=lambda n: ngettext(
            "The message is sent to %(num)d person.", "The message is sent to %(num)d people.", n
        ),
        to=_url(initiative_id, meeting_id),
        back=back,
    )


@bp.post(PREFIX + "/<int:meeting_id>/minutes")
@access.member
def minutes(initiative_id: int, meeting_id: int):
    _load(initiative_id, meeting_id)
    form = MinutesForm()
    document_id = parse_id(form.document.data) or 0
    return form_action(
        form,
        lambda session: attach_minutes(
            session, current_user.person, initiative_id, meeting_id, document_id, utcnow()
        ),  # fmt: skip
        done=_("The minutes are attached to the meeting."),
        to=_url(initiative_id, meeting_id, "minutes"),
    )


@bp.post(PREFIX + "/<int:meeting_id>/paper")
@access.member
def paper_add(initiative_id: int, meeting_id: int):
    """A line of the paper sign-up list: a name and how many come with it."""
    _load(initiative_id, meeting_id)
    form = PaperForm()

    def again(status: int, _error: VerbindingError | None = None) -> ResponseReturnValue:
        return _show(initiative_id, meeting_id, status, paper_form=form)

    return form_action(
        form,
        lambda session: add_paper_signup(
            session,
            current_user.person,
            initiative_id,
            meeting_id,
            form.name.data or "",
            form.people.data,
            utcnow(),
        ),  # fmt: skip
        done=_("The sign-up from the paper list is added."),
        to=_url(initiative_id, meeting_id, "paper"),
        again=again,
    )


@bp.post(PREFIX + "/<int:meeting_id>/paper/<int:line_id>/remove")
@access.member
def paper_remove(initiative_id: int, meeting_id: int, line_id: int):
    _load(initiative_id, meeting_id)
    return form_action(
        Form(),
        lambda session: remove_paper_signup(
            session, current_user.person, initiative_id, meeting_id, line_id, utcnow()
        ),
        done=_("The sign-up is taken off the paper list."),
        to=_url(initiative_id, meeting_id, "paper"),
    )
