"""The group builds its survey: title, questions, options; then opens it and closes it.

Questions can change only until the first answer: after that, results would mix answers to
different questions. The group is told so, plainly, instead.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from engine.discussions.text import clean_text
from engine.errors import InvalidInput, NotFound, Refused
from engine.i18n import msg
from engine.models import Person
from engine.models.surveys import (
    QUESTION_KINDS,
    Survey,
    SurveyOption,
    SurveyQuestion,
    SurveyResponse,
)
from engine.notifications import events
from engine.operations.common import lock_initiative, record_detail, require_change
from engine.timeutil import check_typed_date, local_date, zone

log = logging.getLogger(__name__)

#: the most questions a survey has: a short one, answered in a few minutes
MAX_QUESTIONS = 15
#: the most options a choice question has
MAX_OPTIONS = 12
MAX_TITLE = 200
MAX_INTRO = 2000
MAX_QUESTION = 500
MAX_OPTION = 200

LOCKED = msg(
    "The survey already has answers, so its questions can no longer change: the answers would "
    "no longer fit them."
)


_SURVEY_OF = select(Survey).where(Survey.initiative_id == bindparam("iid"))


def survey_of(session: Session, initiative_id: int) -> Survey | None:
    return session.scalar(_SURVEY_OF, {"iid": initiative_id})


def _survey(session: Session, initiative_id: int) -> Survey:
    found = survey_of(session, initiative_id)
    if found is None:
        raise NotFound(msg("This initiative has no survey yet."))
    return found


def has_answers(session: Session, survey_id: int) -> bool:
    return bool(session.scalar(select(exists().where(SurveyResponse.survey_id == survey_id))))


def _editable(session: Session, survey: Survey) -> None:
    """Questions change until the first answer (online or paper), whether open or not."""
    if has_answers(session, survey.id):
        raise Refused(LOCKED)


def _start(session: Session, actor: Person, initiative_id: int):
    initiative = lock_initiative(session, initiative_id)
    require_change(session, initiative, actor)
    return initiative


def save_survey(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    title: str | None,
    intro: str | None,
    asks_wijk: bool,
    now: datetime,
) -> Survey:
    """Start the survey, or change its title, introduction and whether it asks for the wijk."""
    initiative = _start(session, actor, initiative_id)
    text = clean_text(title, field="title", maximum=MAX_TITLE)
    about = clean_text(intro, field="intro", maximum=MAX_INTRO, required=False)
    survey = survey_of(session, initiative_id)
    if survey is None:
        survey = Survey(
            initiative_id=initiative_id, title=text, intro=about, asks_wijk=asks_wijk,
            status="draft", created_dt=now, created_by_id=actor.id,
        )  # fmt: skip
        session.add(survey)
        session.flush()
        record_detail(session, initiative, actor, now, "survey.created", title=text)
        return survey
    _editable(session, survey)
    survey.title, survey.intro, survey.asks_wijk = text, about, asks_wijk
    return survey


def _option_lines(raw: str | None) -> list[str]:
    lines = [line.strip() for line in (raw or "").replace("\r", "\n").split("\n")]
    return [line for line in lines if line]


def add_question(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    kind: str | None,
    text: str | None,
    options: str | None,
    is_required: bool,
    now: datetime,
) -> SurveyQuestion:
    """Add a question at the end; a choice question takes its options one per line."""
    _start(session, actor, initiative_id)
    survey = _survey(session, initiative_id)
    _editable(session, survey)
    if kind not in QUESTION_KINDS:
        raise InvalidInput(msg("Choose what kind of question it is."), field="kind")
    wording = clean_text(text, field="text", maximum=MAX_QUESTION)
    if len(survey.questions) >= MAX_QUESTIONS:
        raise Refused(
            msg("A survey has at most %(max)d questions: keep it short.", max=MAX_QUESTIONS)
        )
    labels: list[str] = []
    if kind in ("choice", "multiple"):
        labels = _option_lines(clean_text(options, field="options", maximum=MAX_OPTIONS * 210))
        if len(labels) < 2:
            raise InvalidInput(msg("Give at least two options, one per line."), field="options")
        if len(labels) > MAX_OPTIONS:
            raise InvalidInput(
                msg("Give at most %(max)d options.", max=MAX_OPTIONS), field="options"
            )
        if any(len(label) > MAX_OPTION for label in labels):
            raise InvalidInput(
                msg("An option has at most %(max)d characters.", max=MAX_OPTION), field="options"
            )
        if len(set(labels)) != len(labels):
            raise InvalidInput(msg("Give each option only once."), field="options")
    position = max((q.position for q in survey.questions), default=0) + 1
    question = SurveyQuestion(
        survey_id=survey.id, position=position, kind=kind, text=wording, is_required=is_required
    )
    question.options = [SurveyOption(position=i, label=label) for i, label in enumerate(labels, 1)]
    survey.questions.append(question)
    session.flush()
    return question


def remove_question(
    session: Session, actor: Person, *, initiative_id: int, question_id: int, now: datetime
) -> None:
    _start(session, actor, initiative_id)
    survey = _survey(session, initiative_id)
    _editable(session, survey)
    question = next((q for q in survey.questions if q.id == question_id), None)
    if question is None:
        raise NotFound(msg("This question does not exist."))
    survey.questions.remove(question)


def closing_moment(day: date, tz: str | None) -> datetime:
    """The survey closes when the day it ends on is over, in the city's time zone."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone(tz))


