"""Answers: a resident's own online (one per person, changeable while the survey is open), and
paper answers typed in by the group, marked as paper with who typed them.

Whatever a form sends is checked here: each problem is refused with a reason tied to the
question it concerns, and nothing is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.discussions.text import clean_text
from engine.errors import InvalidInput, PermissionDenied, Refused
from engine.i18n import msg
from engine.models import Neighbourhood, Person
from engine.models.surveys import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from engine.operations.common import lock_initiative, require_change
from engine.permissions import may_answer_survey
from engine.surveys.building import survey_of

log = logging.getLogger(__name__)

#: the longest open answer
MAX_ANSWER = 2000
#: the form field of the wijk question
WIJK_FIELD = "wijk"


def field_name(question: SurveyQuestion) -> str:
    """The form field that carries the answer to a question."""
    return f"q{question.id}"


@dataclass(frozen=True)
class Given:
    """One answer, checked: options chosen, a point on the scale, or text."""

    question_id: int
    option_ids: tuple[int, ...] = ()
    value: int | None = None
    text: str | None = None


def _values(raw: Mapping[str, Sequence[str]], key: str) -> list[str]:
    found = raw.get(key) or []
    if isinstance(found, str):
        found = [found]
    return [v.strip() for v in found if isinstance(v, str) and v.strip()]


def _option(question: SurveyQuestion, value: str) -> int:
    for option in question.options:
        if str(option.id) == value:
            return option.id
    raise InvalidInput(msg("Choose one of the options."), field=field_name(question))


def _check_one(question: SurveyQuestion, raw: Mapping[str, Sequence[str]]) -> Given | None:
    key = field_name(question)
    if question.kind == "text":
        values = raw.get(key) or []
        first = values if isinstance(values, str) else (values[0] if values else "")
        text = clean_text(first, field=key, maximum=MAX_ANSWER, required=False)
        if not text:
            if question.is_required:
                raise InvalidInput(msg("Answer this question."), field=key)
            return None
        return Given(question.id, text=text)
    values = _values(raw, key)
    if not values:
        if question.is_required:
            raise InvalidInput(msg("Answer this question."), field=key)
        return None
    if question.kind == "scale":
        if len(values) != 1 or values[0] not in ("1", "2", "3", "4", "5"):
            raise InvalidInput(msg("Choose a number from 1 to 5."), field=key)
        return Given(question.id, value=int(values[0]))
    if question.kind == "choice" and len(values) != 1:
        raise InvalidInput(msg("Choose one option."), field=key)
    chosen = tuple(dict.fromkeys(_option(question, v) for v in values))
    return Given(question.id, option_ids=chosen)


def check_answers(
    session: Session, survey: Survey, raw: Mapping[str, Sequence[str]]
) -> tuple[list[Given], int | None]:
    """The answers a form sent, checked against the questions, and the wijk if given."""
    given = [g for q in survey.questions if (g := _check_one(q, raw)) is not None]
    wijk = None
    if survey.asks_wijk:
        values = _values(raw, WIJK_FIELD)
        if values:
            if len(values) != 1 or not values[0].isdigit() or len(values[0]) > 9:
                raise InvalidInput(
                    msg("Choose your neighbourhood from the list."), field=WIJK_FIELD
                )
            wijk = session.get(Neighbourhood, int(values[0]))
            if wijk is None:
                raise InvalidInput(
                    msg("Choose your neighbourhood from the list."), field=WIJK_FIELD
                )
    if not given:
        raise InvalidInput(msg("Answer at least one question."))
    return given, wijk.id if wijk is not None else None


def _open_survey(session: Session, initiative_id: int) -> Survey:
    survey = survey_of(session, initiative_id)
    if survey is None or survey.status == "draft":
        raise Refused(msg("This initiative has no open survey."))
    if survey.status != "open":
        raise Refused(msg("The survey is closed: it takes no more answers."))
    return survey


def _store(session: Session, response: SurveyResponse, given: list[Given]) -> None:
    rows: list[dict] = []
    for g in given:
        common = {"response_id": response.id, "survey_id": response.survey_id,
                  "question_id": g.question_id}  # fmt: skip
        if g.option_ids:
            rows.extend(dict(common, option_id=o, value=None, text=None) for o in g.option_ids)
        else:
            rows.append(dict(common, option_id=None, value=g.value, text=g.text))
    session.execute(SurveyAnswer.__table__.insert(), rows)


def answer_survey(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    raw: Mapping[str, Sequence[str]],
    now: datetime,
) -> SurveyResponse:
    """Give one's own answer online, or change it while the survey is open."""
    if not may_answer_survey(actor):
        raise PermissionDenied(
            msg("Residents answer the survey; the municipality's staff read the results.")
        )
    if actor.email_confirmed_dt is None:
        raise Refused(msg("Confirm your e-mail address with the link we sent you first."))
    lock_initiative(session, initiative_id)
    survey = _open_survey(session, initiative_id)
    given, wijk = check_answers(session, survey, raw)
    response = session.scalar(
        select(SurveyResponse).where(
            SurveyResponse.survey_id == survey.id, SurveyResponse.person_id == actor.id
        )
    )
    if response is None:
        response = SurveyResponse(
            survey_id=survey.id, person_id=actor.id, is_paper=False, neighbourhood_id=wijk,
            created_dt=now, updated_dt=now,
        )  # fmt: skip
        session.add(response)
        session.flush()
    else:
        response.neighbourhood_id, response.updated_dt = wijk, now
        session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id == response.id))
    _store(session, response, given)
    log.info("survey %s: answer %s by %s", survey.id, response.id, actor.id)
    return response


def enter_paper_answer(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    raw: Mapping[str, Sequence[str]],
    now: datetime,
) -> SurveyResponse:
    """A member of the group types in an answer given on paper."""
    initiative = lock_initiative(session, initiative_id)
    require_change(session, initiative, actor)
    survey = _open_survey(session, initiative_id)
    given, wijk = check_answers(session, survey, raw)
    response = SurveyResponse(
        survey_id=survey.id, person_id=None, is_paper=True, entered_by_id=actor.id,
        neighbourhood_id=wijk, created_dt=now, updated_dt=now,
    )  # fmt: skip
    session.add(response)
    session.flush()
    _store(session, response, given)
    log.info("survey %s: paper answer %s typed in by %s", survey.id, response.id, actor.id)
    return response


def own_answer(session: Session, survey: Survey, person: Person | None) -> dict[str, list[str]]:
    """The person's own answer as form values (empty if none), to change it."""
    if person is None:
        return {}
    response = session.scalar(
        select(SurveyResponse).where(
            SurveyResponse.survey_id == survey.id, SurveyResponse.person_id == person.id
        )
    )
    if response is None:
        return {}
    values: dict[str, list[str]] = {}
    if response.neighbourhood_id is not None:
        values[WIJK_FIELD] = [str(response.neighbourhood_id)]
    rows = session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.value,
               SurveyAnswer.text).where(SurveyAnswer.response_id == response.id)
    ).all()  # fmt: skip
    for question_id, option_id, value, text in rows:
        shown = str(option_id) if option_id is not None else str(value) if value else text
        values.setdefault(f"q{question_id}", []).append(shown or "")
    return values
