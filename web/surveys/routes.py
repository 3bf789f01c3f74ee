"""The survey: residents answer it, the group builds it, types in paper answers and reads the
results. Views load, check who may do what (web/access.py), call one engine operation, render."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from engine.db import utcnow
from engine.errors import VerbindingError
from engine.listing import places
from engine.models import Neighbourhood, Person
from engine.models.surveys import Survey
from engine.permissions import (
    can_build_survey,
    can_read_open_answers,
    can_read_private,
    is_staff,
    may_answer_survey,
)
from engine.surveys.answering import (
    WIJK_FIELD,
    answer_survey,
    enter_paper_answer,
    own_answer,
)
from engine.surveys.building import (
    MAX_QUESTIONS,
    add_question,
    close_survey,
    has_answers,
    open_survey,
    publish_open_answers,
    remove_question,
    save_survey,
    survey_of,
)
from engine.surveys.export import survey_csv
from engine.surveys.results import load_results
from engine.timeutil import local_date
from web import access
from web.coach.charts import bar_chart
from web.confirm import unconfirmed
from web.database import db, transaction_on_get
from web.form_action import form_action
from web.i18n import render_msg
from web.inputs import parse_id
from web.surveys.forms import OpenForm, PlainForm, PublishForm, QuestionForm, SurveyForm

bp = Blueprint("surveys", __name__)


def _person() -> Person | None:
    return current_user.person if current_user.is_authenticated else None


def _survey() -> Survey | None:
    return survey_of(db(), g.initiative.id)


def _url(endpoint: str = "show", **values: Any) -> str:
    return url_for(f"surveys.{endpoint}", initiative_id=g.initiative.id, **values)


def _tz() -> str:
    from web.i18n import _zone

    return _zone()


def ends_on(survey: Survey | None):
    """The last day of answers, in the city's time zone (the survey closes when it is over)."""
    if survey is None or survey.closes_dt is None:
        return None
    return local_date(survey.closes_dt - timedelta(minutes=1), _tz())


def _wijken() -> list[tuple[str, list[Neighbourhood]]]:
    return [(d.name, list(d.neighbourhoods)) for d in places(db())]