def open_survey(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    closes_on: date | None,
    now: datetime,
    tz: str | None = None,
) -> Survey:
    """Open the survey for answers, until the end of ``closes_on`` or until the group closes it."""
    initiative = _start(session, actor, initiative_id)
    survey = _survey(session, initiative_id)
    if survey.status == "open":
        raise Refused(msg("The survey is already open."))
    check_typed_date(closes_on, "closes_on")
    if closes_on is not None and closes_on < local_date(now, tz):
        raise InvalidInput(msg("Choose an end date from today on."), field="closes_on")
    if not survey.questions:
        raise Refused(msg("Add at least one question before you open the survey."))
    survey.status, survey.opened_dt, survey.closed_dt = "open", now, None
    survey.closes_dt = closing_moment(closes_on, tz) if closes_on else None
    record_detail(session, initiative, actor, now, "survey.opened", title=survey.title)
    log.info("initiative %s: survey %s opened by %s", initiative_id, survey.id, actor.id)
    return survey


def _close(session: Session, survey: Survey, actor: Person | None, now: datetime) -> None:
    survey.status, survey.closed_dt = "closed", now
    initiative = lock_initiative(session, survey.initiative_id)
    record_detail(session, initiative, actor, now, "survey.closed", title=survey.title)
    events.survey_closed(session, survey, actor, now)
    log.info("initiative %s: survey %s closed", survey.initiative_id, survey.id)


def close_survey(session: Session, actor: Person, *, initiative_id: int, now: datetime) -> Survey:
    """Close the survey: no more answers; the results stay."""
    _start(session, actor, initiative_id)
    survey = _survey(session, initiative_id)
    if survey.status != "open":
        raise Refused(msg("The survey is not open."))
    _close(session, survey, actor, now)
    return survey


def close_due_surveys(session: Session, now: datetime) -> list[int]:
    """Close every open survey whose end has come (the sweep calls this)."""
    due = session.scalars(
        select(Survey).where(Survey.status == "open", Survey.closes_dt <= now).limit(500)
    ).all()
    for survey in due:
        _close(session, survey, None, now)
    return [s.id for s in due]


def publish_open_answers(
    session: Session, actor: Person, *, initiative_id: int, publish: bool, now: datetime
) -> Survey:
    """Show the open answers to everyone, or to the group and the coaches only again."""
    _start(session, actor, initiative_id)
    survey = _survey(session, initiative_id)
    survey.publishes_open_answers = publish
    return survey