def _answer_page(
    survey: Survey | None,
    *,
    mode: str,
    values: Mapping[str, list[str]] | None = None,
    error: VerbindingError | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The survey as a resident fills it in: ``mode`` answer, paper (the group types one in)
    or preview (the group looks at it as residents will)."""
    person = _person()
    errors: dict[str, str] = {}
    general = None
    if error is not None:
        if error.field:
            errors[error.field] = render_msg(error.message)
        else:
            general = render_msg(error.message)
    context = {
        "initiative": g.initiative,
        "survey": survey,
        "mode": mode,
        "values": values or {},
        "errors": errors,
        "general_error": general,
        "builds": can_build_survey(g.member_role),
        "may_answer": may_answer_survey(person),
        "signed_in": person is not None,
        "is_staff": is_staff(person),
        "answered": mode == "answer" and bool(values) and error is None,
        "wijken": _wijken() if survey is not None and survey.asks_wijk else [],
        "WIJK_FIELD": WIJK_FIELD,
        "ends_on": ends_on(survey),
    }
    return render_template("surveys/answer.html", **context), status


# --- residents --------------------------------------------------------------------------------


@bp.get("/initiatives/<int:initiative_id>/survey")
@access.viewer
def show(initiative_id: int):
    survey = _survey()
    if survey is not None and survey.status == "draft" and not can_build_survey(g.member_role):
        survey = None  # not there yet for the neighbourhood
    values = own_answer(db(), survey, _person()) if survey is not None else {}
    return _answer_page(survey, mode="answer", values=values)


def _raw() -> dict[str, list[str]]:
    return {k: v for k, v in request.form.lists() if k != "csrf_token"}


@bp.post("/initiatives/<int:initiative_id>/survey")
@access.login
def answer(initiative_id: int):
    raw = _raw()
    return form_action(
        PlainForm(),
        lambda session: answer_survey(
            session, current_user.person, initiative_id=initiative_id, raw=raw, now=utcnow()
        ),
        done=_("Thank you! Your answer is saved. You can change it while the survey is open."),
        to=_url(_anchor="survey"),
        again=lambda status, error: _answer_page(
            _survey(), mode="answer", values=raw, error=error, status=status
        ),
        summary=False,
    )


# --- the group: build, open, close ------------------------------------------------------------


class BuildForms:
    def __init__(self, submitted: Mapping[str, FlaskForm]) -> None:
        self.submitted = dict(submitted)

    def get(self, key: str, make) -> Any:
        from web.initiatives.page import identify

        return identify(self.submitted.get(key) or make(), key)


def _build_page(
    forms: Mapping[str, FlaskForm] | None = None, status: int = 200
) -> ResponseReturnValue:
    survey = _survey()
    found = BuildForms(forms or {})
    settings = found.get(
        "settings",
        lambda: SurveyForm(formdata=None, obj=survey) if survey else SurveyForm(formdata=None),
    )
    context = {
        "initiative": g.initiative,
        "survey": survey,
        "settings": settings,
        "question": found.get("question", lambda: QuestionForm(formdata=None)),
        "opening": found.get("open", lambda: OpenForm(formdata=None)),
        "locked": survey is not None and has_answers(db(), survey.id),
        "MAX_QUESTIONS": MAX_QUESTIONS,
        "ends_on": ends_on(survey),
        "failed": next(iter(found.submitted), None),
    }
    return render_template("surveys/build.html", **context), status


def _again(key: str, form: FlaskForm):
    return lambda status, _error: _build_page({key: form}, status)


@bp.get("/initiatives/<int:initiative_id>/survey/build")
@access.member
def build(initiative_id: int):
    return _build_page()


@bp.post("/initiatives/<int:initiative_id>/survey/build")
@access.member
def save(initiative_id: int):
    form = SurveyForm()
    return form_action(
        form,
        lambda session: save_survey(
            session,
            current_user.person,
            initiative_id=initiative_id,
            title=form.title.data,
            intro=form.intro.data,
            asks_wijk=bool(form.asks_wijk.data),
            now=utcnow(),
        ),  # fmt: skip
        done=_("The survey is saved."),
        to=_url("build", _anchor="settings"),
        again=_again("settings", form),
    )


@bp.post("/initiatives/<int:initiative_id>/survey/questions")
@access.member
def add(initiative_id: int):
    form = QuestionForm()
    return form_action(
        form,
        lambda session: add_question(
            session,
            current_user.person,
            initiative_id=initiative_id,
            kind=form.kind.data,
            text=form.text.data,
            options=form.options.data,
            is_required=bool(form.is_required.data),
            now=utcnow(),
        ),  # fmt: skip
        done=_("The question is added."),
        to=_url("build", _anchor="questions"),
        again=_again("question", form),
    )


@bp.post("/initiatives/<int:initiative_id>/survey/questions/remove")
@access.member
def remove(initiative_id: int):
    back = _url("build", _anchor="questions")
    refused = unconfirmed(back)
    if refused is not None:
        return refused
    question_id = parse_id(request.form.get("question_id")) or 0
    return form_action(
        PlainForm(),
        lambda session: remove_question(
            session,
            current_user.person,
            initiative_id=initiative_id,
            question_id=question_id,
            now=utcnow(),
        ),  # fmt: skip
        done=_("The question is removed."),
        to=back,
    )


@bp.post("/initiatives/<int:initiative_id>/survey/open")
@access.member
def open_(initiative_id: int):
    form = OpenForm()
    return form_action(
        form,
        lambda session: open_survey(
            session,
            current_user.person,
            initiative_id=initiative_id,
            closes_on=form.closes_on.data,
            now=utcnow(),
            tz=_tz(),
        ),  # fmt: skip
        done=_("The survey is open: residents can answer it now."),
        to=_url("build", _anchor="status"),
        again=_again("open", form),
    )


@bp.post("/initiatives/<int:initiative_id>/survey/close")
@access.member
def close(initiative_id: int):
    back = _url("build", _anchor="status")
    refused = unconfirmed(back)
    if refused is not None:
        return refused
    return form_action(
        PlainForm(),
        lambda session: close_survey(
            session, current_user.person, initiative_id=initiative_id, now=utcnow()
        ),
        done=_("The survey is closed. The results stay."),
        to=_url("results"),
        back=back,
    )


@bp.post("/initiatives/<int:initiative_id>/survey/publish")
@access.member
def publish(initiative_id: int):
    form = PublishForm()
    shown = form.publish.data == "yes"
    return form_action(
        form,
        lambda session: publish_open_answers(
            session, current_user.person, initiative_id=initiative_id, publish=shown, now=utcnow()
        ),
        done=_("Everyone can now read the open answers.")
        if shown
        else _("Only the group and the process coaches can read the open answers now."),
        to=_url("results", _anchor="open-answers"),
    )


@bp.get("/initiatives/<int:initiative_id>/survey/preview")
@access.member
def preview(initiative_id: int):
    survey = _survey()
    if survey is None:
        return redirect(_url("build"))
    return _answer_page(survey, mode="preview")


@bp.get("/initiatives/<int:initiative_id>/survey/paper")
@access.member
def paper(initiative_id: int):
    return _answer_page(_survey(), mode="paper")


@bp.post("/initiatives/<int:initiative_id>/survey/paper")
@access.member
def enter_paper(initiative_id: int):
    raw = _raw()
    return form_action(
        PlainForm(),
        lambda session: enter_paper_answer(
            session, current_user.person, initiative_id=initiative_id, raw=raw, now=utcnow()
        ),
        done=_("The paper answer is saved. You can type in the next one."),
        to=_url("paper"),
        again=lambda status, error: _answer_page(
            _survey(), mode="paper", values=raw, error=error, status=status
        ),
        summary=False,
    )


# --- results ----------------------------------------------------------------------------------


@bp.get("/initiatives/<int:initiative_id>/survey/results")
@access.viewer
def results(initiative_id: int):
    survey = _survey()
    builds = can_build_survey(g.member_role)
    if survey is not None and survey.status == "draft" and not builds:
        survey = None
    reads_texts = survey is not None and can_read_open_answers(
        _person(), g.member_role, survey.publishes_open_answers
    )
    found = load_results(db(), survey, with_texts=reads_texts) if survey is not None else None
    return render_template(
        "surveys/results.html",
        initiative=g.initiative,
        survey=survey,
        results=found,
        reads_texts=reads_texts,
        builds=builds,
        private=can_read_private(_person(), g.member_role),
        ends_on=ends_on(survey),
        chart=_chart,
    )


def _chart(rows):
    return bar_chart([(r.label, r.percent, f"{r.count} ({r.percent}%)", "plain") for r in rows])


@bp.get("/initiatives/<int:initiative_id>/survey/results.csv")
@transaction_on_get  # the answers stream from a server-side cursor (yield_per)
@access.group_or_staff
def export(initiative_id: int):
    survey = _survey()
    if survey is None:
        return redirect(_url("results"))
    reads_texts = can_read_open_answers(_person(), g.member_role, survey.publishes_open_answers)
    body = "".join(survey_csv(db(), survey, render=render_msg, with_texts=reads_texts, tz=_tz()))
    stamp = utcnow().strftime("%Y-%m-%d")
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": (
                f'attachment; filename="vragenlijst-{initiative_id}-{stamp}.csv"'
            ),
            "Cache-Control": "no-store",
        },
    )


from web.surveys import history, panel  # noqa: E402, F401  (history words, page panel)
